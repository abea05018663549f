"""Screenshots of the main pages for the README, taken over the demo program.

    python scripts/screenshots.py [--out docs/screenshots]     (or: make screenshots)

Builds the demo (tracker.demo) in a throw-away SQLite database, serves the app on 127.0.0.1,
signs in as the demo's TPM in Debian's Chromium (/usr/bin/chromium or CHROMIUM_PATH, driven by
Playwright; no browser is downloaded) and writes dashboard.png, register.png, risk.png,
my-teams.png and review.png at 1280 px wide. Nothing outside --out is changed.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.demo.build import build_demo  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Review, Risk  # noqa: E402

WIDTH, HEIGHT = 1280, 800
# A long page is cut here: the top of it is what a reader of the README needs.
MAX_HEIGHT = 2200
SIGN_IN_AS = "tpm@example.com"
FEATURED_RISK = "Primary orders database runs in a single zone"


def demo_app(folder: str):
    """The app over a new SQLite database holding the demo; returns it and the TPM's password."""
    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.db",
            "TRACKER_ENV": "development",
        }
    )
    with app.app_context():
        logging.disable(logging.INFO)  # the migrations' progress lines
        upgrade()
        logging.disable(logging.NOTSET)
        accounts = build_demo()
    [tpm] = [account for account in accounts if account.email == SIGN_IN_AS]
    return app, tpm.password


def pages(app) -> dict[str, str]:
    """Each screenshot's name and the address it shows."""
    with app.app_context():
        risk_key = db.session.scalars(sa.select(Risk).where(Risk.title == FEATURED_RISK)).one().key
        review_id = db.session.scalar(
            sa.select(Review.id).where(Review.finished_at.isnot(None)).order_by(Review.id.desc())
        )
    return {
        "dashboard": "/",
        "register": "/risks",
        "risk": f"/risks/{risk_key}",
        "my-teams": "/my-teams",
        "review": f"/reviews/{review_id}",
    }


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        """Only this script's own lines on the terminal."""


@contextmanager
def serving(app):
    """The app on 127.0.0.1 and a free port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def shoot(base_url: str, password: str, addresses: dict[str, str], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport={"width": WIDTH, "height": HEIGHT}, reduced_motion="reduce"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(SIGN_IN_AS)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base_url}/")
        for name, address in addresses.items():
            response = page.goto(address)
            if response is None or response.status != 200:
                raise RuntimeError(f"{address} answered {response and response.status}")
            page.wait_for_load_state("networkidle")
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
            path = out / f"{name}.png"
            clip = {"x": 0, "y": 0, "width": WIDTH, "height": height}
            page.screenshot(path=str(path), full_page=True, clip=clip)
            written.append(path)
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not chromium_path():
        print("Chromium not found: apt-get install chromium (or set CHROMIUM_PATH).")
        return 1
    started = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app, password = demo_app(folder)
        with serving(app) as base_url:
            written = shoot(base_url, password, pages(app), args.out)
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"{len(written)} screenshots in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
