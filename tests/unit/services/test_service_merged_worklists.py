"""Merged (inactive) identities are never worked on (fakes): verification campaigns,
the INSi worklist query, the vigilance worklists about the identity's matricule."""

from __future__ import annotations

from fakes import FakeUnitOfWork, actor_with_role, make_identity
from fakes_verification import FakeVerifier
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services.insi_worklist import open_worklist
from identito.services.merges import merge_identities
from identito.services.rules import Rules
from identito.services.verification_campaigns import create_campaign
from identito.services.verification_records import EntryKind, VigilanceEntry
from identito.services.verification_runs import open_run
from identito.services.vigilance import list_entries, open_counts, process_nia_rechecks

ADMIN = actor_with_role(Role.ADMIN)
VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
NIA = Ins.parse("299129912345662", Oid.NIA.value)


def _merged_pair(uow: FakeUnitOfWork, rules: Rules, **kwargs) -> tuple[Identity, Identity]:
    survivor, merged = make_identity(**kwargs), make_identity(used_name="MARTIN", **kwargs)
    uow.identities.committed.update({survivor.id: survivor, merged.id: merged})
    merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    return survivor, merged


def test_a_verification_campaign_run_leaves_out_a_merged_identity(uow, rules):
    _merged_pair(uow, rules, status=IdentityStatus.RETRIEVED, ins=NIA)
    campaign = create_campaign(name="NIA", perimeter="nia", uow=uow, actor=ADMIN, rules=rules)

    run, _ = open_run(campaign.id, uow=uow, actor=ADMIN, rules=rules)

    assert run.total == 1


def test_the_insi_worklist_of_identities_without_ins_leaves_out_a_merged_identity(uow, rules):
    survivor, _ = _merged_pair(uow, rules)

    worklist, _ = open_worklist(query="without-ins", uow=uow, actor=ADMIN, rules=rules)

    assert [i.identity_id for i in uow.insi_worklists.items(worklist.id)] == [survivor.id]


def test_the_vigilance_worklists_hide_the_matricule_work_of_a_merged_identity(uow, rules):
    survivor, merged = _merged_pair(uow, rules, status=IdentityStatus.RETRIEVED, ins=NIA)
    now = rules.now()
    for kind, identity_id in [(EntryKind.NIA_RECHECK, merged.id),
                              (EntryKind.VERIFICATION_KO, merged.id),
                              (EntryKind.RECEPTION, merged.id),
                              (EntryKind.NIA_RECHECK, survivor.id)]:  # fmt: skip
        uow.vigilance.add(VigilanceEntry(kind, now, {}, identity_id=identity_id))

    listed = list_entries(uow=uow, actor=VIGILANCE, rules=rules)
    counts = open_counts(uow=uow, actor=VIGILANCE, rules=rules)
    verifier = FakeVerifier()
    done = process_nia_rechecks(uow=uow, actor=ADMIN, rules=rules, teleservice=verifier)

    assert {(e.kind, e.identity_id) for e in listed} == {
        (EntryKind.RECEPTION, merged.id),  # a message to handle: kept, see docs/duplicates.md
        (EntryKind.NIA_RECHECK, survivor.id),
    }
    assert counts == {EntryKind.RECEPTION.value: 1, EntryKind.NIA_RECHECK.value: 1}
    assert done == 1 and sum(verifier.verified.values()) == 1
