"""Identities whose matricules are read in the tests of issue 13 point 5, and the audit
rows a request wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api_support import Api, qualify
from sqlalchemy import select

from identito.adapters.database import engine_for
from identito.adapters.orm import audit_log
from identito.bootstrap import Container

SHOWS = "shows a matricule"
READ_ACTIONS = {"identity.read", "identity.diffused"}


@dataclass
class Seed:
    current: dict[str, Any]  # QUAL, with a matricule
    former: dict[str, Any]  # its matricule archived (DOUT): only a former one
    twin: dict[str, Any]  # a duplicate of ``current``, its INS verified KO by INSi
    numbers: dict[str, str]  # matricule -> id of the identity that holds or held it
    call_id: str
    review_id: str


def make_seed(container: Container, api: Api) -> Seed:
    """A QUAL identity, its duplicate (another matricule, verified KO: an INSi call and a
    worklist entry), and an identity whose matricule was archived (DOUT)."""
    current = qualify(container, api, api.create()["id"])
    twin = qualify(container, api, api.create()["id"])  # the same person, another matricule
    other = {"birth_name": "Oudinot", "birth_first_names": ["Cécile"]}
    former = qualify(container, api, api.create(**other, first_birth_first_name="Cécile")["id"])
    number = former["ins"]["number"]
    answer = api.post(f"/api/v1/identities/{former['id']}/attributes", json={"add": ["DOUT"]})
    assert answer.status_code == 200 and answer.json()["ins"] is None, answer.text
    verified = api.post(f"/api/v1/identities/{twin['id']}/insi/verify")  # KO: a worklist entry
    assert verified.status_code == 200, verified.text
    calls = api.get(f"/api/v1/identities/{twin['id']}/insi/calls").json()["items"]
    reviews = api.get("/api/v1/duplicates").json()["items"]
    numbers = {current["ins"]["number"]: current["id"], number: former["id"]}
    numbers[twin["ins"]["number"]] = twin["id"]
    return Seed(current, former, twin, numbers, calls[-1]["id"], reviews[0]["id"])


def shown_numbers(seed: Seed, text: str) -> dict[str, str]:
    """The seed's matricules in ``text`` (their 13 digits, spaced out or not) -> identity."""
    digits = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d)", "", text)
    return {n: identity for n, identity in seed.numbers.items() if n[:13] in digits}


def audit_rows(container: Container) -> dict[UUID, tuple[str, str, UUID | None]]:
    query = select(audit_log.c.id, audit_log.c.actor, audit_log.c.action, audit_log.c.identity_id)
    with engine_for(container.settings.database_url).connect() as connection:
        rows = connection.execute(query)
        return {row.id: (row.actor, row.action, row.identity_id) for row in rows}


def audited_reads(container: Container, before: dict[UUID, Any], actor: str) -> set[str]:
    """Identities of the read rows ``actor`` wrote since ``before``."""
    written = [row for key, row in audit_rows(container).items() if key not in before]
    return {str(i) for who, action, i in written if who == actor and action in READ_ACTIONS}


def assert_audited_if_shown(
    container: Container, seed: Seed, before: dict[UUID, Any], text: str, expected: str
) -> None:
    """Every seeded identity whose matricule ``text`` shows has a read row by ``admin``
    since ``before``; ``expected`` (SHOWS or a reason) must tell whether one is shown."""
    shown = shown_numbers(seed, text)
    assert set(shown.values()) <= audited_reads(container, before, "admin"), shown
    if expected == SHOWS:
        assert shown, "no matricule shown: the table is wrong"
    else:
        assert not shown, f"a matricule is shown: mark it {SHOWS!r}"
