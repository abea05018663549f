"""Running a sync off the request thread, for the *Sync now* button."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from tracker import clock
from tracker.extensions import db
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import SyncBusy, run_sync
from tracker.models import SyncRun


def start_sync(settings: JiraSettings, *, full: bool) -> SyncRun:
    """Record a queued run and start it in a thread of this process; return the run at once.

    The run's page shows its progress until the thread finishes. A run that finds another sync
    holding the lock is recorded as failed with the reason.
    """
    run = SyncRun(trigger="web", status="queued", full=full, started_at=clock.now())
    db.session.add(run)
    db.session.commit()
    app = current_app._get_current_object()
    threading.Thread(target=_run, args=(app, settings, run.id), daemon=True).start()
    return run


def _run(app: Flask, settings: JiraSettings, run_id: int) -> None:
    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        try:
            run_sync(settings, full=run.full, trigger="web", run=run)
        except SyncBusy as busy:
            run.status, run.error = "failed", str(busy)
            db.session.commit()
        except Exception:  # logged by the app; the run records the crash
            app.logger.exception("Background Jira sync %s crashed", run_id)
        finally:
            db.session.remove()
