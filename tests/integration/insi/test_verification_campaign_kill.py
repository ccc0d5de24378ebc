"""A campaign killed with SIGKILL and restarted verifies each identity exactly once.

The campaign runs in a real ``identito verify campaign run`` process, against the
simulator's HTTPS server running in this test process (so that the batches it
holds outlive the killed client). The kill lands while batches are deposited and
not yet done; the restarted process must fetch them, never deposit them again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from identito.adapters.database import engine_for
from identito.adapters.insi.simulator.engine import SimulatorEngine
from identito.adapters.insi.simulator.server import RunningSimulator, client_environment
from identito.adapters.migrate import upgrade_database
from identito.adapters.orm import insi_calls, verification_items
from identito.adapters.unit_of_work import sql_uow_factory
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.trait_set import parse_traits
from identito.services.rules import Rules
from identito.services.verification_campaigns import create_campaign

ADMIN = Actor("admin", Role.ADMIN, role_permissions(Role.ADMIN))
COUNT = 240
BATCH = 20


class AnyPlace:
    def check_birth_place(self, code: str, on: date) -> str | None:
        return None


def _identities(engine: SimulatorEngine) -> list[Identity]:
    found = []
    for person in engine.base.persons:
        if person.oid != "1.2.250.1.213.1.4.8" or "00" in person.birth_date[5:]:
            continue
        names = person.birth_first_names.split(" ")
        raw = {
            "birth_name": person.birth_name,
            "birth_first_names": names,
            "first_birth_first_name": names[0],
            "birth_date": person.birth_date,
            "sex": person.sex,
            "birth_place_code": person.birth_place_code,
        }
        try:
            traits, warnings = parse_traits(raw, today=date(2026, 3, 1), places=AnyPlace())
            ins = Ins.parse(person.ins_number, person.oid)
        except Exception:  # a person outside the local rules: not needed here
            continue
        identity = Identity.create(traits, warnings, now=Rules(places=AnyPlace()).now())
        identity.record_ins_retrieval(ins, now=identity.created_at)  # type: ignore[arg-type]
        found.append(identity)
        if len(found) == COUNT:
            return found
    raise AssertionError("not enough synthetic persons")


def _count(url: str, *conditions: object) -> int:
    for _ in range(50):
        try:
            with engine_for(url).connect() as connection:
                query = select(func.count()).select_from(verification_items).where(*conditions)
                return int(connection.execute(query).scalar_one())
        except OperationalError:  # the writer holds the lock: read again
            time.sleep(0.05)
    raise AssertionError("database stayed locked")


def _wait(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _run(campaign_id: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    identito = Path(sys.executable).with_name("identito")
    command = [str(identito), "verify", "campaign", "run", campaign_id, "--poll", "0.05"]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_a_killed_campaign_resumes_and_verifies_each_identity_exactly_once(
    tmp_path: Path,
    engine: SimulatorEngine,
    server: RunningSimulator,
    simulator_certs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'identito.sqlite3'}"
    upgrade_database(url)
    uow = sql_uow_factory(url)()
    identities = _identities(engine)
    rules = Rules(places=AnyPlace())
    with uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(ADMIN, rules.now())
    campaign = create_campaign(
        name="Kill test", perimeter="query", query="with-ins", batch_size=BATCH,
        uow=uow, actor=ADMIN, rules=rules,
    )  # fmt: skip
    env = {
        **os.environ,
        **client_environment(simulator_certs, server.url),
        "IDENTITO_DATABASE_URL": url,
        "IDENTITO_INSI_TIMEOUT_SECONDS": "5",
        "IDENTITO_INSI_CNDA_AUTHORISATION": "CNDA-TEST-0001",
        "IDENTITO_INSI_BILLING_ID": "751234567",
        "IDENTITO_VERIFICATION_MAX_IN_FLIGHT": "3",
    }
    # The simulator answers the first three batches at once and holds every later one
    # "in progress" until the kill: deterministic, whatever the speed of the machine.
    submit, submitted, hold = engine._submit, [], {"on": True}

    def deposit(queries):  # type: ignore[no-untyped-def]
        engine.batch_polls = 10**9 if hold["on"] and len(submitted) >= 3 else 0
        answer = submit(queries)
        submitted.append(answer[1])
        return answer

    monkeypatch.setattr(engine, "_submit", deposit)
    first = _run(str(campaign.id), env, tmp_path / "first.log")
    try:
        _wait(lambda: _count(url, verification_items.c.state == "done") >= 3 * BATCH)
        _wait(lambda: _count(url, verification_items.c.state == "deposited") >= 3 * BATCH)
        time.sleep(0.3)  # the process now only polls its deposited batches
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    done_at_kill = _count(url, verification_items.c.state == "done")
    assert 0 < done_at_kill < COUNT
    assert _count(url, verification_items.c.state == "deposited") == 3 * BATCH
    hold["on"] = False
    engine.batch_polls = 0
    for batch_id in submitted:
        engine._batches[batch_id].polls_left = 0
    second = _run(str(campaign.id), env, tmp_path / "second.log")
    second.wait(120)
    output = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert second.returncode == 0, output
    assert "Reprise du passage" in output
    assert _count(url, verification_items.c.state == "done") == COUNT
    assert _count(url, verification_items.c.result == "OK") == COUNT
    # the simulator saw each matricule once: no batch was deposited twice
    new_batches = [engine._batches[batch_id] for batch_id in submitted]
    sent = Counter(r.ins_number for batch in new_batches for r in batch.results)
    assert len(sent) == COUNT and set(sent.values()) == {1}
    # and the trace agrees: the deposits add up to the identities, once each
    with engine_for(url).connect() as connection:
        queries = connection.execute(select(insi_calls.c.query)).scalars().all()
    deposited = sum(q["count"] for q in queries if q.get("operation") == "deposit")
    assert deposited == COUNT
