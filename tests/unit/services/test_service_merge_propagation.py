"""Propagation of merges and unmerges: outbox rows, A40, A28 + A31, audit (fakes)."""

from __future__ import annotations

import pytest

from diffusion_cases import CASES
from fakes import FakeUnitOfWork, actor_with_role
from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.messages import hl7v2
from identito.services import propagation
from identito.services.merges import merge_identities, unmerge
from identito.services.rules import Rules

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMIN = actor_with_role(Role.ADMIN)


class _Receiver:
    name = "memoire"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: bytes) -> None:
        self.sent.append(message.decode("utf-8"))


def _segments(text: str) -> dict[str, list[str]]:
    return {s.split("|")[0]: s.split("|") for s in text.strip("\r").split("\r")}


def _store(uow: FakeUnitOfWork, *cases: str) -> list[Identity]:
    identities = [CASES[case]() for case in cases]
    for identity in identities:
        uow.identities.committed[identity.id] = identity
    return identities


def _drain(uow: FakeUnitOfWork, rules: Rules) -> list[str]:
    receiver = _Receiver()
    report = propagation.send_outbox(uow=uow, actor=ADMIN, rules=rules, receivers=[receiver],
                                     build=hl7v2.propagation_messages)  # fmt: skip
    assert report.failures == []
    return receiver.sent


def test_a_merge_queues_one_outbox_row_on_the_survivor_naming_the_merged_identity(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    survivor, merged = _store(uow, "qual", "prov")
    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    (row,) = uow.outbox.unsent()
    assert (row["identity_id"], row["action"]) == (survivor.id, AuditAction.IDENTITY_MERGED)
    assert row["payload"]["details"] == {"merge_id": str(record.id), "merged_id": str(merged.id)}


def test_the_drain_sends_an_a40_with_the_survivor_pid_and_the_merged_ipp_in_mrg_1(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    survivor, merged = _store(uow, "qual", "prov")
    merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    (message,) = _drain(uow, rules)

    segments = _segments(message)
    assert segments["MSH"][8] == "ADT^A40^ADT_A39"
    assert segments["PID"][3].startswith(f"{survivor.id}^^^")
    assert segments["MRG"][1] == f"{merged.id}^^^{rules.facility_name}&{rules.facility_oid}&ISO^PI"
    assert uow.outbox.unsent() == []


def test_the_a40_carries_the_ins_in_pid_3_only_when_the_survivor_is_qualified(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    qualified, retrieved, first, second = _store(uow, "qual", "recup", "prov", "vali-homonym")
    merge_identities(qualified.id, first.id, uow=uow, actor=VIGILANCE, rules=rules)
    merge_identities(retrieved.id, second.id, uow=uow, actor=VIGILANCE, rules=rules)

    to_qualified, to_retrieved = (_segments(m)["PID"][3] for m in _drain(uow, rules))

    assert "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS" in to_qualified
    assert "^INS" not in to_retrieved
    assert _drain(uow, rules) == []  # both rows marked sent


def test_the_a40_is_audited_as_a_diffusion_of_the_survivor(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    survivor, merged = _store(uow, "qual", "prov")
    merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    _drain(uow, rules)

    (entry,) = [e for e in uow.audit.entries if e.action == AuditAction.IDENTITY_DIFFUSED]
    assert (entry.identity_id, entry.details["event"]) == (survivor.id, "A40")
    assert entry.details["ins"] == {"number": "279035121518989", "oid": "1.2.250.1.213.1.4.8"}


def test_an_unmerge_sends_an_a28_of_the_restored_identity_then_an_a31_of_the_survivor(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    survivor, merged = _store(uow, "qual", "prov")
    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    _drain(uow, rules)
    unmerge(record.id, uow=uow, actor=VIGILANCE, rules=rules)

    a28, a31 = (_segments(m) for m in _drain(uow, rules))

    assert a28["MSH"][8] == "ADT^A28^ADT_A05" and a28["PID"][3].startswith(f"{merged.id}^^^")
    assert a31["MSH"][8] == "ADT^A31^ADT_A05" and a31["PID"][3].startswith(f"{survivor.id}^^^")
    assert "MRG" not in a28 and "MRG" not in a31


def test_each_message_of_an_unmerge_is_audited_on_the_identity_it_carries(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    survivor, merged = _store(uow, "qual", "prov")
    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    unmerge(record.id, uow=uow, actor=VIGILANCE, rules=rules)
    _drain(uow, rules)

    sent = [(e.identity_id, e.details["event"]) for e in uow.audit.entries
            if e.action == AuditAction.IDENTITY_DIFFUSED]  # fmt: skip
    assert sent == [(survivor.id, "A40"), (merged.id, "A28"), (survivor.id, "A31")]


def test_the_merged_identity_event_itself_is_not_queued(uow: FakeUnitOfWork, rules: Rules) -> None:
    survivor, merged = _store(uow, "qual", "prov")
    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    unmerge(record.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert [r["identity_id"] for r in uow.outbox.unsent()] == [survivor.id, survivor.id]
    assert [r["action"] for r in uow.outbox.unsent()] == [
        AuditAction.IDENTITY_MERGED,
        AuditAction.IDENTITY_UNMERGED,
    ]


def test_a_refused_merge_queues_nothing(uow: FakeUnitOfWork, rules: Rules) -> None:
    survivor, merged = _store(uow, "prov", "qual")  # only the merged one carries an INS

    with pytest.raises(InvalidTransition):
        merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert uow.outbox.unsent() == []
