"""`flask digest`: who gets a digest, what each holds, --team, and --send through a local SMTP
server (tests/smtp_server.py).

The clock fixture starts at 2026-03-02 09:00 UTC ("today" is 2026-03-02; due soon = within 14
days). The manager fixture (manager@example.com) is in Payments; Sam is Search's manager.
"""

from __future__ import annotations

import ssl
from datetime import date
from types import SimpleNamespace

import pytest
import trustme

from tests.smtp_server import FakeSMTP
from tracker.config import settings_from_environment
from tracker.digest.cli import SEPARATOR, digest_command
from tracker.digest.mail import MailSettings
from tracker.extensions import db
from tracker.mitigations.services import add_mitigation
from tracker.risks import services as risk_services

PASSWORD = "s3cret-smtp-pa55"


@pytest.fixture
def search_manager(factory, search):
    return factory.user(email="sam@example.com", role="manager", name="Sam Search", teams=[search])


@pytest.fixture
def register(factory, payments, search, manager, search_manager):
    """Payments: a critical risk with an overdue, a due-soon and a later mitigation. Search: a
    medium risk with one overdue mitigation."""
    db_risk = factory.risk(
        team=payments, owner=manager, title="Primary database in one zone", likelihood=4, impact=4
    )
    replica = mitigate(db_risk, "Add a read replica", date(2026, 2, 27), "payments", manager)
    runbook = mitigate(db_risk, "Failover runbook", date(2026, 3, 10), "payments")
    mitigate(db_risk, "Multi-zone cluster", date(2026, 6, 1), "payments")
    cache_risk = factory.risk(team=search, title="Cache stampede on deploy")
    mitigate(cache_risk, "Request coalescing", date(2026, 2, 20), "search")
    return SimpleNamespace(db_risk=db_risk, cache_risk=cache_risk, replica=replica, runbook=runbook)


def mitigate(risk, title, due, team, owner=None):
    raw = {"title": title, "team": team, "due_date": due}
    if owner is not None:
        raw["owner"] = owner.email
    return add_mitigation(risk, raw, None)


def digest(runner, *args):
    return runner.invoke(digest_command, list(args))


def printed_digests(output: str) -> dict[str, str]:
    """Recipient email → that digest's text, from the printed output."""
    digests = {}
    for part in output.split(SEPARATOR)[1:-1]:
        to_line = next(line for line in part.splitlines() if line.startswith("To: "))
        digests[to_line.split("<")[1].rstrip(">")] = part
    return digests


# Who gets one, and what is in it


def test_each_manager_gets_their_own_teams_work(runner, register, manager, search_manager):
    result = digest(runner)

    assert result.exit_code == 0, result.output
    digests = printed_digests(result.output)
    assert set(digests) == {"manager@example.com", "sam@example.com"}
    payments_text, search_text = digests["manager@example.com"], digests["sam@example.com"]
    assert "Subject: Availability digest for Payments — 2026-03-02" in payments_text
    assert "Add a read replica" in payments_text and "Request coalescing" not in payments_text
    assert "Request coalescing" in search_text and "Add a read replica" not in search_text
    assert "Primary database in one zone" in payments_text
    assert "Primary database in one zone" not in search_text


def test_a_digest_splits_overdue_from_due_soon_and_lists_top_risks(runner, register):
    db_risk, replica, runbook = register.db_risk, register.replica, register.runbook
    text = printed_digests(digest(runner).output)["manager@example.com"]

    overdue = text.split("Overdue mitigations (1)\n")[1].split("\n\n")[0]
    due_soon = text.split("Due in the next 14 days (1)\n")[1].split("\n\n")[0]
    top = text.split("Top risks (1)\n")[1].split("\n\n")[0]
    assert overdue.splitlines() == [
        f"  - {replica.label} Add a read replica ({db_risk.key} Primary database in one zone): "
        "due 2026-02-27, 3 days overdue, owner Max Manager"
    ]
    assert due_soon.splitlines() == [
        f"  - {runbook.label} Failover runbook ({db_risk.key} Primary database in one zone): "
        "due 2026-03-10, planned, owner nobody"
    ]
    assert top.splitlines() == [
        f"  1. {db_risk.key} Primary database in one zone: critical band, score 16; "
        "not quantified; 1 overdue mitigation"
    ]
    assert "Multi-zone cluster" not in text


def test_a_manager_of_two_teams_gets_one_digest_with_both(runner, register, manager, search):
    manager.teams.append(search)
    db.session.commit()

    digests = printed_digests(digest(runner).output)

    text = digests["manager@example.com"]
    assert "Subject: Availability digest for Payments, Search — 2026-03-02" in text
    assert "Add a read replica" in text and "Request coalescing" in text


def test_viewers_inactive_managers_and_managers_without_a_team_get_none(
    runner, register, factory, payments
):
    factory.user(email="vic@example.com", role="viewer", teams=[payments])
    factory.user(email="gone@example.com", role="manager", teams=[payments], active=False)
    factory.user(email="loose@example.com", role="manager")

    assert set(printed_digests(digest(runner).output)) == {
        "manager@example.com",
        "sam@example.com",
    }


def test_an_admin_in_a_team_gets_that_teams_digest(runner, register, factory, payments):
    factory.user(email="tpm@example.com", role="admin", name="Tia TPM", teams=[payments])
    factory.user(email="lone-admin@example.com", role="admin")

    digests = printed_digests(digest(runner).output)

    assert "tpm@example.com" in digests and "lone-admin@example.com" not in digests
    assert "Add a read replica" in digests["tpm@example.com"]


def test_a_quiet_team_still_gets_its_digest(runner, manager):
    text = printed_digests(digest(runner).output)["manager@example.com"]
    assert "Nothing overdue." in text and "Nothing due soon." in text and "No open risk." in text


def test_a_digest_says_how_the_teams_work_lands_this_quarter(runner, manager, payments, factory):
    from tests.test_roadmap import work

    risk = factory.risk(payments)
    work(risk, payments, due_date=date(2026, 1, 20), status="done", completed_on=date(2026, 1, 20))
    work(risk, payments, due_date=date(2026, 2, 1), status="blocked", notes="vendor")

    text = printed_digests(digest(runner).output)["manager@example.com"]

    assert (
        "Delivery in 2026Q1 (on time = by the original due date): 2 due, 1 completed, "
        "1 on time (100%); 1 open past due; 1 blocked"
    ) in text


def test_a_quiet_team_says_nothing_was_due(runner, manager):
    text = printed_digests(digest(runner).output)["manager@example.com"]
    assert "Delivery in 2026Q1 (on time = by the original due date): nothing due" in text


def test_risks_needing_attention_are_listed(runner, register, admin, clock):
    db_risk = register.db_risk
    clock.advance(days=60)  # the risk's review (critical: every 7 days) is long overdue

    text = printed_digests(digest(runner).output)["manager@example.com"]

    assert f"  - Reviews overdue (1): {db_risk.key}" in text


def test_without_a_public_url_a_digest_has_no_links(runner, register):
    text = printed_digests(digest(runner).output)["manager@example.com"]
    assert "http" not in text


@pytest.mark.app_config(PUBLIC_URL="https://intranet.example.com/risks/")
def test_with_a_public_url_a_digest_links_the_dashboard_each_item_and_risk(runner, register):
    text = printed_digests(digest(runner).output)["manager@example.com"]
    lines = text.splitlines()
    base = "https://intranet.example.com/risks"

    assert lines[lines.index("Payments") + 2] == f"Dashboard: {base}/?team=payments"
    replica = next(i for i, line in enumerate(lines) if "Add a read replica" in line)
    assert lines[replica + 1] == f"    {base}/mitigations/{register.replica.id}"
    top = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    assert lines[top + 1] == f"     {base}/risks/{register.db_risk.key}"


@pytest.mark.app_config(PUBLIC_URL="https://risks.example.com")
def test_more_items_than_listed_link_the_my_teams_page(runner, factory, payments, manager):
    risk = factory.risk(team=payments, title="Primary database in one zone")
    for n in range(12):
        mitigate(risk, f"Overdue step {n}", date(2026, 2, 1 + n), "payments")

    text = printed_digests(digest(runner).output)["manager@example.com"]

    assert "  … and 2 more on the My teams page: https://risks.example.com/my-teams" in text


def test_no_managers_means_no_digest(runner, viewer):
    result = digest(runner)
    assert result.exit_code == 0
    assert result.output == "No manager to send a digest to.\n"


# --team


def test_team_limits_to_that_teams_managers_and_work(runner, register, manager, search):
    manager.teams.append(search)
    db.session.commit()

    digests = printed_digests(digest(runner, "--team", "search").output)

    assert set(digests) == {"manager@example.com", "sam@example.com"}
    assert "Add a read replica" not in digests["manager@example.com"]
    assert "Request coalescing" in digests["manager@example.com"]
    assert "Subject: Availability digest for Search — 2026-03-02" in digests["manager@example.com"]


def test_an_unknown_team_is_one_line_and_exit_1(runner, register):
    result = digest(runner, "--team", "nope")
    assert result.exit_code == 1
    assert result.output == "Error: No team has the slug 'nope'.\n"


# --send


@pytest.fixture
def smtp():
    server = FakeSMTP()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_config(app, smtp):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME="tracker",
        MAIL_PASSWORD=PASSWORD,
        MAIL_FROM="Risk Tracker <risk-tracker@example.com>",
    )
    return app.config


def test_send_emails_exactly_one_digest_per_manager(
    runner, register, mail_config, smtp, manager, search_manager
):
    result = digest(runner, "--send")

    assert result.exit_code == 0, result.output
    assert result.output == "Sent 2 digests from Risk Tracker <risk-tracker@example.com>.\n"
    assert sorted(r.recipients for r in smtp.received) == [
        ["manager@example.com"],
        ["sam@example.com"],
    ]
    assert smtp.logins == [("tracker", PASSWORD)]
    by_recipient = {r.recipients[0]: r.message for r in smtp.received}
    payments_mail = by_recipient["manager@example.com"]
    assert payments_mail["To"] == "Max Manager <manager@example.com>"
    assert payments_mail["From"] == "Risk Tracker <risk-tracker@example.com>"
    assert payments_mail["Subject"] == "Availability digest for Payments — 2026-03-02"
    text = payments_mail.get_body(preferencelist=("plain",)).get_content()
    html = payments_mail.get_body(preferencelist=("html",)).get_content()
    assert "Add a read replica" in text and "Request coalescing" not in text
    assert "Add a read replica" in html and "<h2" in html
    search_text = by_recipient["sam@example.com"].get_body(("plain",)).get_content()
    assert "Request coalescing" in search_text and "Add a read replica" not in search_text


@pytest.mark.app_config(PUBLIC_URL="https://risks.example.com")
def test_the_html_digest_links_each_item_to_its_page(runner, register, mail_config, smtp):
    assert digest(runner, "--team", "payments", "--send").exit_code == 0

    html = smtp.received[0].message.get_body(preferencelist=("html",)).get_content()

    dashboard = '<a href="https://risks.example.com/?team=payments">Payments on the dashboard</a>'
    assert dashboard in html
    assert f'<a href="https://risks.example.com/mitigations/{register.replica.id}">' in html
    assert f'<a href="https://risks.example.com/risks/{register.db_risk.key}">' in html


def test_send_with_team_emails_only_that_teams_managers(runner, register, mail_config, smtp):
    result = digest(runner, "--team", "search", "--send")

    assert result.exit_code == 0, result.output
    assert [r.recipients for r in smtp.received] == [["sam@example.com"]]


def test_send_without_a_login_skips_auth(runner, register, mail_config, smtp):
    mail_config.update(MAIL_USERNAME=None, MAIL_PASSWORD=None)

    assert digest(runner, "--send").exit_code == 0
    assert smtp.logins == [] and len(smtp.received) == 2


def test_send_without_mail_server_is_one_line_and_exit_1(runner, register, app, smtp):
    app.config.update(MAIL_SERVER=None, MAIL_PASSWORD=PASSWORD)

    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert result.output == "Error: MAIL_SERVER is not set: set it (and MAIL_FROM) to send mail.\n"
    assert smtp.received == []


def test_send_without_a_sender_is_one_line_and_exit_1(runner, register, mail_config, smtp):
    mail_config.update(MAIL_FROM=None)

    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and "MAIL_FROM" in result.output


def test_starttls_refused_by_the_server_fails_in_one_line(runner, register, mail_config, smtp):
    mail_config.update(MAIL_USE_TLS=True)

    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert "STARTTLS" in result.output and f"127.0.0.1:{smtp.port}" in result.output
    assert smtp.received == [] and smtp.logins == []


def test_an_unreachable_server_fails_in_one_line(runner, register, mail_config, smtp):
    smtp.stop()

    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert result.output.startswith("Error: Could not send mail through 127.0.0.1:")
    assert len(result.output.splitlines()) == 1


def test_a_refused_recipient_does_not_stop_the_others(runner, register, mail_config, smtp):
    smtp.refuse.add("sam@example.com")

    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert [r.recipients for r in smtp.received] == [["manager@example.com"]]
    assert "Sent 1 digest from" in result.output
    assert "1 not sent: Sam Search <sam@example.com>" in result.output


@pytest.mark.parametrize(
    "args", [(), ("--send",), ("--team", "nope", "--send")], ids=["print", "send", "bad-team"]
)
def test_the_mail_password_never_appears_in_the_output(runner, register, mail_config, args):
    assert PASSWORD not in digest(runner, *args).output


def test_the_mail_password_never_appears_when_sending_fails(runner, register, mail_config, smtp):
    mail_config.update(MAIL_USE_TLS=True)
    assert PASSWORD not in digest(runner, "--send").output
    smtp.stop()
    mail_config.update(MAIL_USE_TLS=False)
    assert PASSWORD not in digest(runner, "--send").output


# Settings


def test_mail_settings_come_from_the_environment():
    settings = settings_from_environment(
        {
            "MAIL_SERVER": "smtp.example.com",
            "MAIL_PORT": "2525",
            "MAIL_USERNAME": "tracker",
            "MAIL_PASSWORD": PASSWORD,
            "MAIL_FROM": "tracker@example.com",
            "MAIL_USE_TLS": "false",
        }
    )
    assert settings == {
        "MAIL_SERVER": "smtp.example.com",
        "MAIL_PORT": 2525,
        "MAIL_USERNAME": "tracker",
        "MAIL_PASSWORD": PASSWORD,
        "MAIL_FROM": "tracker@example.com",
        "MAIL_USE_TLS": False,
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAIL_PORT", "smtp", "MAIL_PORT must be a whole number"),
        ("MAIL_USE_TLS", "maybe", "MAIL_USE_TLS must be true or false"),
    ],
)
def test_bad_mail_settings_are_named(name, value, message):
    with pytest.raises(ValueError, match=message):
        settings_from_environment({name: value})


def test_the_mail_defaults_are_submission_with_starttls(app):
    settings = MailSettings.from_config({**app.config, "MAIL_SERVER": "smtp", "MAIL_FROM": "a@b"})
    assert (settings.port, settings.use_tls, settings.use_ssl) == (587, True, False)
    assert app.config["MAIL_SERVER"] is None


def test_mail_use_ssl_defaults_to_port_465_and_leaves_starttls_out(app):
    config = {**app.config, "MAIL_SERVER": "smtp", "MAIL_FROM": "a@b", "MAIL_USE_SSL": True}
    settings = MailSettings.from_config(config)
    assert (settings.port, settings.use_tls, settings.use_ssl) == (465, False, True)
    assert MailSettings.from_config({**config, "MAIL_PORT": 2465}).port == 2465


# Over TLS: a real handshake with a certificate from a throw-away authority


@pytest.fixture(scope="module")
def authority():
    return trustme.CA()


@pytest.fixture
def trusted(authority, tmp_path, monkeypatch):
    """Trust the test authority the way a deployment trusts a private one: SSL_CERT_FILE."""
    bundle = tmp_path / "authority.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


@pytest.fixture(params=["starttls", "implicit"])
def tls_smtp(request, authority, mail_config):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    server = FakeSMTP(context, tls=request.param)
    server.start()
    # MAIL_USE_TLS stays on for both: with MAIL_USE_SSL there is nothing left to upgrade.
    mail_config.update(
        MAIL_PORT=server.port, MAIL_USE_TLS=True, MAIL_USE_SSL=request.param == "implicit"
    )
    yield server
    server.stop()


def test_mail_goes_over_tls_and_the_login_only_after_the_handshake(
    runner, register, trusted, tls_smtp
):
    result = digest(runner, "--send")

    assert result.exit_code == 0, result.output
    assert len(tls_smtp.received) == 2
    assert all(received.secure for received in tls_smtp.received)
    assert tls_smtp.logins == [("tracker", PASSWORD)] and tls_smtp.secure_logins == [True]


def test_an_untrusted_certificate_stops_before_the_login_in_one_line(runner, register, tls_smtp):
    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.output
    assert PASSWORD not in result.output
    assert tls_smtp.logins == [] and tls_smtp.received == []


def test_mail_use_ssl_against_a_server_without_tls_fails_in_one_line(
    runner, register, mail_config, smtp, trusted
):
    mail_config.update(MAIL_USE_SSL=True)

    result = digest(runner, "--send")

    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert f"127.0.0.1:{smtp.port}" in result.output
    assert smtp.received == [] and smtp.logins == []


def test_risk_changes_show_in_the_next_digest(runner, register, admin):
    db_risk = register.db_risk
    risk_services.change_status(db_risk, "closed", admin, reason="Moved to Aurora.")

    text = printed_digests(digest(runner).output)["manager@example.com"]

    assert "Top risks (0)" in text


def test_send_survives_a_team_name_with_a_line_break_stored_before_names_were_checked(
    runner, register, mail_config, smtp, manager, payments
):
    payments.name = "Pay\r\nBcc: victim@example.com"
    db.session.commit()

    result = digest(runner, "--team", "payments", "--send")

    assert result.exit_code == 0, result.output
    [mail] = [r.message for r in smtp.received]
    assert mail["Subject"] == "Availability digest for Pay Bcc: victim@example.com — 2026-03-02"
    assert mail["Bcc"] is None
    assert [r.recipients for r in smtp.received] == [["manager@example.com"]]
