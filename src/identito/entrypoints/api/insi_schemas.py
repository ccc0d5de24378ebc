"""Schemas of the INSi routes (``entrypoints.api.insi``), split by direction:
requests (``*Request``, ``*Create``) in, ``*Public`` out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from identito.entrypoints.api.schemas import IdentityPublic
from identito.services import insi as service
from identito.services.insi_indicators import InsiIndicators
from identito.services.insi_records import InsiCall
from identito.services.insi_worklist import WorklistProgress


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CardInput(_Input):
    nir: str | None = Field(default=None, description="NIR du titulaire de la carte Vitale.")
    birth_date: str | None = Field(default=None, description="Date de naissance du bénéficiaire.")
    rank: int | str | None = Field(default=None, description="Rang du bénéficiaire sur la carte.")


class RecoverRequest(_Input):
    mode: str = Field(description="« traits » ou « card » (carte Vitale).")
    card: CardInput | None = None


class CreateFromInsiRequest(RecoverRequest):
    traits: dict[str, Any] | None = Field(
        default=None, description="Traits saisis (mode traits), comme pour créer une identité."
    )


class AcceptRequest(_Input):
    expected_version: int | None = Field(
        default=None, description="Version de l'identité affichée avec la comparaison."
    )


class RejectRequest(_Input):
    reason: str | None = None


class InsiCallPublic(BaseModel):
    id: UUID
    attempt_id: UUID
    sequence: int
    identity_id: UUID | None
    actor: str
    at: datetime
    mode: str
    authentication: str
    automatic: bool
    outcome: str
    code: str | None
    message: str | None
    query: dict[str, Any]
    duration_ms: float | None
    comparison: dict[str, Any] | None
    similarity: float | None
    applied: bool
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def render(cls, call: InsiCall) -> InsiCallPublic:
        values = {k: v for k, v in vars(call).items() if k in cls.model_fields}
        values.update(
            outcome=call.outcome.value,
            code=call.error_code,
            decision=call.decision.value if call.decision else None,
        )
        return cls(**values)


class InsiCallList(BaseModel):
    items: list[InsiCallPublic]


class RecoveryPublic(BaseModel):
    call_id: UUID
    outcome: Literal["00", "01", "02", "error"]
    local: dict[str, str | None] | None
    insi: dict[str, str | None] | None
    differences: list[str]
    similarity: float | None
    applied: bool
    decision: str | None
    code: str | None = None
    message: str | None = None
    warnings: list[str]
    calls: int = Field(description="Nombre d'appels faits pour cette récupération.")
    identity: IdentityPublic | None = None

    @classmethod
    def render(cls, result: service.RecoveryResult, actor: Any) -> RecoveryPublic:
        call, comparison = result.call, result.comparison
        return cls(
            call_id=call.id,
            outcome=call.outcome.value,
            local=comparison.side("local") if comparison else None,
            insi=comparison.side("insi") if comparison else None,
            differences=list(comparison.differences) if comparison else [],
            similarity=comparison.similarity if comparison else None,
            applied=call.applied,
            decision=call.decision.value if call.decision else None,
            code=call.error_code,
            message=call.message,
            warnings=list(result.warnings),
            calls=len(result.calls),
            identity=IdentityPublic.render(result.identity, actor) if result.identity else None,
        )


class WorklistCreate(_Input):
    identity_ids: list[UUID] | None = None
    query: Literal["without-ins"] | None = None
    label: str | None = None


class WorklistPublic(BaseModel):
    id: UUID
    label: str
    source: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    total: int
    processed: int
    states: dict[str, int]
    outcomes: dict[str, int]
    applied: int
    resumed: bool = False

    @classmethod
    def render(cls, progress: WorklistProgress, resumed: bool = False) -> WorklistPublic:
        worklist = progress.worklist
        return cls(
            **{k: v for k, v in vars(worklist).items() if k in cls.model_fields},
            processed=progress.processed,
            states=progress.states,
            outcomes=progress.outcomes,
            applied=progress.applied,
            resumed=resumed,
        )


class InsiIndicatorsPublic(BaseModel):
    since: datetime
    outcomes_by_month: dict[str, dict[str, int]]
    first_recoveries: int
    not_qualified: dict[str, int]
    not_qualified_rate: float

    @classmethod
    def render(cls, indicators: InsiIndicators) -> InsiIndicatorsPublic:
        return cls(**vars(indicators), not_qualified_rate=indicators.not_qualified_rate)
