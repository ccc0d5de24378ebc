"""INSi worklists on fakes: creation, sequential run, resumption without a second call."""

from __future__ import annotations

from collections import Counter

import pytest
from stdnum.fr import nir

from fakes import NOW, FakeTeleservice, actor_with_role, insi_person, make_identity
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.permissions import Role
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.services.auth import SYSTEM
from identito.services.insi_records import ItemState
from identito.services.insi_worklist import open_worklist, run_worklist, worklist_progress

ADMISSION = actor_with_role(Role.ADMISSION)
NAMES = ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO"]


@pytest.fixture
def ids(uow):
    """Five provisional identities; INSi knows ALPHA, CHARLIE and ECHO."""
    identities = [make_identity(birth_name=name) for name in NAMES]
    with uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    return [i.id for i in identities]


def teleservice():
    """INSi knows ALPHA, CHARLIE and ECHO, each with its own matricule."""
    known = []
    for index, name in enumerate(("ALPHA", "CHARLIE", "ECHO")):
        body = f"18003750561{index:02d}"
        number = body + nir.calc_check_digits(body)
        known.append(insi_person(birth_name=name, ins_number=number))
    return FakeTeleservice(known)


def attempts_per_identity(uow):
    return Counter(
        c.identity_id for c in {c.attempt_id: c for c in uow.insi_calls.committed()}.values()
    )


def test_a_worklist_recovers_every_identity_once_in_order(uow, rules, ids):
    worklist, resumed = open_worklist(identity_ids=ids, uow=uow, actor=ADMISSION, rules=rules)

    progress = run_worklist(
        worklist.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=teleservice()
    )

    assert not resumed and progress.finished
    assert progress.states == {"done": 5} and progress.applied == 3
    assert progress.outcomes == {"00": 3, "01": 2}
    assert attempts_per_identity(uow) == Counter({i: 1 for i in ids})
    assert uow.stored(ids[0]).status is IdentityStatus.RETRIEVED


def test_worklist_calls_are_automatic(uow, rules, ids):
    worklist, _ = open_worklist(identity_ids=ids[:1], uow=uow, actor=ADMISSION, rules=rules)
    service = teleservice()

    run_worklist(worklist.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=service)

    assert all(c.automatic for c in service.contexts)


def test_an_interrupted_worklist_resumes_without_calling_twice_for_an_identity(uow, rules, ids):
    worklist, _ = open_worklist(identity_ids=ids, uow=uow, actor=ADMISSION, rules=rules)
    done = []

    def stop_after_two(item):
        done.append(item)
        if len(done) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_worklist(
            worklist.id,
            uow=uow,
            actor=ADMISSION,
            rules=rules,
            teleservice=teleservice(),
            on_item=stop_after_two,
        )
    again, resumed = open_worklist(identity_ids=ids, uow=uow, actor=ADMISSION, rules=rules)
    progress = run_worklist(
        again.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=teleservice()
    )

    assert resumed and again.id == worklist.id
    assert progress.states == {"done": 5}
    assert attempts_per_identity(uow) == Counter({i: 1 for i in ids})


def test_an_item_interrupted_during_its_calls_is_closed_from_its_trace(uow, rules, ids):
    worklist, _ = open_worklist(identity_ids=ids[1:2], uow=uow, actor=ADMISSION, rules=rules)

    class Crashing(FakeTeleservice):
        def recover_with_traits(self, query, context):
            if len(self.queries) == 1:  # the second call of BRAVO's recovery
                raise KeyboardInterrupt
            return super().recover_with_traits(query, context)

    with pytest.raises(KeyboardInterrupt):
        run_worklist(worklist.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=Crashing())
    second = FakeTeleservice()
    progress = run_worklist(worklist.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=second)

    assert second.queries == []
    assert progress.states == {"done": 1} and progress.outcomes == {"01": 1}


def test_a_blocked_identity_fails_its_item_without_any_call(uow, rules, ids):
    with uow:
        identity = uow.identities.get(ids[0])
        identity.change_attributes([IdentityAttribute.FICTITIOUS], [], now=NOW)
        uow.identities.update(identity)
        uow.commit(SYSTEM, NOW)
    worklist, _ = open_worklist(identity_ids=ids[:1], uow=uow, actor=ADMISSION, rules=rules)
    service = teleservice()

    run_worklist(worklist.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=service)

    progress = worklist_progress(
        worklist.id, uow=uow, actor=ADMISSION, rules=rules, with_items=True
    )
    assert service.queries == []
    [item] = progress.items
    assert item.state is ItemState.FAILED and "fictive" in item.message


def test_the_saved_query_takes_provisional_and_validated_identities_without_ins(uow, rules, ids):
    with uow:
        identity = uow.identities.get(ids[0])
        identity.change_attributes([IdentityAttribute.DOUBTFUL], [], now=NOW)
        uow.identities.update(identity)
        uow.commit(SYSTEM, NOW)
    recovered = make_identity(IdentityStatus.RETRIEVED, birth_name="FOXTROT")
    with uow:
        uow.identities.add(recovered)
        uow.commit(SYSTEM, NOW)

    worklist, _ = open_worklist(query="without-ins", uow=uow, actor=ADMISSION, rules=rules)

    items = uow.insi_worklists.items(worklist.id)
    assert {i.identity_id for i in items} == set(ids[1:])
    assert worklist.total == 4


def test_a_worklist_needs_ids_or_a_known_query_and_the_insi_permission(uow, rules, ids):
    with pytest.raises(InvalidInput):
        open_worklist(uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(InvalidInput):
        open_worklist(query="everyone", uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(PermissionDenied):
        open_worklist(identity_ids=ids, uow=uow, actor=actor_with_role(Role.CARE), rules=rules)
