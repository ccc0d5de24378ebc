"""R-LK-02 (PAM FR table 0445): RECD then IDRA after the status and attributes, in HL7
PID-32 and FHIR identityStatus; the propagation compares them with the state before."""

from __future__ import annotations

from dataclasses import replace

from diffusion_cases import CONTEXT, view
from identito.messages import hl7v2
from identito.messages.common import status_codes
from identito.messages.fhir import patient_resource
from identito.messages.hl7v2_reception import parse_adt
from identito.services.propagation import previous_state


def _pid32(text: str) -> str:
    (pid,) = [s for s in text.split("\r") if s.startswith("PID|")]
    return pid.split("|")[32]


def test_idra_follows_the_status_the_attributes_and_recd() -> None:
    linked = replace(view("vali-homonym"), linked_in_other_domain=True)
    assert status_codes(linked) == ["VALI", "HOMA", "IDRA"]
    both = replace(view("prov"), received_from_other_domain=True, linked_in_other_domain=True)
    assert status_codes(both) == ["PROV", "RECD", "IDRA"]
    assert _pid32(hl7v2.person(both, CONTEXT).text) == "PROV~RECD~IDRA"


def test_fhir_identity_status_carries_idra() -> None:
    resource = patient_resource(replace(view("prov"), linked_in_other_domain=True), CONTEXT)
    codes = [
        sub["valueCoding"]["code"]
        for ext in resource["extension"]
        if ext["url"].endswith("fr-core-identity-reliability")
        for sub in ext["extension"]
        if sub["url"] == "identityStatus"
    ]
    assert codes == ["PROV", "IDRA"]


def test_a_new_idra_mark_is_propagated_as_an_a31() -> None:
    prov = view("prov")
    before = {"status": "PROV", "attributes": [], "birth_date": "1979-03-28", "ins": None}
    previous_ins, previous_codes = previous_state(before)
    assert previous_codes == ["PROV"]
    (message,) = hl7v2.propagation(
        replace(prov, linked_in_other_domain=True), previous_ins, previous_codes, CONTEXT
    )
    assert message.event is hl7v2.Event.A31 and _pid32(message.text) == "PROV~IDRA"
    _, marked = previous_state({**before, "linked_in_other_domain": True})
    assert marked == ["PROV", "IDRA"]


def test_each_senders_patient_id_is_a_pi_repetition_of_its_own_domain_after_the_ipp() -> None:
    import doctest

    from identito.domain import diffusion
    from identito.domain.diffusion import DomainIdentifier

    assert doctest.testmod(diffusion).failed == 0
    ids = (DomainIdentifier("GAM^CH-Y", "000123"), DomainIdentifier("DPI^", "A&B"))
    text = hl7v2.person(replace(view("qual"), domain_identifiers=ids), CONTEXT).text
    (pid,) = [s for s in text.split("\r") if s.startswith("PID|")]
    repetitions = pid.split("|")[3].split("~")
    assert repetitions[0].endswith("^PI") and "CHU-X&2.25.1234&ISO" in repetitions[0]
    assert repetitions[1:3] == ["000123^^^CH-Y^PI", "A\\T\\B^^^DPI^PI"]
    assert repetitions[3].endswith("^INS")
    reception = parse_adt(text)  # identito's own IPP stays the first PI read back
    assert reception.identity is not None
    assert reception.identity.local_id == str(view("qual").identity_id)


def test_recd_and_idra_received_in_pid_32_are_no_attributes() -> None:
    from identito.services.reception_checks import received_attributes

    both = replace(
        view("vali-homonym"), received_from_other_domain=True, linked_in_other_domain=True
    )
    reception = parse_adt(hl7v2.person(both, CONTEXT).text)
    assert reception.identity is not None
    assert reception.identity.attributes == ("HOMA", "RECD", "IDRA")
    assert {a.value for a in received_attributes(reception.identity.attributes)} == {"HOMA"}
