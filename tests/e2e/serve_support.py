"""``identito serve`` for real: a subprocess on a free port, its standard error kept.

``Served`` starts the command with the environment given (nothing else of the
caller's ``IDENTITO_*``), waits for ``/api/v1/health`` (or for the process to end, for
a refusal) and stops it with SIGTERM; ``output`` is everything it printed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

IDENTITO = Path(sys.executable).with_name("identito")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(**identito: str) -> dict[str, str]:
    """The caller's environment without its ``IDENTITO_*``, plus ``identito`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDENTITO_")}
    env.update({f"IDENTITO_{k.upper()}": v for k, v in identito.items()})
    return env


class Served:
    def __init__(self, directory: Path, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"serve-{self.port}.log"
        command = [str(IDENTITO), "serve", "--port", str(self.port), "--no-scheduler", *args]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=directory
            )

    def wait_started(self, timeout: float = 30) -> bool:
        """True once the server answers; False when the command ended (a refusal)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"identito serve neither started nor ended:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.output()

    def __enter__(self) -> Served:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
