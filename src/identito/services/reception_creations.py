"""A received identity integrated without its INS (R-VE-02, IHE PAM FR §6.6.15).

The INS was not sent, not sent as qualified (PID-32 ``VALI``), unusable, or refused
by ``reception_checks.ins_refusal`` (DOUT/FICT, uncertain birth date, sex not M/F).
An identity with the same traits exactly is linked; otherwise one is created,
provisional, with the received attributes, marked RECD when the sender is of
another identification domain. The transmitted matricule is never stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from identito.domain.duplicate_reviews import Source
from identito.domain.errors import DomainError
from identito.domain.identity import Identity
from identito.domain.same_person import lock_number
from identito.domain.trait_set import Traits
from identito.domain.traits import search_key
from identito.services.duplicate_watch import watch_duplicates
from identito.services.reception_checks import Parsed
from identito.services.unit_of_work import SearchCriteria, UnitOfWork
from identito.services.verification_records import ReceptionOutcome

if TYPE_CHECKING:
    from identito.services.reception import ReceptionFlow, ReceptionResult


def integrate_without_ins(flow: ReceptionFlow, parsed: Parsed, note: str | None) -> ReceptionResult:
    now = flow.rules.now()
    detail = note or "Intégrée sans INS."
    with flow.uow:  # copies of one person received at once wait for each other here
        flow.uow.identities.lock_creation(lock_number(parsed[0]))
        identity = same_traits(flow.uow, parsed[0])
        if identity is None:
            identity = flow.new_identity(parsed, now)
            flow.uow.identities.add(identity)
            watch_duplicates(identity, uow=flow.uow, rules=flow.rules, source=Source.CREATION)
        else:
            try:
                flow.apply_attributes(identity, now)
            except DomainError as error:
                why = f"Attributs reçus non appliqués ({error.message}) : à traiter."
                return flow.to_handle(why, identity_id=identity.id)
            if identity.events:
                flow.uow.identities.update(identity)
            detail += " Rapprochée de l'identité existante aux mêmes traits."
        outcome = ReceptionOutcome.INTEGRATED_WITHOUT_INS
        result = flow.write(outcome, detail, identity.id, keep_ins=False)
        flow.uow.commit(flow.actor, now)
    return result


def same_traits(uow: UnitOfWork, traits: Traits) -> Identity | None:
    criteria = SearchCriteria(
        birth_date=traits.birth_date.value,
        name_key=search_key(traits.birth_name),
        sex=traits.sex,
        limit=20,
    )
    for identity in uow.identities.search(criteria):
        if not identity.traits.changed_fields(traits):
            return identity
    return None
