"""Helpers of the web tests: a browser-like client per role (cookies, CSRF token)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx
import pytest
from api_support import PASSWORD
from fastapi.testclient import TestClient

from identito.bootstrap import Container
from identito.entrypoints.api import create_app

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Browser:
    """A TestClient that logs in through /login and posts forms with their CSRF token."""

    def __init__(self, container: Container, base_url: str = "http://testserver") -> None:
        self.client = TestClient(create_app(container), base_url=base_url, follow_redirects=False)
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        )
        if response.status_code == 303:
            self.csrf = csrf_of(self.client.get("/compte").text)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def close(self) -> None:
        self.client.close()


def creation_form(**overrides: Any) -> dict[str, Any]:
    """A synthetic person as typed in the creation form."""
    return {
        "birth_name": "Lefèvre-Saint-Aubin",
        "birth_first_names": "Hélène Marie",
        "first_birth_first_name": "hélène",
        "birth_date": "14/03/1985",
        "sex": "F",
        "birth_place_code": "75116",
        "used_name": "",
        "used_first_name": "",
        **overrides,
    }


#: Birth dates no two calls share: the 14th of March of each year, then other days over 12
#: (never a day/month swap) months apart (never one day off).
_birth_dates = iter(
    f"{year}-{month_day}" for month_day in ("03-14", "07-21", "11-27") for year in range(1921, 2016)
)


def edit_form(identity: dict[str, Any], **changes: str) -> dict[str, str]:
    """The edit form of an identity as the API returns it, with ``changes``."""
    values = {
        "version": str(identity["version"]),
        "birth_name": identity["birth_name"],
        "birth_first_names": " ".join(identity["birth_first_names"]),
        "first_birth_first_name": identity["first_birth_first_name"],
        "birth_date": identity["birth_date"],
        "sex": identity["sex"],
        "birth_place_code": identity["birth_place_code"],
        "used_name": identity["used_name"] or "",
        "used_first_name": identity["used_first_name"] or "",
    }
    return {**values, **changes}


def distinct_person(**overrides: Any) -> dict[str, Any]:
    """Traits no other identity of the test base shares: a birth year of its own (the
    duplicate check finds no candidate). Accepted by the API and by the web forms."""
    return {"birth_date": next(_birth_dates), **overrides}


def created_id(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/identites/"), location
    return location.split("/")[2].split("?")[0]


@pytest.fixture
def browser_for(container: Container) -> Iterator[Callable[[str], Browser]]:
    """``browser_for("admission")``: a client logged in as the user of that role."""
    opened: list[Browser] = []

    def open_as(role: str) -> Browser:
        browser = Browser(container)
        response = browser.login(role)
        assert response.status_code == 303, response.text
        opened.append(browser)
        return browser

    yield open_as
    for browser in opened:
        browser.close()
