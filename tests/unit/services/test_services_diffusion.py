"""Diffusion use cases on the fakes: exports are traced, the rule is applied once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from diffusion_cases import CASES
from fakes import NOW, FakeUnitOfWork, actor_with_role
from identito.domain.diffusion import ExportFormat, NotDiffusable, ScannedIns, WithheldReason
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.insi import CollectionMethod, InsiAnswer
from identito.domain.permissions import Actor, Permission, Role
from identito.domain.status import IdentityAttribute
from identito.messages import hl7v2
from identito.messages.exports import RENDERERS
from identito.services import diffusion, propagation
from identito.services.identities import create_identity
from identito.services.rules import Rules
from identito.services.scheduler import OUTBOX_LEASE, outbox_tick
from identito.services.unit_of_work import AuditEntry

ADMISSION = actor_with_role(Role.ADMISSION)
ADMIN = actor_with_role(Role.ADMIN)


def _answer() -> InsiAnswer:
    return InsiAnswer("PAT-TROIS", "DOMINIQUE", "F", "1979-03-28", "51215",
                      "279035121518989", "1.2.250.1.213.1.4.10")  # fmt: skip


def _stored(uow: FakeUnitOfWork, case: str) -> str:
    identity = CASES[case]()
    uow.identities.committed[identity.id] = identity
    return str(identity.id)


def _diffusions(uow: FakeUnitOfWork) -> list[AuditEntry]:
    return [e for e in uow.audit.entries if e.action == AuditAction.IDENTITY_DIFFUSED]


def test_an_export_returns_bytes_and_media_type_and_writes_one_audit_row(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = _stored(uow, "qual")
    export = diffusion.export_identity(
        CASES["qual"]().id, ExportFormat.HL7V2, uow=uow, actor=ADMISSION, rules=rules,
        renderers=RENDERERS, destination="cli",
    )  # fmt: skip
    assert export.media_type == hl7v2.HL7_MEDIA_TYPE and b"^INS" in export.content
    assert export.filename == f"identite-{identity_id}.hl7"
    (entry,) = _diffusions(uow)
    assert entry.details["format"] == "hl7v2" and entry.details["destination"] == "cli"
    assert entry.details["ins"] == {"number": "279035121518989", "oid": "1.2.250.1.213.1.4.8"}
    assert entry.at == rules.now() and entry.actor == ADMISSION.username


def test_an_export_of_a_non_qualified_identity_is_traced_with_the_reason(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    _stored(uow, "recup")
    diffusion.export_identity(CASES["recup"]().id, ExportFormat.FHIR, uow=uow, actor=ADMISSION,
                              rules=rules, renderers=RENDERERS)  # fmt: skip
    (entry,) = _diffusions(uow)
    assert entry.details["ins"] is None
    assert entry.details["withheld"] == WithheldReason.NOT_QUALIFIED.value


def test_without_ins_read_the_export_has_no_matricule(uow: FakeUnitOfWork, rules: Rules) -> None:
    _stored(uow, "qual")
    reader = Actor("lecteur", Role.CARE, frozenset({Permission.IDENTITY_READ}))
    export = diffusion.export_identity(CASES["qual"]().id, ExportFormat.CDA, uow=uow,
                                       actor=reader, rules=rules, renderers=RENDERERS)  # fmt: skip
    assert b"279035121518989" not in export.content
    assert export.view.withheld is WithheldReason.NO_INS_PERMISSION
    with pytest.raises(NotDiffusable):
        diffusion.export_identity(CASES["qual"]().id, ExportFormat.DATAMATRIX_PNG, uow=uow,
                                  actor=reader, rules=rules, renderers=RENDERERS)  # fmt: skip


def test_an_actor_without_identity_read_cannot_export(uow: FakeUnitOfWork, rules: Rules) -> None:
    _stored(uow, "qual")
    with pytest.raises(PermissionDenied):
        diffusion.export_identity(CASES["qual"]().id, ExportFormat.FHIR, uow=uow,
                                  actor=actor_with_role(Role.STATISTICS), rules=rules,
                                  renderers=RENDERERS)  # fmt: skip


def test_a_search_by_matricule_finds_only_identities_that_may_show_it(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    for case in ("qual", "recup", "nia"):
        _stored(uow, case)
    views, _ = diffusion.search_for_diffusion(
        ins="279035121518989", ins_oid="1.2.250.1.213.1.4.8", uow=uow, actor=ADMISSION,
        rules=rules, fmt="fhir", destination="fhir:search",
    )  # fmt: skip
    assert [v.identity_id for v in views] == [CASES["qual"]().id]
    assert len(_diffusions(uow)) == 1


def test_a_scan_prefills_search_and_creation_with_method_cb(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    _stored(uow, "qual")
    scanned = ScannedIns("279035121518989", "1.2.250.1.213.1.4.8", ("DOMINIQUE", "MARIE-LOUISE"),
                         "PAT-TROIS", "F", "1979-03-28", "51215")  # fmt: skip
    prefill = diffusion.prefill_from_datamatrix(scanned, uow=uow, actor=ADMISSION, rules=rules)
    assert prefill.collection_method.value == "CB"
    assert prefill.traits["first_birth_first_name"] == "DOMINIQUE"
    assert [i.id for i in prefill.matches] == [CASES["qual"]().id]


class _Receiver:
    def __init__(self, name: str = "memoire", fail: bool = False) -> None:
        self.name, self.fail, self.sent = name, fail, []  # type: ignore[var-annotated]

    def send(self, message: bytes) -> None:
        if self.fail:
            raise propagation.DeliveryFailed("refus")
        self.sent.append(message)


def test_a_downgrade_of_a_qualified_identity_sends_an_a47_then_is_marked_sent(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = CASES["qual"]()
    uow.identities.committed[identity.id] = identity
    with uow:
        loaded = uow.identities.get(identity.id)
        loaded.invalidate_ins(reason="erreur d'attribution", now=rules.now())
        uow.identities.update(loaded)
        uow.commit(ADMISSION, rules.now())
    receiver = _Receiver()
    report = propagation.send_outbox(uow=uow, actor=ADMISSION, rules=rules, receivers=[receiver],
                                   build=hl7v2.propagation_messages)  # fmt: skip
    assert (report.rows, report.sent, report.failures) == (1, 1, [])
    (message,) = receiver.sent
    assert b"ADT^A47^ADT_A30" in message and b"MRG|279035121518989^^^" in message
    assert uow.outbox.unsent() == []
    assert _diffusions(uow)[-1].details["event"] == "A47"


def test_a_failing_receiver_leaves_the_row_for_the_next_run(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = CASES["vali-homonym"]()
    uow.identities.committed[identity.id] = identity
    with uow:
        loaded = uow.identities.get(identity.id)
        loaded.change_attributes([IdentityAttribute.DOUBTFUL], [], now=rules.now())
        uow.identities.update(loaded)
        uow.commit(ADMISSION, rules.now())
    report = propagation.send_outbox(uow=uow, actor=ADMISSION, rules=rules,
                                   receivers=[_Receiver(fail=True)],
                                   build=hl7v2.propagation_messages)  # fmt: skip
    assert report.failures and len(uow.outbox.unsent()) == 1
    receiver = _Receiver()
    propagation.send_outbox(uow=uow, actor=ADMISSION, rules=rules, receivers=[receiver],
                          build=hl7v2.propagation_messages)  # fmt: skip
    (message,) = receiver.sent
    assert b"ADT^A31" in message and b"|PROV~DOUT~HOMA" in message


def test_a_new_qualification_sends_an_a31_with_the_ins(uow: FakeUnitOfWork, rules: Rules) -> None:
    identity = CASES["recup"]()
    uow.identities.committed[identity.id] = identity
    with uow:
        loaded = uow.identities.get(identity.id)
        loaded.validate("CN", date(2031, 1, 1), document_types=DEFAULT_DOCUMENT_TYPES,
                        actor="u", now=rules.now())  # fmt: skip
        uow.identities.update(loaded)
        uow.commit(ADMISSION, rules.now())
    receiver = _Receiver()
    propagation.send_outbox(uow=uow, actor=ADMISSION, rules=rules, receivers=[receiver],
                          build=hl7v2.propagation_messages)  # fmt: skip
    assert [b"^INS" in m and b"ADT^A31" in m for m in receiver.sent] == [True]


# -- collection method at creation --------------------------------------------------------------


def test_a_creation_from_a_scan_records_method_cb_which_outlives_an_invalidation(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    traits = {"birth_name": "PAT-TROIS", "birth_first_names": ["DOMINIQUE"],
              "first_birth_first_name": "DOMINIQUE", "birth_date": "1979-03-28", "sex": "F",
              "birth_place_code": "51215"}  # fmt: skip
    created = create_identity(traits, uow=uow, actor=ADMISSION, rules=rules,
                              collection_method="cb")  # fmt: skip
    stored = uow.stored(created.id)
    assert stored.collection_method is CollectionMethod.BARCODE
    assert uow.audit.entries[-1].details["method"] == "CB"
    assert diffusion.view_for(stored, ADMISSION).collection_method is CollectionMethod.BARCODE
    stored.integrate_insi(_answer(), called_at=NOW, now=NOW, allow_test_oids=True)
    assert diffusion.view_for(stored, ADMISSION).collection_method is CollectionMethod.INSI
    stored.invalidate_ins(reason="erreur", now=NOW)
    assert diffusion.view_for(stored, ADMISSION).collection_method is CollectionMethod.BARCODE


@pytest.mark.parametrize(
    ("given", "method"), [(None, "SM"), ("", "SM"), ("CB", "CB"), ("CV", "CV")]
)
def test_a_creation_defaults_to_manual_entry(
    uow: FakeUnitOfWork, rules: Rules, given: str | None, method: str
) -> None:
    from fakes import make_traits

    data = make_traits()[0].as_dict()
    created = create_identity(data, uow=uow, actor=ADMISSION, rules=rules, collection_method=given)
    assert created.collection_method == method


@pytest.mark.parametrize("given", ["INSI", "XX"])
def test_a_creation_refuses_an_unknown_method_and_insi(
    uow: FakeUnitOfWork, rules: Rules, given: str
) -> None:
    from fakes import make_traits

    with pytest.raises(InvalidInput) as raised:
        create_identity(make_traits()[0].as_dict(), uow=uow, actor=ADMISSION, rules=rules,
                        collection_method=given)  # fmt: skip
    assert raised.value.errors[0].field == "collection_method"
    assert uow.identities.committed == {}


# -- propagation by the scheduler --------------------------------------------------------------


def _downgraded(uow: FakeUnitOfWork, rules: Rules) -> None:
    identity = CASES["qual"]()
    uow.identities.committed[identity.id] = identity
    with uow:
        loaded = uow.identities.get(identity.id)
        loaded.invalidate_ins(reason="erreur d'attribution", now=rules.now())
        uow.identities.update(loaded)
        uow.commit(ADMISSION, rules.now())


def test_the_scheduler_drains_the_outbox_only_when_it_holds_the_lease(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    _downgraded(uow, rules)
    receiver = _Receiver()
    kwargs = {"lease_seconds": 60, "uow": uow, "actor": ADMIN, "rules": rules,
              "receivers": [receiver], "build": hl7v2.propagation_messages}  # fmt: skip
    uow.leases.acquire(OUTBOX_LEASE, "other", rules.now(), rules.now() + timedelta(minutes=5))
    assert not outbox_tick(holder="me", **kwargs).leased  # type: ignore[arg-type]
    assert receiver.sent == [] and len(uow.outbox.unsent()) == 1
    uow.leases.release(OUTBOX_LEASE, "other")
    report = outbox_tick(holder="me", **kwargs)  # type: ignore[arg-type]
    assert report.leased and report.outbox is not None and report.outbox.sent == 1
    assert b"ADT^A47" in receiver.sent[0] and uow.outbox.unsent() == []
    assert uow.leases.leases == {}  # given back


def test_without_receivers_the_scheduler_leaves_the_outbox_alone(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    _downgraded(uow, rules)
    report = outbox_tick(holder="me", lease_seconds=60, uow=uow, actor=ADMIN, rules=rules,
                         receivers=[], build=hl7v2.propagation_messages)  # fmt: skip
    assert not report.leased and len(uow.outbox.unsent()) == 1 and uow.leases.leases == {}
