"""Merged (inactive) identities are never worked on, on SQLite and PostgreSQL: not in
a verification campaign, nor in the INSi worklist query, nor in the vigilance
worklists about the identity's matricule; an unmerge brings them back."""

from __future__ import annotations

from identito.domain.identifiers import Ins, Oid
from identito.domain.status import CollisionLevel
from identito.services.merges import merge_identities, unmerge
from identito.services.verification_records import Campaign, EntryKind, Perimeter, VigilanceEntry

NIA = Ins.parse("299129912345662", Oid.NIA.value)


def _store(uow_factory, admin, rules, *identities):
    with uow_factory() as uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(admin, rules.now())


def _pair(make_identity, rules, *, ins: Ins | None):
    survivor, merged = make_identity(), make_identity(used_name="MARTIN")
    if ins is not None:  # two holders of one matricule: only in collision (R-DU-03)
        for identity in (survivor, merged):
            identity.record_ins_retrieval(ins, now=rules.now())
            identity.declare_collision(CollisionLevel.POTENTIAL, now=rules.now())
    return survivor, merged


def _campaigns(rules) -> list[Campaign]:
    now = rules.now()
    return [
        Campaign("stale", Perimeter.STALE, "admin", now, years=0),
        Campaign("nia", Perimeter.NIA, "admin", now),
        Campaign("with-ins", Perimeter.QUERY, "admin", now, query="with-ins"),
        Campaign("retrieved", Perimeter.QUERY, "admin", now, query="retrieved"),
    ]


def test_a_verification_campaign_never_selects_nor_sends_a_merged_identity(
    uow_factory, make_identity, admin, rules, vigilance
):
    survivor, merged = _pair(make_identity, rules, ins=NIA)  # both carry the same NIA
    _store(uow_factory, admin, rules, survivor, merged)
    record = merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance,
                              rules=rules)  # fmt: skip

    with uow_factory() as uow:
        selected = [list(uow.campaigns.perimeter(c, rules.now())) for c in _campaigns(rules)]
        queries = uow.campaigns.verification_queries([survivor.id, merged.id])
    assert selected == [[survivor.id]] * 4
    assert queries[survivor.id] is not None and queries[merged.id] is None

    unmerge(record.id, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        campaign = _campaigns(rules)[2]
        assert set(uow.campaigns.perimeter(campaign, rules.now())) == {survivor.id, merged.id}


def test_the_insi_worklist_query_leaves_out_a_merged_identity(
    uow_factory, make_identity, admin, rules, vigilance
):
    survivor, merged = _pair(make_identity, rules, ins=None)
    _store(uow_factory, admin, rules, survivor, merged)
    merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance, rules=rules)

    with uow_factory() as uow:
        assert uow.insi_worklists.identities_without_ins(10) == [survivor.id]


def test_the_vigilance_worklists_leave_out_the_matricule_work_of_a_merged_identity(
    uow_factory, make_identity, admin, rules, vigilance
):
    survivor, merged = _pair(make_identity, rules, ins=NIA)
    _store(uow_factory, admin, rules, survivor, merged)
    now = rules.now()
    entries = {
        "survivor NIA": VigilanceEntry(EntryKind.NIA_RECHECK, now, {}, identity_id=survivor.id),
        "merged NIA": VigilanceEntry(EntryKind.NIA_RECHECK, now, {}, identity_id=merged.id),
        "merged KO": VigilanceEntry(EntryKind.VERIFICATION_KO, now, {}, identity_id=merged.id),
        "merged message": VigilanceEntry(EntryKind.RECEPTION, now, {}, identity_id=merged.id),
        "new message": VigilanceEntry(EntryKind.RECEPTION, now, {}),
    }
    with uow_factory() as uow:
        for entry in entries.values():
            uow.vigilance.add(entry)
        uow.commit(admin, now)
    record = merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance,
                              rules=rules)  # fmt: skip

    with uow_factory() as uow:
        listed = {e.id for e in uow.vigilance.entries()}
        nia = [e.id for e in uow.vigilance.entries(EntryKind.NIA_RECHECK)]
        counts = uow.vigilance.count_open()
    names = {entries[n].id: n for n in entries}
    assert {names[i] for i in listed} == {"survivor NIA", "merged message", "new message"}
    assert nia == [entries["survivor NIA"].id]
    assert counts == {EntryKind.NIA_RECHECK.value: 1, EntryKind.RECEPTION.value: 2}

    unmerge(record.id, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        assert len(uow.vigilance.entries()) == 5
