"""French labels of the duplicate pages, the side-by-side rows, the check before saving.

The check and the scores come from ``services.duplicates``; the merge rules from the
domain; the merges of an identity from ``services.merges.merges_of``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from identito.bootstrap import Container
from identito.domain.duplicates import Agreement, Trait, TraitAgreement
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.rendering import (
    FIELD_LABELS,
    date_fr,
    templates,
)
from identito.services.duplicates import Duplicate, check_duplicates

#: Hidden field of the « Créer quand même » form: the duplicates the user was shown.
SEEN_FIELD = "doublons_vus"
#: Most potential duplicates shown before saving.
CHECK_LIMIT = 5


#: The rows of the side-by-side table that show what one trait of the score compares:
#: their « Écart » is that trait's agreement, the very one the score's explanation shows
#: (one comparison, shown twice: the table and the explanation never disagree).
ROW_TRAITS = {
    "birth_first_names": Trait.FIRST_NAMES,
    "birth_date": Trait.BIRTH_DATE,
    "sex": Trait.SEX,
    "birth_place_code": Trait.BIRTH_PLACE,
    "ins": Trait.INS,
}
#: Agreements that are a gap between the two identities (highlighted, counted); « Non
#: comparable » is none: a value is missing on one side.
GAPS = frozenset({Agreement.PHONETIC, Agreement.CLOSE, Agreement.DIFFERENT})


def marker_class(agreement: Agreement) -> str:
    """The CSS class of an agreement's marker, in the table and the explanation alike."""
    if agreement is Agreement.EXACT:
        return "same"
    return "differs" if agreement in GAPS else "missing"


@dataclass(frozen=True)
class SideBySideRow:
    """One line of the side-by-side comparison, as displayed.

    ``agreement`` is the score's own comparison of the trait the row shows (``ROW_TRAITS``);
    a row the score does not compare (used names, status, attributes) agrees when both
    sides show the same text.
    """

    field: str
    label: str
    left: str
    right: str
    scored: Agreement | None = None

    @property
    def agreement(self) -> Agreement:
        if self.scored is not None:
            return self.scored
        return Agreement.EXACT if self.left == self.right else Agreement.DIFFERENT

    @property
    def differs(self) -> bool:
        return self.agreement in GAPS


def side_by_side_rows(
    left: Identity,
    right: Identity,
    show_ins: bool,
    places: Mapping[UUID, str] | None = None,
    explanation: Sequence[TraitAgreement] = (),
) -> list[SideBySideRow]:
    """Traits, matricule (when the user may see it), status and attributes of both; the
    rows of a compared trait take its agreement from the score's ``explanation``."""
    places = places or {}
    scored = {line.trait: line.agreement for line in explanation}
    traits = dict(ROW_TRAITS)
    if not (left.traits.used_name or right.traits.used_name):  # the names' trait is then
        traits["birth_name"] = Trait.NAME  # the birth names alone, as this row shows them
    rows = [
        SideBySideRow(
            name, FIELD_LABELS[name], _shown(left, name, places), _shown(right, name, places),
            scored.get(traits[name]) if name in traits else None,
        )
        for name in _SHOWN_FIELDS
    ]  # fmt: skip
    if show_ins:
        ins = scored.get(Trait.INS)
        rows.append(SideBySideRow("ins", "Matricule INS", _ins(left), _ins(right), ins))
    rows.append(SideBySideRow("status", "Statut", left.status.label, right.status.label))
    rows.append(SideBySideRow("attributes", "Attributs", _attributes(left), _attributes(right)))
    return rows


_SHOWN_FIELDS = (
    "birth_name", "birth_first_names", "first_birth_first_name", "birth_date", "sex",
    "birth_place_code", "used_name", "used_first_name",
)  # fmt: skip


def _shown(identity: Identity, name: str, places: Mapping[UUID, str]) -> str:
    t = identity.traits
    if name == "birth_first_names":
        return " ".join(t.birth_first_names) or "—"
    if name == "birth_date":
        return date_fr(t.birth_date.raw)
    if name == "sex":
        return t.sex.label
    if name == "birth_place_code":
        label = places.get(identity.id)
        return f"{t.birth_place_code} — {label}" if label else t.birth_place_code
    value = getattr(t, name)
    return str(value) if value else "—"


def _ins(identity: Identity) -> str:
    if identity.ins is None:
        return "—"
    return f"{identity.ins.number.number} ({identity.ins.kind.label})"


def _attributes(identity: Identity) -> str:
    return ", ".join(sorted(a.label for a in identity.attributes)) or "—"


templates.env.globals.update(
    side_by_side_rows=side_by_side_rows,
    marker_class=marker_class,
    Agreement=Agreement,
    DuplicateTrait=Trait,
    AGREEMENT_MISSING=Agreement.MISSING,
    TRAIT_INS=Trait.INS,
    SEEN_FIELD=SEEN_FIELD,
)


@dataclass(frozen=True)
class DuplicateCheck:
    """Potential duplicates found before saving; ``unseen`` ask for a confirmation."""

    found: list[Duplicate]
    unseen: bool

    @property
    def seen_ids(self) -> str:
        return ",".join(str(d.identity.id) for d in self.found)


def check_before_saving(
    data: Mapping[str, Any],
    form: Mapping[str, Any],
    *,
    container: Container,
    actor: Actor,
    exclude: UUID | None = None,
) -> DuplicateCheck:
    """The check on traits not saved yet; raises ``InvalidInput`` like the saving would.

    A duplicate already shown to the user (listed in the confirmation form) needs no
    second confirmation; one that appeared since does. An actor who may not search
    sees no duplicate and is not stopped (``identity:search`` is the service's rule).
    """
    if not actor.can(Permission.IDENTITY_SEARCH):
        return DuplicateCheck([], unseen=False)
    found = check_duplicates(
        data,
        uow=container.uow_factory(),
        actor=actor,
        rules=container.rules,
        limit=CHECK_LIMIT + (1 if exclude else 0),
        stored=exclude is not None,
    )
    found = [d for d in found if d.identity.id != exclude][:CHECK_LIMIT]
    seen = set((text(form, SEEN_FIELD) or "").split(","))
    return DuplicateCheck(found, unseen=any(str(d.identity.id) not in seen for d in found))
