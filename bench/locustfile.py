"""Signed-in users for the load run (bench/load.py names the class each phase runs)."""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, task

SETUP = json.loads(Path(os.environ["BENCH_LOAD_SETUP"]).read_text())
_accounts = itertools.count()


class SignedIn(FastHttpUser):
    """Each user takes the next load account's session (bench.load signed them in) and sends
    requests back to back."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.me = SETUP["users"][next(_accounts) % len(SETUP["users"])]
        self.page = {"Cookie": self.me["cookie"]}
        self.api = {"Authorization": f"Bearer {self.me['token']}"}


class HealthzUser(SignedIn):
    @task
    def healthz(self) -> None:
        self.client.get("/healthz", headers=self.page, name="/healthz")


class DashboardUser(SignedIn):
    @task
    def dashboard(self) -> None:
        self.client.get("/", headers=self.page, name="dashboard")


class MixUser(SignedIn):
    @task(30)
    def dashboard(self) -> None:
        self.client.get("/", headers=self.page, name="dashboard")

    @task(25)
    def register(self) -> None:
        self.client.get("/risks", headers=self.page, name="register")

    @task(15)
    def my_teams(self) -> None:
        self.client.get("/my-teams", headers=self.page, name="my teams")

    @task(13)
    def api_risks(self) -> None:
        self.client.get("/api/v1/risks?per_page=200", headers=self.api, name="api risks")

    @task(12)
    def api_dashboard(self) -> None:
        self.client.get("/api/v1/dashboard", headers=self.api, name="api dashboard")

    @task(5)
    def write(self) -> None:
        key = random.choice(self.me["risks"])  # noqa: S311 (load, not secrets)
        self.client.patch(
            f"/api/v1/risks/{key}",
            json={"description": f"Checked in the load run ({random.random():.6f})."},  # noqa: S311
            headers={**self.api, "If-Match": "*"},
            name="write: PATCH risk",
        )
