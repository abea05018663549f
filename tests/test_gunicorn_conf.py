"""gunicorn.conf.py, the production server's settings: gunicorn starts with it, logs each
request with its duration, and its timeout allows for the longest request (an import)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG = PROJECT_ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings(**environ) -> dict:
    """The settings the file gives with these environment variables."""
    code = compile(CONFIG.read_text(), str(CONFIG), "exec")
    namespace: dict = {}
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        exec(code, namespace)  # noqa: S102 (our own file, as gunicorn reads it)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {name: value for name, value in namespace.items() if not name.startswith("__")}


def test_every_setting_is_one_gunicorn_knows():
    from gunicorn.config import Config

    known = Config().settings
    names = {name for name, value in settings().items() if not callable(value)}
    names -= {"multiprocessing", "os"}
    assert names <= known.keys(), names - known.keys()


def test_the_timeout_allows_for_a_full_import_and_can_be_changed():
    # bench/import_csv.py: 10,000 rows took up to 75 s on a busy 2-core machine.
    assert settings()["timeout"] >= 90
    assert settings(GUNICORN_TIMEOUT="300")["timeout"] == 300
    assert settings(GUNICORN_WORKERS="3")["workers"] == 3


def test_gunicorn_serves_the_app_and_logs_each_request_with_its_duration(tmp_path):
    port = free_port()
    environ = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "SECRET_KEY": "a-long-random-secret-for-this-test-only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(CONFIG), "app:app"],
        cwd=PROJECT_ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = _get_when_up(f"http://127.0.0.1:{port}/healthz?code=one-time-secret", server)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert body == {"status": "ok"}
    assert re.search(r'"GET /healthz HTTP/1\.1" 200 \d+ \d+ms', output), output
    assert "one-time-secret" not in output, "no query string in the logs"
    assert '"route":"/healthz"' in output, "the app's own line, as JSON"


def _get_when_up(url: str, server: subprocess.Popen) -> dict:
    import json

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (127.0.0.1)
                return json.load(response)
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 30 s")
