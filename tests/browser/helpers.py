"""Helpers for the browser tests: waiting for a screen, screenshots, the API for set-up and checks."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import requests

PASSWORD = "Browser-test-pass1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_ready(page: Any, screen: str) -> None:
    """Wait until the screen has drawn its first data (the app's explicit ready signal)."""
    page.wait_for_selector(f"body[data-ready='{screen}']", state="attached")


class Api(requests.Session):
    """The stack's API, for setting up and for checking what the site did."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if isinstance(url, str) and url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)


def new_email() -> str:
    return f"browser-{uuid.uuid4().hex[:12]}@example.com"


def log_in(page: Any, site_url: str, email: str, password: str) -> None:
    page.goto(f"{site_url}/#/login")
    wait_ready(page, "login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    wait_ready(page, "dashboard")
