"""HL7 v2 receivers: MLLP over TCP, or files in a directory (``IDENTITO_HL7_RECEIVERS``).

MLLP frames a message as ``0x0B <message> 0x1C 0x0D`` and waits for the framed
acknowledgement; ``AA`` / ``CA`` accept it, anything else is a ``DeliveryFailed``.
A receiver spelled ``mllp://host:port`` or ``host:port`` is MLLP; ``file:///dir``
or a path is a directory where each message is written as ``<time>-<n>.hl7``.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from identito.services.propagation import DeliveryFailed, MessageReceiver

START, END = b"\x0b", b"\x1c\x0d"
ACCEPTED = ("AA", "CA")


def ack_code(message: bytes) -> str | None:
    """``MSA-1`` of an acknowledgement (``AA``, ``AE``, ``AR``, ``CA``...), or None."""
    text = message.decode("utf-8", errors="replace")
    for segment in text.replace("\n", "\r").split("\r"):
        if segment.startswith("MSA|"):
            return segment.split("|")[1] or None
    return None


def frame(message: bytes) -> bytes:
    return START + message + END


class MllpReceiver:
    def __init__(self, host: str, port: int, *, timeout: float = 10.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.name = f"mllp://{host}:{port}"

    def send(self, message: bytes) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(frame(message))
                answer = self._read_frame(sock)
        except OSError as error:
            raise DeliveryFailed(f"{self.name} injoignable : {error}") from None
        code = ack_code(answer)
        if code not in ACCEPTED:
            raise DeliveryFailed(f"{self.name} a refusé le message (MSA-1 = {code}).")

    def _read_frame(self, sock: socket.socket) -> bytes:
        data = b""
        while END not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise DeliveryFailed(f"{self.name} a fermé la connexion sans acquittement.")
            data += chunk
        return data[data.find(START) + 1 : data.find(END)]


class DirectoryReceiver:
    _serial = itertools.count(1)

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.name = f"file://{directory}"

    def send(self, message: bytes) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{next(self._serial):06d}.hl7"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(message)
        except OSError as error:
            raise DeliveryFailed(f"{self.name} : écriture impossible ({error}).") from None


def receiver_for(spec: str) -> MessageReceiver:
    spec = spec.strip()
    if spec.startswith("file://"):
        return DirectoryReceiver(Path(spec.removeprefix("file://")))
    address = spec.removeprefix("mllp://")
    host, sep, port = address.rpartition(":")
    if sep and port.isdigit() and "/" not in address:
        return MllpReceiver(host or "127.0.0.1", int(port))
    return DirectoryReceiver(Path(spec))


def receivers_for(specs: Iterable[str]) -> list[MessageReceiver]:
    return [receiver_for(spec) for spec in specs if spec.strip()]
