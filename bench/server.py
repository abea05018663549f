"""The app under gunicorn for the bench suite: the project's gunicorn.conf.py, 3 workers, a
free port on 127.0.0.1, queries counted in an X-Query-Count header; and a signed-in client."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import accounts

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-only-secret-key-0123456789abcdef"  # noqa: S105 (a throw-away bench database)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_rss_mb(self) -> dict[str, float]:
        """Resident memory of each worker now, and the most it has held (VmHWM), in MB."""
        now, peak = [], []
        for pid in self.worker_pids():
            fields = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            )
            now.append(int(fields["VmRSS"].split()[0]) / 1024)
            peak.append(int(fields["VmHWM"].split()[0]) / 1024)
        return {"now_max": round(max(now), 1), "peak": round(max(peak), 1)}


@contextmanager
def serving(database_url: str, workers: int = 3, **settings: str) -> Iterator[Server]:
    """gunicorn serving `database_url` until the block ends (then stopped, by its pid)."""
    port = free_port()
    log = Path(f"/tmp/bench-gunicorn-{port}.log")  # noqa: S108 (a bench run's own log)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "QUERY_COUNT_HEADER": "on",
        **settings,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{server.log.read_text()[-3000:]}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # still starting
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {seconds} s")


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def signed_in(url: str, email: str = accounts.ADMIN) -> requests.Session:
    """A requests session signed in through the real sign-in form."""
    session = requests.Session()
    token = csrf_token(session.get(f"{url}/login", timeout=30).text)
    answer = session.post(
        f"{url}/login",
        data={"email": email, "password": accounts.PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"signing in as {email} failed: {answer.status_code}")
    return session
