"""INSi client overhead per call, and recovery calls per second over mutual TLS.

1. Overhead: build the envelope (and sign the PS assertion in the card mode) and
   parse the answer, with a transport that returns a canned answer (no network).
2. Throughput: recovery calls through ``SoapTeleservice`` against the simulator's
   HTTPS server (mutual TLS, keep-alive), run in a separate process.

Targets (issue 4): overhead <= 2 ms per call, >= 200 calls/s.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from bench.common import percentiles, write_result
from identito.adapters.insi.client import InsiClient, SoapTeleservice
from identito.adapters.insi.envelope import SoftwareContext
from identito.adapters.insi.saml import Professional, PsAssertionSigner
from identito.adapters.insi.simulator.certs import ensure_certificates
from identito.adapters.insi.simulator.population import synthetic_persons
from identito.adapters.insi.simulator.server import client_environment
from identito.adapters.insi.transport import RawAnswer
from identito.config import Settings
from identito.services.teleservice import (
    Authentication,
    CallContext,
    InsiOutcome,
    TraitsQuery,
)

TARGETS = {"overhead_p50_ms": 2.0, "recovery_calls_per_second": 200}
SAMPLE = Path(__file__).resolve().parents[1] / "src/identito/adapters/insi/simulator/data/samples"
SOFTWARE = SoftwareContext("CNDA-BENCH", "identito", "0.1.0", "bench", "751234567")
QUERY = TraitsQuery("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14")


class CannedTransport:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def post(self, request: bytes, *, action: str, authentication: Authentication) -> RawAnswer:
        return RawAnswer(200, self.body)


def overhead(calls: int, certs_dir: Path) -> dict[str, Any]:
    certs = ensure_certificates(certs_dir)
    signer = PsAssertionSigner.from_files(certs.cert("ps-card"), certs.key("ps-card"))
    client = InsiClient(
        CannedTransport((SAMPLE / "TEST_2.04_cas2.xml").read_bytes()),
        SOFTWARE,
        url="https://insi.test/lps",
        professional=Professional("899700000001", "751234567", "01", "SA07"),
        signer=signer,
    )
    results = {}
    for name, context in (
        ("organisation_certificate", CallContext("bench")),
        (
            "professional_card_signed",
            CallContext("bench", authentication=Authentication.PROFESSIONAL_CARD),
        ),
    ):
        for _ in range(50):  # warm-up
            client.recover_with_traits(QUERY, context)
        samples = []
        for _ in range(calls):
            started = time.perf_counter()
            client.recover_with_traits(QUERY, context)
            samples.append((time.perf_counter() - started) * 1000)
        results[name] = percentiles(samples)
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_simulator(certs_dir: Path, population: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "identito"),
        "insi-simulator",
        f"--port={port}",
        f"--population={population}",
        f"--certs-dir={certs_dir}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "stopped")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"https://127.0.0.1:{port}/lps"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the simulator did not start")


def _queries(count: int, population: int) -> list[TraitsQuery]:
    rng = random.Random(2026)
    persons = list(islice(synthetic_persons(population, seed=2026), population))
    picked = [persons[rng.randrange(len(persons))] for _ in range(count)]
    return [
        TraitsQuery(p.birth_name, p.birth_first_names.split(" ")[:1], p.sex, p.birth_date)
        for p in picked
    ]


def throughput(calls: int, population: int, threads: int, certs_dir: Path) -> dict[str, Any]:
    process, url = _start_simulator(certs_dir, population)
    try:
        certs = ensure_certificates(certs_dir)
        environment = client_environment(certs, url)
        settings = Settings(
            **{k.removeprefix("IDENTITO_").lower(): v for k, v in environment.items()}
        )
        client = SoapTeleservice.from_settings(settings)
        queries = _queries(calls, population)
        context = CallContext("bench")
        client.recover_with_traits(queries[0], context)  # TLS handshake, warm-up
        outcomes: dict[str, int] = {}
        latencies: list[float] = []

        def one(query: TraitsQuery) -> None:
            started = time.perf_counter()
            outcome = client.recover_with_traits(query, context).outcome
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes[outcome.value] = outcomes.get(outcome.value, 0) + 1

        started = time.perf_counter()
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(one, queries))
        else:
            for query in queries:
                one(query)
        elapsed = time.perf_counter() - started
        client.close()
        assert outcomes.get(InsiOutcome.FOUND.value, 0) > 0
        return {
            "calls": calls,
            "threads": threads,
            "population": population,
            "calls_per_second": round(calls / elapsed, 1),
            "latency": percentiles(latencies),
            "outcomes": outcomes,
        }
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--overhead-calls", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--population", type=int, default=10_000)
    parser.add_argument("--threads", default="1,4", help="client threads, comma-separated")
    parser.add_argument("--name", default="insi")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="identito-insi-bench-") as folder:
        certs_dir = Path(folder) / "certs"
        cost = overhead(args.overhead_calls, certs_dir)
        for mode, figures in cost.items():
            print(f"overhead {mode}: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms")
        runs = []
        for threads in (int(t) for t in args.threads.split(",")):
            run = throughput(args.calls, args.population, threads, certs_dir)
            print(
                f"recovery over mTLS, {threads} thread(s): {run['calls_per_second']} calls/s, "
                f"p50 {run['latency']['p50_ms']} ms, p99 {run['latency']['p99_ms']} ms"
            )
            runs.append(run)
    path = write_result(args.name, {"targets": TARGETS, "overhead": cost, "throughput": runs})
    print(f"written to {path} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
