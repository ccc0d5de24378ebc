"""French labels of the review worklist, its decisions and the collisions; what the
identity sheet shows of them (open reviews, merges) and the menu's counts (pairs
pending, identities in collision).

The rules are the services' (``duplicate_decisions``, ``collisions``, ``merges``);
this module only names things for the identity-vigilance unit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request

from identito.bootstrap import Container
from identito.domain.duplicate_reviews import Decision, DuplicateReview, ReviewStatus
from identito.domain.duplicates import Trait
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.status import CollisionLevel
from identito.entrypoints.web.rendering import date_fr, templates
from identito.services.collisions import collision_count
from identito.services.duplicate_decisions import pending_count, reviews_of_identity
from identito.services.merges import merges_of

logger = logging.getLogger(__name__)

#: The collision levels as the UI names them: the domain's label and its code.
COLLISION_LABELS = {level: f"{level.label} ({level.value})" for level in CollisionLevel}
#: The statuses of the worklist's filter, in this order, then « Toutes ».
STATUS_FILTERS = tuple(ReviewStatus)
ALL = "all"


@dataclass(frozen=True)
class Choice:
    """A decision button of the review page: what it posts, says and implies."""

    value: str
    decision: Decision
    label: str
    consequences: tuple[str, ...]
    confirmed: bool = False

    @property
    def is_collision(self) -> bool:
        return self.decision is Decision.COLLISION


_NOT_DIFFUSED = (
    "Tant que la collision n'est pas résolue, l'INS n'est plus diffusé (exports, messages, "
    "étiquette) et l'identité figure dans la liste « Collisions »."
)
CHOICES = {
    c.value: c
    for c in (
        Choice("duplicate", Decision.DUPLICATE, "Doublon avéré (DOUA)", (
            "Les deux fiches sont un même patient : la paire passe à « Doublon avéré ».",
            "La fusion reste à faire : le formulaire de fusion est proposé ensuite.",
        )),
        Choice("not_duplicate", Decision.NOT_DUPLICATE, "Pas un doublon", (
            "Deux patients différents : la paire est close.",
            "Elle ne sera plus proposée, sauf si un trait de l'une des deux identités change.",
        )),
        Choice("homonym", Decision.HOMONYM, "Homonymes (HOMA)", (
            "Deux patients différents qui se ressemblent : la paire est close.",
            "Les deux identités reçoivent l'attribut « Homonyme » (HOMA), tracé sur chaque fiche.",
        )),
        Choice("collision", Decision.COLLISION, "Collision potentielle (COLP)", (
            "Deux personnes pourraient partager un même dossier : l'identité concernée "
            "reçoit « Collision potentielle » (COLP).", _NOT_DIFFUSED,
        )),
        Choice("collision_confirmed", Decision.COLLISION, "Collision avérée (COLV)", (
            "Deux personnes partagent un même dossier : l'identité concernée reçoit "
            "« Collision avérée » (COLV).", _NOT_DIFFUSED,
        ), confirmed=True),
    )
}  # fmt: skip
#: The value of the « identité concernée » field naming both identities of the pair.
BOTH = "les_deux"


def collision_target(value: str | None, first: Identity, second: Identity) -> UUID | None:
    """The identity a collision decision names (``None``: both); ``ValueError`` when the
    field is empty or names neither."""
    if value == BOTH:
        return None
    for identity in (first, second):
        if value == str(identity.id):
            return identity.id
    raise ValueError(value)


def other_side(review: DuplicateReview, identity_id: UUID) -> str:
    """The other identity of a pair as scored (names, first names, birth date), from the
    stored explanation: the sheet lists its reviews without reading more identities."""
    local = review.first_id != identity_id
    shown = {line.trait: (line.local if local else line.other) or "" for line in review.explanation}
    born = shown.get(Trait.BIRTH_DATE)
    parts = [shown.get(Trait.NAME), shown.get(Trait.FIRST_NAMES)]
    text = " ".join(p for p in parts if p)
    return f"{text}, né(e) le {date_fr(born)}" if born else text


def sheet_links(identity: Identity, actor: Actor, container: Container) -> dict[str, Any]:
    """What the sheet shows of merges (everyone) and open reviews (reviewers)."""
    uow, rules = container.uow_factory, container.rules
    merges = merges_of(identity.id, uow=uow(), actor=actor, rules=rules)
    reviews: list[DuplicateReview] = []
    if actor.can(Permission.DUPLICATES_REVIEW):
        found = reviews_of_identity(identity.id, uow=uow(), actor=actor, rules=rules)
        reviews = sorted((r for r in found if r.status.is_open), key=lambda r: -r.score)
    return {"merges": merges, "open_reviews": reviews}


def pending_reviews(request: Request) -> int | None:
    """The pending count of the menu (base.html calls it only for reviewers)."""
    return menu_count(request, Permission.DUPLICATES_REVIEW, pending_count, "duplicate reviews")


def collisions_in_menu(request: Request) -> int | None:
    """The count of identities in collision shown by the « Collisions » menu entry."""
    return menu_count(request, Permission.DUPLICATES_REVIEW, collision_count, "collisions")


def menu_count(
    request: Request, permission: Permission, count: Callable[..., int], what: str
) -> int | None:
    """One counting query for a menu entry; ``None`` for roles without ``permission`` or
    when it fails (the menu never breaks a page)."""
    session = getattr(request.state, "web_session", None)
    if session is None or not session.actor.can(permission):
        return None
    container: Container = request.app.state.container
    try:
        return count(uow=container.uow_factory(), actor=session.actor)
    except Exception:  # the menu never breaks a page (an error page included)
        logger.exception("%s not counted", what)
        return None


templates.env.globals.update(
    COLLISION_LABELS=COLLISION_LABELS,
    COLLISION_CONFIRMED=CollisionLevel.CONFIRMED,
    REVIEW_DUPLICATE=ReviewStatus.DUPLICATE,
    other_side=other_side,
    pending_reviews=pending_reviews,
    collisions_in_menu=collisions_in_menu,
)
