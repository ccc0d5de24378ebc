"""Schemas of a potential duplicate and the explanation of its score (``*Public`` out)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from identito.domain.duplicates import Agreement, Trait, TraitAgreement
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.identity_schemas import IdentityPublic
from identito.services.duplicates import Duplicate


class TraitAgreementPublic(BaseModel):
    trait: Trait
    local: str | None
    other: str | None
    agreement: Agreement
    weight: float = Field(description="Poids log2(m/u) du niveau d'accord (Fellegi–Sunter).")
    note: str | None

    @classmethod
    def render(cls, line: TraitAgreement, show_ins: bool) -> TraitAgreementPublic:
        hidden = line.trait is Trait.INS and not show_ins
        local, other = (None, None) if hidden else (line.local, line.other)
        return cls(
            trait=line.trait, local=local, other=other, agreement=line.agreement,
            weight=line.weight, note=line.note,
        )  # fmt: skip


class DuplicatePublic(BaseModel):
    identity: IdentityPublic
    score: float = Field(description="Probabilité d'un doublon, entre 0 et 1.")
    blocking: bool = Field(description="Même matricule INS actif : doublon bloquant.")
    explanation: list[TraitAgreementPublic]

    @classmethod
    def render(cls, duplicate: Duplicate, actor: Actor) -> DuplicatePublic:
        show_ins = actor.can(Permission.INS_READ)
        return cls(
            identity=IdentityPublic.render(duplicate.identity, actor),
            score=duplicate.score,
            blocking=duplicate.blocking,
            explanation=[TraitAgreementPublic.render(t, show_ins) for t in duplicate.explanation],
        )


class DuplicateList(BaseModel):
    items: list[DuplicatePublic]
