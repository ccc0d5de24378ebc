"""HL7 v2.5 PAM FR messages: read back by hl7apy, compared with the ANS examples."""

from __future__ import annotations

import os

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message, parse_segment

from diffusion_cases import CASES, CONTEXT, GOLDEN, INS_NIR, REFERENCE_DIR, view
from identito.domain.identifiers import Ins, Oid
from identito.messages import hl7v2

ANS = REFERENCE_DIR / "hl7v2-pam-fr" / "ans-sgl-admission-ADT_A01.er7"


def _segments(text: str) -> dict[str, list[str]]:
    return {s.split("|")[0]: s.split("|") for s in text.strip("\r\n").split("\r") if s}


def _strict(text: str) -> None:
    """Standard segments strictly with hl7apy (2.5); the Z segment by its own layout."""
    standard = "\r".join(s for s in text.strip("\r").split("\r") if not s.startswith("Z"))
    message = parse_message(standard, validation_level=VALIDATION_LEVEL.STRICT)
    assert message.validate()
    for segment in standard.split("\r"):
        parse_segment(segment, version="2.5", validation_level=VALIDATION_LEVEL.STRICT)


@pytest.mark.parametrize("case", CASES)
def test_each_golden_a31_is_a_valid_adt_a05_for_hl7apy(case: str) -> None:
    text = (GOLDEN / f"{case}.hl7").read_bytes().decode("utf-8")
    _strict(text)
    zfd = _segments(text)["ZFD"]
    assert zfd[4] in ("Y", "N") and len(zfd) <= 9


def test_the_pid_encodes_the_ins_as_the_ans_example_does() -> None:
    ours = _segments(hl7v2.person(view("qual-test-oid"), CONTEXT).text)
    ans = _segments(ANS.read_bytes().decode("utf-8").replace("\n", "\r"))
    ans_ins = ans["PID"][3].split("~")[1].split("^")
    our_ins = ours["PID"][3].split("~")[1].split("^")
    assert our_ins[:5] == ans_ins[:5]  # CX-1..5 identical (CX-7 left empty, PAM FR §6.6.1)
    assert ours["PID"][5].split("^")[:2] == ans["PID"][5].split("^")[:2]
    assert (ours["PID"][7], ours["PID"][8], ours["PID"][32]) == ("19790328", "F", "VALI")
    assert ours["PID"][11].split("~")[-1].split("^")[6] == "BDL"
    for field in (12, 17, 18, 19, 21):  # version, country, charset, language, profile
        assert ours["MSH"][field - 1] == ans["MSH"][field - 1]


def test_used_name_goes_first_as_d_and_birth_name_as_l_with_the_first_name_list() -> None:
    pid = _segments(hl7v2.person(view("qual"), CONTEXT).text)["PID"]
    assert pid[5] == "MARTIN^^^^^^D~PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE-LOUISE^^^^L"


@pytest.mark.parametrize(
    ("case", "pid32", "has_ins"),
    [
        ("qual", "VALI", True),
        ("vali-homonym", "VALI~HOMA", False),
        ("recup", "PROV", False),
        ("prov", "PROV", False),
        ("exceptional-date", "VALI", False),
    ],
)
def test_pid32_follows_r_st_09_and_the_ins_goes_only_with_qual(
    case: str, pid32: str, has_ins: bool
) -> None:
    pid = _segments(hl7v2.person(view(case), CONTEXT).text)["PID"]
    assert pid[32] == pid32
    assert ("^INS" in pid[3]) is has_ins


def test_an_exceptional_date_is_completed_in_pid7_and_flagged_in_zfd4() -> None:
    segments = _segments(hl7v2.person(view("exceptional-date"), CONTEXT).text)
    assert segments["PID"][7] == "19791231"
    assert segments["ZFD"][4] == "Y"


def test_zfd_carries_method_insi_date_document_and_expiry() -> None:
    zfd = _segments(hl7v2.person(view("qual"), CONTEXT).text)["ZFD"]
    assert zfd[5:9] == ["INSI", "20260316", "CN", "20310101"]


def test_a47_removal_sends_the_old_ins_in_mrg_and_an_empty_ins_in_pid3() -> None:
    message = hl7v2.ins_change(view("recup"), INS_NIR, CONTEXT)
    _strict(message.text)
    segments = _segments(message.text)
    assert segments["MSH"][8] == "ADT^A47^ADT_A30"
    assert segments["PID"][3].endswith('~""^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS')
    assert segments["MRG"][1] == "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
    assert segments["PID"][32] == "PROV"


def test_a40_merge_names_the_merged_record_in_mrg() -> None:
    message = hl7v2.merge(view("qual"), "merged-ipp", CONTEXT)
    _strict(message.text)
    assert _segments(message.text)["MRG"][1] == "merged-ipp^^^CHU-X&2.25.1234&ISO^PI"


def test_a28_is_the_creation_event_of_the_same_structure() -> None:
    message = hl7v2.person(view("prov"), CONTEXT, hl7v2.Event.A28)
    _strict(message.text)
    assert _segments(message.text)["MSH"][8] == "ADT^A28^ADT_A05"


def test_propagation_sends_a47_when_a_diffused_ins_goes_and_a31_when_the_status_moves() -> None:
    assert [m.event for m in hl7v2.propagation(view("recup"), INS_NIR, ["VALI"], CONTEXT)] == [
        hl7v2.Event.A47
    ]
    events = hl7v2.propagation(view("prov"), None, ["VALI"], CONTEXT)
    assert [m.event for m in events] == [hl7v2.Event.A31]
    assert hl7v2.propagation(view("prov"), None, ["PROV"], CONTEXT) == []
    appeared = hl7v2.propagation(view("qual"), None, ["VALI"], CONTEXT)
    assert [m.event for m in appeared] == [hl7v2.Event.A31]


def test_text_is_escaped_and_acks_are_read() -> None:
    assert hl7v2.escape("A|B^C&D~E\\") == "A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\"
    from identito.adapters.hl7_delivery import ack_code, receiver_for

    assert ack_code(b"MSH|^~\\&|X\rMSA|AA|MSG0001\r") == "AA"
    assert ack_code(b"MSH|^~\\&|X\r") is None
    assert receiver_for("mllp://127.0.0.1:2575").name == "mllp://127.0.0.1:2575"
    assert receiver_for("10.0.0.1:2575").name == "mllp://10.0.0.1:2575"
    assert receiver_for("/var/hl7").name == "file:///var/hl7"


def test_a_nia_replaced_by_a_nir_is_sent_as_an_a31_carrying_both() -> None:
    """PAM FR §4.4.1: NIA -> NIR is an A31 (both identifiers, the receiver keeps the NIR)."""
    nia = Ins.parse("279037599900168", Oid.NIA.value)  # synthetic NIA, valid key
    (message,) = hl7v2.propagation(view("qual"), nia, ["VALI"], CONTEXT)
    assert message.event is hl7v2.Event.A31
    _strict(message.text)
    identifiers = _segments(message.text)["PID"][3].split("~")
    assert [cx.split("^")[3].split("&")[1] for cx in identifiers[1:]] == [
        "1.2.250.1.213.1.4.8",
        "1.2.250.1.213.1.4.9",
    ]
    assert "MRG" not in _segments(message.text)
    golden = GOLDEN / "nia-to-nir.a31.hl7"
    if os.environ.get("IDENTITO_UPDATE_GOLDEN") == "1":
        golden.write_bytes(message.encode())
    assert message.encode() == golden.read_bytes()


def test_a_nir_replaced_by_another_nir_is_still_an_a47() -> None:
    from diffusion_cases import INS_CORSICA

    (message,) = hl7v2.propagation(view("qual"), INS_CORSICA, ["VALI"], CONTEXT)
    assert message.event is hl7v2.Event.A47


def test_an_identity_received_from_another_domain_carries_recd_in_pid_32() -> None:
    from dataclasses import replace

    received = replace(view("prov"), received_from_other_domain=True)
    pid = _segments(hl7v2.person(received, CONTEXT).text)["PID"]
    assert pid[32] == "PROV~RECD"
