"""An asyncio MLLP listener: frames ``0x0b`` message ``0x1c 0x0d``, one ACK per message.

Each message is handled in a worker thread (database and INSi calls are blocking)
by ``reception_flow.handle_hl7v2`` under the system actor ``mllp:<MSH-3>``.
"""

from __future__ import annotations

import asyncio
import logging

from identito.bootstrap import Container
from identito.domain.permissions import Actor, Role, role_permissions
from identito.entrypoints.reception_flow import handle_hl7v2
from identito.messages.hl7v2_reception import read_header

START, END = b"\x0b", b"\x1c\x0d"
MAX_MESSAGE = 1_000_000
logger = logging.getLogger(__name__)


def frame(text: str) -> bytes:
    return START + text.encode("utf-8") + END


def decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("iso-8859-15")


def _actor(text: str) -> Actor:
    sender = read_header(text).application or "inconnu"
    return Actor(f"mllp:{sender}", Role.ADMIN, role_permissions(Role.ADMIN))


async def _connection(
    container: Container, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                await reader.readuntil(START)
                payload = await reader.readuntil(END)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
            text = decode(payload[: -len(END)])
            answer = await asyncio.to_thread(
                handle_hl7v2, text, container=container, actor=_actor(text)
            )
            writer.write(frame(answer.ack))
            await writer.drain()
    finally:
        writer.close()


async def start_server(container: Container, host: str, port: int) -> asyncio.Server:
    return await asyncio.start_server(
        lambda r, w: _connection(container, r, w), host, port, limit=MAX_MESSAGE
    )


async def serve_forever(container: Container, host: str, port: int) -> None:
    server = await start_server(container, host, port)
    async with server:
        await server.serve_forever()
