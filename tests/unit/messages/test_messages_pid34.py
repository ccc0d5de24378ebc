"""R-LK-03 (IHE PAM §6.6.16): PID-34 Last Update Facility, the modifying entity of a
hospital group, in every HL7 v2 message identito emits, and read on reception."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from diffusion_cases import CONTEXT, INS_NIA, INS_NIR, view
from identito.domain.facility import ModifyingEntity
from identito.messages import hl7v2
from identito.messages.hl7v2_reception import parse_adt
from identito.services.propagation import Propagation, PropagationKind
from reference import INTEROP

PID34 = "CHU-X^350000121^M"


def _pid(text: str) -> list[str]:
    (pid,) = [s for s in text.split("\r") if s.startswith("PID|")]
    return pid.split("|")


def _every_message() -> list[hl7v2.Hl7Message]:
    qual, other = view("qual"), view("vali-homonym")
    return [
        hl7v2.person(qual, CONTEXT, hl7v2.Event.A28),
        hl7v2.person(qual, CONTEXT, hl7v2.Event.A31),
        hl7v2.ins_change(view("prov"), INS_NIR, CONTEXT),
        hl7v2.nia_to_nir(qual, INS_NIA, CONTEXT),
        hl7v2.merge(qual, other.identity_id, CONTEXT),
        *hl7v2.unmerge(other, qual, CONTEXT),
    ]


def test_every_emitted_message_carries_the_modifying_entity_in_pid_34() -> None:
    messages = _every_message()
    assert {m.event for m in messages} == set(hl7v2.Event)
    for message in messages:
        assert _pid(message.text)[34] == PID34, message.event


def test_every_outbox_kind_carries_pid_34() -> None:
    qual = view("qual")
    requests = [
        Propagation(PropagationKind.MERGE, qual, merged_id=view("prov").identity_id),
        Propagation(PropagationKind.UNMERGE, qual, restored=view("prov")),
        Propagation(PropagationKind.CHANGE, view("prov"), previous_ins=INS_NIR),  # A47
        Propagation(PropagationKind.CHANGE, qual, previous_codes=("PROV",)),  # A31
    ]
    events = []
    for request in requests:
        for outgoing in hl7v2.propagation_messages(request, CONTEXT):
            assert _pid(outgoing.content.decode())[34] == PID34
            events.append(outgoing.event)
    assert events == ["A40", "A28", "A31", "A47", "A31"]


def test_without_a_finess_pid_34_carries_the_escaped_name_alone() -> None:
    context = replace(CONTEXT, facility_name="CH A&B", facility_finess="")
    assert _pid(hl7v2.person(view("qual"), context).text)[34] == "CH A\\T\\B"


def test_hl7apy_reads_pid_34_as_an_hd_with_the_finess() -> None:
    text = hl7v2.person(view("qual"), CONTEXT).text
    standard = "\r".join(s for s in text.strip("\r").split("\r") if not s.startswith("Z"))
    message = parse_message(standard, validation_level=VALIDATION_LEVEL.STRICT)
    hd = message.pid.pid_34
    assert (hd.hd_1.value, hd.hd_2.value, hd.hd_3.value) == ("CHU-X", "350000121", "M")


def test_the_reception_reads_back_the_modifying_entity_identito_emits() -> None:
    reception = parse_adt(hl7v2.person(view("qual"), CONTEXT).text)
    assert reception.identity is not None
    assert reception.identity.modifying_entity == ModifyingEntity("CHU-X", "350000121")


@pytest.mark.parametrize(
    ("pid34", "entity"),
    [
        ("", None),
        ("CH-Y", ModifyingEntity("CH-Y", None)),
        ("^2A0000017^M", ModifyingEntity(None, "2A0000017")),
        ("CH-Y^1.2.250.1.71.4.2.2^ISO", ModifyingEntity("CH-Y", None)),  # an OID: not a FINESS
    ],
    ids=["absent", "name", "finess", "oid left aside"],
)
def test_the_reception_keeps_a_name_and_a_finess_shaped_universal_id(
    pid34: str, entity: ModifyingEntity | None
) -> None:
    text = hl7v2.person(view("prov"), replace(CONTEXT, facility_finess="")).text
    fields = _pid(text)
    fields[34:] = [pid34]
    pid = "|".join(fields)
    text = "\r".join(pid if s.startswith("PID|") else s for s in text.split("\r"))
    reception = parse_adt(text)
    assert reception.identity is not None
    assert reception.identity.modifying_entity == entity


def test_the_ans_examples_carry_no_pid_34() -> None:
    text = (INTEROP / "hl7v2-pam-fr" / "ans-sgl-admission-ADT_A01.er7").read_text("utf-8")
    reception = parse_adt(text)
    assert reception.identity is not None and reception.identity.modifying_entity is None
