"""Bounded work per input through the real entry points: HL7 v2 over MLLP (a real
socket) and over HTTP, with small limits so that the tests stay quick."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from api_support import Api, TestClient, make_container
from sqlalchemy import select

from identito.adapters.database import dispose_engines, engine_for
from identito.adapters.orm import received_messages
from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.entrypoints.mllp import END, START, frame, start_server

HL7 = "/api/v1/hl7v2"
INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
LIMITS = {
    "hl7_max_message_bytes": 20_000,
    "hl7_max_segments": 50,
    "hl7_max_repetitions": 10,
    "mllp_idle_timeout_seconds": 0.5,
    "mllp_message_timeout_seconds": 0.5,
}


def a28(control: str, *, notes: int = 0, identifiers: int = 0, note: str = "note") -> str:
    pid3 = "IPP9^^^CHU-Y&1.2.3&ISO^PI~180032B02040123^^^" + INS_NIR
    pid3 += "".join(f"~X{i}^^^CHU-Y&1.2.3&ISO^AN" for i in range(identifiers))
    return "\r".join(
        [
            f"MSH|^~\\&|LIMITES|CHU-Y|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|{control}|P|2.5",
            "EVN||20260306111154",
            f"PID|1||{pid3}||BORNE^ANTHONY^ANTHONY^^^^L||19800302|M|||^^^^^FRA^BDL^^2B020"
            "|||||||||||||||||||N||PROV",
            "PV1|1|N",
            *(f"NTE|{i}||{note}" for i in range(notes)),
        ]
    )


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("limits"), **LIMITS)
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def over_mllp(container: Container, talk: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """Run ``talk(reader, writer)`` against a real listener on a loopback port."""

    async def session() -> Any:
        server = await start_server(container, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(talk(reader, writer), 20)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    found: list[Any] = []  # in a thread of its own: another test may hold a loop
    worker = threading.Thread(target=lambda: found.append(asyncio.run(session())))
    worker.start()
    worker.join(30)
    return found[0]


def stored(container: Container, control: str) -> list[Any]:
    query = select(received_messages).where(received_messages.c.control_id == control)
    with engine_for(container.settings.database_url).connect() as connection:
        return list(connection.execute(query))


def err_segment(ack: str) -> str:
    return next(s for s in ack.replace("\x0b", "").split("\r") if s.startswith("ERR"))


def test_an_oversized_message_over_mllp_gets_an_ar_and_the_connection_serves_the_next(container):
    big = a28("BIG-1", notes=40, note="x" * 1_000)  # 40 kB > 20 kB

    async def talk(reader, writer):  # type: ignore[no-untyped-def]
        answers = []
        for text in (big, a28("SMALL-1")):
            writer.write(frame(text))
            await writer.drain()
            answers.append((await reader.readuntil(END)).decode())
        return answers

    refused, accepted = over_mllp(container, talk)
    assert "MSA|AR|BIG-1" in refused
    assert "|104^Value too long^HL70357|" in err_segment(refused)
    assert "Message trop volumineux" in err_segment(refused)
    assert "MSA|AA|SMALL-1" in accepted
    [row] = stored(container, "BIG-1")
    assert row.outcome == "rejected" and len(row.content) < 20_000 < len(big)
    assert "octets reçus" in row.content


def test_twenty_thousand_pid_3_repetitions_over_mllp_get_an_ar_at_once(container):
    async def talk(reader, writer):  # type: ignore[no-untyped-def]
        writer.write(frame(a28("REP-1", identifiers=20_000)[:19_000]))
        await writer.drain()
        return (await reader.readuntil(END)).decode()

    answer = over_mllp(container, talk)
    assert "MSA|AR|REP-1" in answer
    assert "Trop de répétitions dans PID-3" in err_segment(answer)


def test_too_many_segments_over_http_get_an_ar_with_a_french_reason(api, container):
    answer = api.post(HL7, content=a28("SEG-1", notes=60))
    assert answer.status_code == 400 and "MSA|AR|SEG-1" in answer.text
    assert "Message trop long : 64 segments (au plus 50)" in err_segment(answer.text)
    assert [r.outcome for r in stored(container, "SEG-1")] == ["rejected"]


def _closed_after(container: Container, send: Callable[[Any], Awaitable[None]]) -> float:
    async def talk(reader, writer):  # type: ignore[no-untyped-def]
        began = time.monotonic()
        sender = asyncio.ensure_future(send(writer))
        data = await reader.read()  # b"" once the listener closes the connection
        sender.cancel()
        return data, time.monotonic() - began

    data, elapsed = over_mllp(container, talk)
    assert data == b""  # closed without an answer
    return float(elapsed)


def test_an_idle_mllp_connection_is_closed_after_the_idle_timeout(container):
    async def nothing(writer):  # type: ignore[no-untyped-def]
        await asyncio.sleep(30)

    assert _closed_after(container, nothing) < 10  # the 20 s guard was not what ended it


def test_a_slow_loris_sender_is_closed_after_the_message_timeout(container):
    async def drip(writer):  # type: ignore[no-untyped-def]
        writer.write(START)
        for byte in a28("SLOW-1").encode():
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)  # the whole message would take ~15 s

    assert _closed_after(container, drip) < 10
    assert stored(container, "SLOW-1") == []


def test_past_the_connection_limit_a_new_mllp_connection_is_closed_and_served_once_one_ends(
    tmp_path,
):
    capped = make_container(tmp_path, mllp_max_connections=2, mllp_idle_timeout_seconds=30)

    async def session() -> tuple[list[str], bytes, str]:
        server = await start_server(capped, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        held, answers = [], []
        try:
            for control in ("HOLD-1", "HOLD-2"):  # two connections, answered, then idle
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(frame(a28(control)))
                answers.append((await reader.readuntil(END)).decode())
                held.append(writer)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            refused = await asyncio.wait_for(reader.read(), 5)  # b"": closed at once
            writer.close()
            held.pop().close()  # one ends: room for a new one
            await asyncio.sleep(0.2)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(frame(a28("AFTER-1")))
            after = (await asyncio.wait_for(reader.readuntil(END), 10)).decode()
            writer.close()
            return answers, refused, after
        finally:
            for writer in held:
                writer.close()
            server.close()
            await server.wait_closed()

    found: list[Any] = []  # in a thread of its own: another test may hold a loop
    worker = threading.Thread(target=lambda: found.append(asyncio.run(session())))
    worker.start()
    worker.join(60)
    answers, refused, after = found[0]

    assert all("MSA|AA|HOLD-" in a for a in answers), answers
    assert refused == b""
    assert "MSA|AA|AFTER-1" in after
    assert stored(capped, "AFTER-1") != []
