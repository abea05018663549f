"""Geometry of the roadmap's server-drawn timeline: where each mitigation's bar goes.

The window is the current quarter and the next one, month by month; open work already past its
date sits in an *overdue* lane at the left, work due after the window in a *later* lane at the
right, so nothing open is left off. A slipped date draws a line from the original date to the
current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.delivery import Quarter
from tracker.domain.mitigations import due_state
from tracker.jira.epics import Progress
from tracker.models import JiraTicket, Mitigation

WIDTH = 1000
LABEL_WIDTH = 300
OVERDUE_WIDTH = 80
LATER_WIDTH = 70
HEADER_HEIGHT = 30
ROW_HEIGHT = 24
MONTHS_LEFT = LABEL_WIDTH + OVERDUE_WIDTH
MONTHS_RIGHT = WIDTH - LATER_WIDTH


@dataclass(frozen=True)
class Month:
    label: str
    x: float
    width: float


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    months: list[Month]
    today_x: float

    def x_of(self, day: date) -> float:
        """Where a date inside the window falls, in chart units."""
        span = (self.end - self.start).days + 1
        return round(MONTHS_LEFT + (MONTHS_RIGHT - MONTHS_LEFT) * (day - self.start).days / span, 1)


def window(today: date) -> Window:
    """The current quarter and the next, month by month."""
    first = Quarter.of(today)
    start, end = first.first_day, first.next().last_day
    months, day = [], start
    span = (end - start).days + 1
    while day <= end:
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        days = (following - day).days
        x = MONTHS_LEFT + (MONTHS_RIGHT - MONTHS_LEFT) * (day - start).days / span
        months.append(
            Month(
                day.strftime("%b %Y"),
                round(x, 1),
                round((MONTHS_RIGHT - MONTHS_LEFT) * days / span, 1),
            )
        )
        day = following
    today_x = MONTHS_LEFT + (MONTHS_RIGHT - MONTHS_LEFT) * (today - start).days / span
    return Window(start, end, months, round(today_x, 1))


@dataclass(frozen=True)
class Bar:
    """One mitigation on the timeline."""

    mitigation: Mitigation
    tickets: list[JiraTicket]
    y: float
    x: float
    lane: str  # "overdue", "window" or "later"
    state: str  # "overdue", "blocked", "in_progress" or "planned": the bar's colour
    days_overdue: int
    slip_from_x: float | None
    progress: Progress | None = None

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2 + 4


@dataclass(frozen=True)
class Group:
    """A team's or a risk's rows, drawn as one chart (one printed page per team)."""

    key: str
    title: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        return HEADER_HEIGHT + ROW_HEIGHT * len(self.bars) + 6


def _bar(
    m: Mitigation,
    tickets: list[JiraTicket],
    progress: Progress | None,
    y: float,
    view: Window,
    today: date,
) -> Bar:
    overdue = due_state(m.status, m.due_date, today) == "overdue"
    if overdue:
        lane, x = "overdue", LABEL_WIDTH + 14
    elif m.due_date > view.end:
        lane, x = "later", MONTHS_RIGHT + LATER_WIDTH / 2
    else:
        lane, x = "window", view.x_of(max(m.due_date, view.start))
    slip_from = None
    if lane != "overdue" and m.original_due_date < m.due_date:
        original = min(max(m.original_due_date, view.start), view.end)
        slip_from = view.x_of(original)
    return Bar(
        mitigation=m,
        tickets=tickets,
        y=y,
        x=round(x, 1),
        lane=lane,
        state="overdue" if overdue else m.status,
        days_overdue=(today - m.due_date).days if overdue else 0,
        slip_from_x=slip_from,
        progress=progress,
    )


def layout(
    items: list[Mitigation],
    tickets: dict[int, list[JiraTicket]],
    progress: dict[int, Progress],
    group: str,
    today: date,
) -> tuple[Window, list[Group]]:
    """The window and the charts for a page of mitigations already ordered by group."""
    view = window(today)
    groups: list[Group] = []
    for m in items:
        key = f"team-{m.team_id}" if group == "team" else f"risk-{m.risk_id}"
        if not groups or groups[-1].key != key:
            title = m.team.name if group == "team" else f"{m.risk.key} {m.risk.title}"
            groups.append(Group(key, title, []))
        bars = groups[-1].bars
        y = HEADER_HEIGHT + ROW_HEIGHT * len(bars)
        bars.append(_bar(m, tickets.get(m.id, []), progress.get(m.id), y, view, today))
    return view, groups
