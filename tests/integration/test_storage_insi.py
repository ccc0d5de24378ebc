"""INSi traces, worklists and integrated identities on real storage (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from fakes import FakeTeleservice, insi_person
from identito.adapters.database import engine_for
from identito.adapters.orm import insi_calls
from identito.domain.insi import CollectionMethod, InsiOutcome, ReceivedIns
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.services.insi import accept_insi_call, recover_ins
from identito.services.insi_records import Decision, InsiCall, ItemState
from identito.services.insi_worklist import open_worklist, run_worklist
from identito.services.teleservice import TeleserviceTimeout

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: Traits INSi knows (``fakes.insi_person``).
KNOWN = {
    "birth_name": "DUPONT",
    "birth_first_names": "JEAN CHRISTOPHE PIERRE",
    "first_birth_first_name": "JEAN",
    "birth_date": "1980-03-12",
    "birth_place_code": "2B020",
}


def stored(uow_factory, vigilance, make_identity, **overrides):
    identity = make_identity(**{**KNOWN, **overrides})
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(vigilance, AT)
    return identity.id


def recover(uow_factory, rules, vigilance, identity_id, teleservice, **kwargs):
    return recover_ins(
        identity_id,
        mode="traits",
        uow=uow_factory(),
        actor=vigilance,
        rules=rules,
        teleservice=teleservice,
        **kwargs,
    )


def test_a_call_keeps_its_raw_messages_byte_for_byte_and_stores_them_compressed(
    uow_factory, database_url
):
    response = b"<RESULTAT>" + b"<TIQ>ECETINSI</TIQ>" * 200 + "é".encode() + b"</RESULTAT>"
    call = InsiCall(
        actor="admission",
        at=AT,
        mode="traits",
        authentication="organisation-manual",
        outcome=InsiOutcome.NOT_FOUND,
        query={"birth_name": "ECETINSI", "first_names": ["PIERRE-ALAIN"]},
        request=b"<soap:Envelope/>",
        response=response,
        duration_ms=12.5,
    )
    with uow_factory() as uow:
        uow.insi_calls.add(call)
        uow.commit(_actor(), AT)

    with uow_factory() as uow:
        loaded = uow.insi_calls.get(call.id)
        [listed] = uow.insi_calls.since(AT)
    with engine_for(database_url).connect() as connection:
        raw = connection.execute(select(insi_calls.c.response_z)).scalar_one()

    assert loaded == call
    assert (listed.request, listed.response) == (None, None)
    assert len(raw) < len(response) and raw != response


def _actor():
    from identito.services.auth import SYSTEM

    return SYSTEM


def test_an_integrated_identity_keeps_its_collection_method_and_insi_history(
    uow_factory, rules, vigilance, make_identity
):
    identity_id = stored(uow_factory, vigilance, make_identity)
    history = (ReceivedIns("209076322083439", "1.2.250.1.213.1.4.8", "2019-03-01", "2019-02-28"),)
    teleservice = FakeTeleservice([insi_person(history=history)])

    result = recover(uow_factory, rules, vigilance, identity_id, teleservice)

    with uow_factory() as uow:
        identity = uow.identities.get(identity_id)
        [call] = uow.insi_calls.for_identity(identity_id)
        actions = [e.action for e in uow.audit.for_identity(identity_id)]
    assert result.applied and identity.status is IdentityStatus.RETRIEVED
    assert identity.ins_collection_method is CollectionMethod.INSI
    assert identity.insi_history == history
    assert identity.ins_retrieved_at == call.at
    assert (call.decision, call.applied, call.similarity) == (Decision.AUTOMATIC, True, 1.0)
    assert {"identity.ins_retrieved", "insi.called"} <= set(actions)


def test_every_call_is_traced_even_when_the_last_one_fails(
    uow_factory, rules, vigilance, make_identity
):
    identity_id = stored(uow_factory, vigilance, make_identity)
    timeout = TeleserviceTimeout("Le téléservice INSi n'a pas répondu à temps.")

    result = recover(
        uow_factory, rules, vigilance, identity_id, FakeTeleservice(script=["01", timeout])
    )

    with uow_factory() as uow:
        calls = uow.insi_calls.for_identity(identity_id)
        identity = uow.identities.get(identity_id)
    assert [c.outcome for c in calls] == [InsiOutcome.NOT_FOUND, InsiOutcome.ERROR]
    assert calls[-1].error_code == "timeout" and result.call.id == calls[-1].id
    assert identity.status is IdentityStatus.PROVISIONAL


def test_a_pending_comparison_is_accepted_later_from_the_stored_answer(
    uow_factory, rules, vigilance, make_identity
):
    identity_id = stored(uow_factory, vigilance, make_identity, birth_place_code="75116")
    pending = recover(uow_factory, rules, vigilance, identity_id, FakeTeleservice([insi_person()]))

    accepted = accept_insi_call(
        identity_id, pending.call.id, uow=uow_factory(), actor=vigilance, rules=rules
    )

    with uow_factory() as uow:
        identity = uow.identities.get(identity_id)
        call = uow.insi_calls.get(pending.call.id)
    assert pending.call.decision is Decision.PENDING
    assert accepted.applied and identity.traits.birth_place_code == "2B020"
    assert (call.decision, call.decided_by) == (Decision.ACCEPTED, vigilance.username)


def test_an_integration_refused_by_the_domain_still_commits_its_trace(
    uow_factory, rules, vigilance, make_identity
):
    identity_id = stored(uow_factory, vigilance, make_identity)

    class Racing(FakeTeleservice):
        def recover_with_traits(self, query, context):
            with uow_factory() as uow:
                identity = uow.identities.get(identity_id)
                identity.change_attributes([IdentityAttribute.FICTITIOUS], [], now=AT)
                uow.identities.update(identity)
                uow.commit(vigilance, AT)
            return super().recover_with_traits(query, context)

    result = recover(uow_factory, rules, vigilance, identity_id, Racing([insi_person()]))

    with uow_factory() as uow:
        [call] = uow.insi_calls.for_identity(identity_id)
        identity = uow.identities.get(identity_id)
    assert call.decision is Decision.REFUSED and not call.applied
    assert result.call.id == call.id and identity.ins is None


def test_a_worklist_survives_an_interruption_and_calls_each_identity_once(
    uow_factory, rules, vigilance, make_identity
):
    ids = [
        stored(uow_factory, vigilance, make_identity, birth_name=name)
        for name in ("ALPHA", "BRAVO", "CHARLIE")
    ]
    worklist, _ = open_worklist(identity_ids=ids, uow=uow_factory(), actor=vigilance, rules=rules)
    seen = []

    def stop_after_one(item):
        seen.append(item)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_worklist(
            worklist.id,
            uow=uow_factory(),
            actor=vigilance,
            rules=rules,
            teleservice=FakeTeleservice(),
            on_item=stop_after_one,
        )
    again, resumed = open_worklist(
        identity_ids=ids, uow=uow_factory(), actor=vigilance, rules=rules
    )
    progress = run_worklist(
        again.id, uow=uow_factory(), actor=vigilance, rules=rules, teleservice=FakeTeleservice()
    )

    with uow_factory() as uow:
        attempts = Counter(
            c.identity_id for c in {c.attempt_id: c for c in uow.insi_calls.since(EPOCH)}.values()
        )
        items = uow.insi_worklists.items(worklist.id)
    assert resumed and progress.finished and progress.states == {"done": 3}
    assert attempts == Counter({i: 1 for i in ids})
    assert [i.state for i in items] == [ItemState.DONE] * 3
    assert all(i.processed_at is not None for i in items)


def test_the_saved_query_selects_identities_without_ins_that_may_be_sent(
    uow_factory, rules, vigilance, make_identity
):
    plain = stored(uow_factory, vigilance, make_identity, birth_name="ALPHA")
    doubtful = stored(uow_factory, vigilance, make_identity, birth_name="BRAVO")
    with uow_factory() as uow:
        identity = uow.identities.get(doubtful)
        identity.change_attributes(
            [IdentityAttribute.DOUBTFUL, IdentityAttribute.HOMONYM], [], now=AT
        )
        uow.identities.update(identity)
        uow.commit(vigilance, AT)

    with uow_factory() as uow:
        found = uow.insi_worklists.identities_without_ins(10)

    assert found == [plain]
