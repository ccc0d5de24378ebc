"""An asyncio MLLP listener: frames ``0x0b`` message ``0x1c 0x0d``, one ACK per message.

Each message is handled in a worker thread (database and INSi calls are blocking)
by ``reception_flow.handle_hl7v2`` under the interface account of the connection:
the one declared for its address and, over TLS (``mllp_tls_*`` settings,
``mllp_tls``), its client certificate, and for the message's MSH-3/MSH-4. Any other
sender gets a NACK ``AR``, audited, nothing stored, and the connection is closed;
a TLS handshake refused (no client certificate, or one the CA did not sign) is
audited and closed (no message could be read to answer).

Bounded per connection (settings): a message above ``hl7_max_message_bytes`` is
read to its end but only its start is kept, and it gets a NACK ``AR``; a connection
that sends no message start for ``mllp_idle_timeout_seconds`` is closed, and so is
one whose message does not arrive whole within ``mllp_message_timeout_seconds``
after its start byte (slow senders, "slow loris"); at most ``mllp_max_connections``
connections are open at once. A copy of a message already answered gets the same
ACK (``services.reception_acks``).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass

from identito.bootstrap import Container
from identito.domain.interface_accounts import Peer
from identito.entrypoints.mllp_tls import peer_address, peer_of, tls_context
from identito.entrypoints.reception_flow import handle_hl7v2
from identito.messages.hl7v2_limits import TRACE_CHARS
from identito.services.sender_checks import refuse_handshake

START, END = b"\x0b", b"\x1c\x0d"
CHUNK = 65_536
logger = logging.getLogger(__name__)


def frame(text: str) -> bytes:
    return START + text.encode("utf-8") + END


def decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("iso-8859-15")


@dataclass(frozen=True)
class Framed:
    """One message: its bytes, or only their start when ``size`` is above the limit."""

    payload: bytes
    size: int


class Framer:
    """Reads MLLP frames from a stream holding at most ``max_bytes`` (+ one chunk) in memory."""

    def __init__(self, reader: asyncio.StreamReader, max_bytes: int) -> None:
        self.reader, self.max_bytes = reader, max_bytes
        self.buffer = bytearray()

    async def _fill(self) -> bool:
        chunk = await self.reader.read(CHUNK)
        self.buffer += chunk
        return bool(chunk)

    async def start(self) -> bool:
        """Skip to the next start byte; False at the end of the stream."""
        while (index := self.buffer.find(START)) < 0:
            self.buffer.clear()
            if not await self._fill():
                return False
        del self.buffer[: index + 1]
        return True

    async def message(self) -> Framed | None:
        """The message after a start byte; None when the stream ends before its end."""
        kept, size = bytearray(), 0
        while (index := self.buffer.find(END)) < 0:
            taken = max(len(self.buffer) - 1, 0)  # the last byte may start the end marker
            size += taken
            kept += self.buffer[: min(taken, max(self.max_bytes + 1 - len(kept), 0))]
            del self.buffer[:taken]
            if not await self._fill():
                return None
        size += index
        kept += self.buffer[: min(index, max(self.max_bytes + 1 - len(kept), 0))]
        del self.buffer[: index + len(END)]
        start = min(TRACE_CHARS, self.max_bytes)
        payload = bytes(kept) if size <= self.max_bytes else bytes(kept[:start])
        return Framed(payload, size)


async def _exchange(
    container: Container, framer: Framer, writer: asyncio.StreamWriter, peer: Peer
) -> bool:
    """Read one message and answer it; False when the connection is to be closed."""
    settings = container.settings
    async with asyncio.timeout(settings.mllp_idle_timeout_seconds):
        if not await framer.start():
            return False
    async with asyncio.timeout(settings.mllp_message_timeout_seconds):
        framed = await framer.message()
    if framed is None:
        return False
    text = decode(framed.payload)
    answer = await asyncio.to_thread(
        handle_hl7v2, text, container=container, peer=peer, size=framed.size
    )
    writer.write(frame(answer.ack))
    async with asyncio.timeout(settings.mllp_message_timeout_seconds):
        await writer.drain()
    return not answer.refused  # a refused sender's connection is closed after its NACK


async def _connection(
    container: Container,
    tls: ssl.SSLContext | None,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    framer = Framer(reader, container.settings.hl7_max_message_bytes)
    try:
        peer = await _handshake(container, tls, writer)
        while peer is not None and await _exchange(container, framer, writer, peer):
            pass
    except TimeoutError:
        logger.info("MLLP: connection %s closed (idle or too slow)", _peer(writer))
    except (ConnectionError, ssl.SSLError):
        logger.info("MLLP: connection %s lost", _peer(writer))
    finally:
        writer.close()


async def _handshake(
    container: Container, context: ssl.SSLContext | None, writer: asyncio.StreamWriter
) -> Peer | None:
    """The peer, after the TLS handshake when TLS is configured; None when it failed."""
    if context is None:
        return peer_of(writer)
    try:
        async with asyncio.timeout(container.settings.mllp_message_timeout_seconds):
            await writer.start_tls(context)
    except ssl.SSLError as error:
        refused = await asyncio.to_thread(
            refuse_handshake, Peer(peer_address(writer)), error.reason or str(error),
            uow=container.uow_factory(), rules=container.rules,
        )  # fmt: skip
        logger.warning("MLLP: %s", refused.message)
        return None
    return peer_of(writer)


def _peer(writer: asyncio.StreamWriter) -> str:
    return str(writer.get_extra_info("peername"))


async def start_server(container: Container, host: str, port: int) -> asyncio.Server:
    """The listener; TLS (``mllp_tls_*`` settings, read once) is negotiated by each
    connection after its accept, so that a refused handshake can be audited. Past
    ``mllp_max_connections`` open connections, a new one is closed at once (logged), so
    that a flood of idle connections cannot exhaust the process."""
    tls = tls_context(container.settings)
    limit, open_connections = container.settings.mllp_max_connections, 0

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_connections
        if open_connections >= limit:
            logger.warning("MLLP: connection %s refused (%d open, the limit)", _peer(writer), limit)
            writer.close()
            return
        open_connections += 1
        try:
            await _connection(container, tls, reader, writer)
        finally:
            open_connections -= 1

    return await asyncio.start_server(accept, host, port)


def sender_notice(container: Container) -> str:
    """What the operator must know of the declared senders when the listener starts."""
    settings = container.settings
    with container.uow_factory() as uow:
        declared = [a for a in uow.interface_accounts.list() if a.active and a.over_mllp]
    tls = "TLS" if settings.mllp_tls_certificate else "TCP sans TLS"
    if settings.mllp_tls_ca is not None:
        ignored = " ; IDENTITO_MLLP_TLS_CA ignoré sans IDENTITO_MLLP_TLS_CERTIFICATE"
        tls += ", certificat client exigé" if settings.mllp_tls_certificate else ignored
    notice = f"{len(declared)} compte(s) d'interface déclaré(s) pour MLLP ({tls})."
    if not settings.mllp_require_declared_senders:
        return notice + (
            " ATTENTION : IDENTITO_MLLP_REQUIRE_DECLARED_SENDERS=false, les émetteurs non "
            "déclarés sont acceptés (sous mllp:<adresse>) : déclarez-les (identito senders add)."
        )
    if not declared:
        return notice + " Tout message sera refusé (AR) : déclarez les émetteurs."
    return notice


async def serve_forever(container: Container, host: str, port: int) -> None:
    logger.info("MLLP: %s", sender_notice(container))
    server = await start_server(container, host, port)
    async with server:
        await server.serve_forever()
