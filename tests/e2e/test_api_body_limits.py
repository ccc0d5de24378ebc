"""Request bodies: authenticated before they are read, 413 above the limit (declared or
received in chunks), through the real ASGI application."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import PASSWORD, Api, TestClient, make_container
from web_support import Browser

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

LIMIT = 4_096
WEB_LIMIT = 65_536
PROBLEM = "application/problem+json"
IDENTITIES = "/api/v1/identities"


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(
        tmp_path_factory.mktemp("body-limits"),
        http_max_body_bytes=LIMIT,
        web_max_body_bytes=WEB_LIMIT,
    )
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


class Exchange:
    """One request sent straight to the ASGI app; counts the body chunks it pulled."""

    def __init__(self, container: Container, chunks: list[bytes], headers: dict[str, str]):
        self.container, self.chunks, self.headers = container, chunks, headers
        self.pulled = 0
        self.sent: list[dict[str, Any]] = []

    async def _receive(self) -> dict[str, Any]:
        index, self.pulled = self.pulled, self.pulled + 1
        if index >= len(self.chunks):
            return {"type": "http.disconnect"}
        more = index + 1 < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[index], "more_body": more}

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def run(self, path: str) -> tuple[int, dict[str, Any]]:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
        }  # fmt: skip
        app = create_app(self.container)
        worker = threading.Thread(target=lambda: asyncio.run(app(scope, self._receive, self._send)))
        worker.start()
        worker.join(30)
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        content_type = dict(start["headers"]).get(b"content-type", b"")
        return start["status"], json.loads(body) if b"json" in content_type else body.decode()


def test_an_unauthenticated_50_mb_json_body_gets_its_401_without_being_read(container):
    size = 50 * 1024 * 1024
    exchange = Exchange(
        container,
        [b"[" + b"0," * 1_000],  # what a client would start sending
        {"Content-Type": "application/json", "Content-Length": str(size)},
    )
    status, body = exchange.run(IDENTITIES)
    assert (status, body["status"]) == (401, 401)
    assert exchange.pulled == 0  # not one byte of the body was read


def test_a_declared_body_above_the_limit_is_refused_at_once_with_a_413_problem(api, container):
    token = api.token("admission")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    exchange = Exchange(container, [b"{}"], {**headers, "Content-Length": str(LIMIT + 1)})
    status, body = exchange.run(IDENTITIES)
    assert status == 413 and exchange.pulled == 0
    assert body["type"] == "urn:identito:problem:content-too-large"
    assert body["detail"] == f"Corps de requête trop volumineux : au plus {LIMIT} octets."


def test_a_chunked_body_is_cut_at_the_limit(api, container):
    token = api.token("admission")
    headers = {"Authorization": f"Bearer {token}", "Transfer-Encoding": "chunked"}
    exchange = Exchange(container, [b"x" * 1_000] * 100, headers)  # 100 kB announced by nothing
    status, body = exchange.run(IDENTITIES)  # a route admission may post to (else 403 first)
    assert status == 413 and body["status"] == 413
    assert exchange.pulled == 5  # 5,000 bytes: the first chunk past 4,096


def test_the_413_problem_comes_through_the_http_client_too(api):
    response = api.client.post(
        IDENTITIES,
        content=b"{" + b" " * LIMIT + b"}",
        headers={"Authorization": f"Bearer {api.token('admission')}"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_a_body_under_the_limit_with_a_valid_token_is_served_as_before(api):
    response = api.client.post(
        IDENTITIES, json={}, headers={"Authorization": f"Bearer {api.token('admission')}"}
    )
    assert response.status_code == 422  # read and validated: the usual field errors
    assert response.json()["errors"]


def test_the_login_route_reads_its_credentials_without_a_token(api):
    body = {"username": "admission", "password": PASSWORD}
    assert api.client.post("/api/v1/auth/token", json=body).status_code == 200


def _session_headers(container: Container) -> dict[str, str]:
    browser = Browser(container)
    assert browser.login("admission").status_code == 303
    cookies = "; ".join(f"{k}={v}" for k, v in browser.client.cookies.items())
    return {"Cookie": cookies, "X-CSRF-Token": browser.csrf,
            "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip


def test_a_web_form_declared_above_the_web_limit_gets_the_french_413_page_unread(container):
    headers = _session_headers(container)
    exchange = Exchange(container, [b"name=x"], {**headers, "Content-Length": str(WEB_LIMIT + 1)})

    status, page = exchange.run("/identites/nouvelle")

    assert status == 413 and exchange.pulled == 0
    assert "trop volumineux" in page and "<html" in page


def test_a_chunked_web_form_is_cut_at_the_web_limit(container):
    headers = {**_session_headers(container), "Transfer-Encoding": "chunked"}
    exchange = Exchange(container, [b"name=" + b"x" * 10_000] * 100, headers)  # 1 MB

    status, page = exchange.run("/identites/nouvelle")

    assert status == 413 and "trop volumineux" in page
    assert exchange.pulled == 7  # 70,035 bytes: the first chunk past 65,536


def test_a_web_form_posted_without_a_session_is_sent_to_login_unread(container):
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Content-Length": str(5 * 1024 * 1024)}  # fmt: skip
    exchange = Exchange(container, [b"name=x"], headers)

    status, _ = exchange.run("/identites/nouvelle")

    assert status in (302, 303) and exchange.pulled == 0
