"""Identity statuses, attributes and the one transition table.

The status is a pure function of two facts (RNIV EXI SI 07, FR Core
``fr-core-cs-identity-status``): is the matricule INS *confirmed* (by an INSi
answer or a qualified reception of the own domain, with traits that allow it:
``domain.ins_source``), and was a high-trust identity document checked.

=========================  ==============  ===============
                           no document     document checked
=========================  ==============  ===============
no confirmed INS           PROV            VALI
INS confirmed (INSi...)    RECUP           QUAL
=========================  ==============  ===============

An identity may hold a matricule that is not confirmed (typed by hand, R-ST-07;
exceptional or corrected birth date, R-TR-11/12; sex I, R-TR-14): it stays PROV
or VALI (action ``HOLD_INS``).

``TRANSITIONS`` lists every allowed (status, action) pair and its target; any
other pair raises ``InvalidTransition``.
"""

from __future__ import annotations

from enum import StrEnum

from identito.domain.errors import InvalidTransition


class IdentityStatus(StrEnum):
    PROVISIONAL = "PROV"
    RETRIEVED = "RECUP"
    VALIDATED = "VALI"
    QUALIFIED = "QUAL"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def has_ins(self) -> bool:
        return self in (IdentityStatus.RETRIEVED, IdentityStatus.QUALIFIED)

    @property
    def document_checked(self) -> bool:
        return self in (IdentityStatus.VALIDATED, IdentityStatus.QUALIFIED)


STATUS_LABELS = {
    IdentityStatus.PROVISIONAL: "Identité provisoire",
    IdentityStatus.RETRIEVED: "Identité récupérée",
    IdentityStatus.VALIDATED: "Identité validée",
    IdentityStatus.QUALIFIED: "Identité qualifiée",
}


def status_of(*, ins_confirmed: bool, document_checked: bool) -> IdentityStatus:
    """The status as a pure function of the two facts."""
    if ins_confirmed:
        return IdentityStatus.QUALIFIED if document_checked else IdentityStatus.RETRIEVED
    return IdentityStatus.VALIDATED if document_checked else IdentityStatus.PROVISIONAL


class StatusAction(StrEnum):
    RETRIEVE_INS = "retrieve_ins"  # a confirmed INS: INSi 00 or OK, own-domain qualified
    HOLD_INS = "hold_ins"  # an INS held unconfirmed: typed, or traits that forbid RECUP/QUAL
    CHECK_DOCUMENT = "check_document"  # a high-trust identity document was checked
    INVALIDATE_INS = "invalidate_ins"  # strict trait change, INS removal, verification KO
    # (from PROV or VALI: removal of a matricule held unconfirmed)
    FORCE_PROVISIONAL = "force_provisional"  # doubtful or fictitious attribute set
    WITHDRAW_DOCUMENT_CHECK = "withdraw_document_check"  # strict traits changed, not re-checked


_P, _R, _V, _Q = (
    IdentityStatus.PROVISIONAL,
    IdentityStatus.RETRIEVED,
    IdentityStatus.VALIDATED,
    IdentityStatus.QUALIFIED,
)
_A = StatusAction

TRANSITIONS: dict[tuple[IdentityStatus, StatusAction], IdentityStatus] = {
    (_P, _A.RETRIEVE_INS): _R,
    (_R, _A.RETRIEVE_INS): _R,  # a new call may return an updated INS
    (_V, _A.RETRIEVE_INS): _Q,
    (_Q, _A.RETRIEVE_INS): _Q,
    (_P, _A.CHECK_DOCUMENT): _V,
    (_R, _A.CHECK_DOCUMENT): _Q,
    (_V, _A.CHECK_DOCUMENT): _V,  # a newer document may be recorded
    (_Q, _A.CHECK_DOCUMENT): _Q,
    (_P, _A.HOLD_INS): _P,
    (_R, _A.HOLD_INS): _P,  # a typed matricule replaces an INSi one: no longer confirmed
    (_V, _A.HOLD_INS): _V,
    (_Q, _A.HOLD_INS): _V,
    (_P, _A.INVALIDATE_INS): _P,  # a matricule held unconfirmed is removed
    (_R, _A.INVALIDATE_INS): _P,
    (_V, _A.INVALIDATE_INS): _V,
    (_Q, _A.INVALIDATE_INS): _V,
    (_V, _A.WITHDRAW_DOCUMENT_CHECK): _P,
    (_Q, _A.WITHDRAW_DOCUMENT_CHECK): _R,
    (_P, _A.FORCE_PROVISIONAL): _P,
    (_R, _A.FORCE_PROVISIONAL): _P,
    (_V, _A.FORCE_PROVISIONAL): _P,
    (_Q, _A.FORCE_PROVISIONAL): _P,
}


def next_status(current: IdentityStatus, action: StatusAction) -> IdentityStatus:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        message = f"Action « {action} » impossible pour une {current.label.lower()}."
        raise InvalidTransition(message, rule=f"{current}:{action}") from None


class IdentityAttribute(StrEnum):
    DOUBTFUL = "DOUT"
    FICTITIOUS = "FICT"
    HOMONYM = "HOMA"

    @property
    def label(self) -> str:
        return ATTRIBUTE_LABELS[self]

    @property
    def forces_provisional(self) -> bool:
        return self in (IdentityAttribute.DOUBTFUL, IdentityAttribute.FICTITIOUS)


ATTRIBUTE_LABELS = {
    IdentityAttribute.DOUBTFUL: "Identité douteuse",
    IdentityAttribute.FICTITIOUS: "Identité fictive",
    IdentityAttribute.HOMONYM: "Identité homonyme",
}

#: Only DOUT and HOMA may be combined (RNIV EXI ID 24).
ALLOWED_COMBINATIONS: frozenset[frozenset[IdentityAttribute]] = frozenset(
    {
        frozenset(),
        frozenset({IdentityAttribute.DOUBTFUL}),
        frozenset({IdentityAttribute.FICTITIOUS}),
        frozenset({IdentityAttribute.HOMONYM}),
        frozenset({IdentityAttribute.DOUBTFUL, IdentityAttribute.HOMONYM}),
    }
)


class CollisionLevel(StrEnum):
    """Two persons in one record (collision), as declared by identity vigilance.

    While an identity carries a collision its matricule INS is never diffused
    (``domain.diffusion``); resolving the collision clears it.
    """

    POTENTIAL = "COLP"
    CONFIRMED = "COLV"

    @property
    def label(self) -> str:
        return COLLISION_LABELS[self]


COLLISION_LABELS = {
    CollisionLevel.POTENTIAL: "Collision potentielle",
    CollisionLevel.CONFIRMED: "Collision avérée",
}


def check_attribute_combination(attributes: frozenset[IdentityAttribute]) -> None:
    if attributes not in ALLOWED_COMBINATIONS:
        shown = " + ".join(sorted(a.value for a in attributes))
        message = f"Combinaison d'attributs interdite ({shown}) : seuls DOUT et HOMA se cumulent."
        raise InvalidTransition(message, rule="attribute_combination")
