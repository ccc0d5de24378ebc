"""Schemas of the identity routes (``entrypoints.api.identities``), split by direction:
``*Create``/``*Patch``/``*Request`` in, ``*Public`` out.

Input schemas only check JSON shapes; every rule (normalisation, mandatory
fields, character profile) is the domain's, so string fields stay plain strings
and no field has a default other than ``None``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.nss import Nss, NssOid
from identito.domain.permissions import Actor, Permission
from identito.services.unit_of_work import AuditEntry


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- input ---------------------------------------------------------------------------------


class InsInput(_Input):
    number: str
    oid: str


class NssInput(_Input):
    """The billing social-security number (R-TR-20): never an INS."""

    number: str = Field(description="NIR ou NIA de facturation, 15 caractères clé comprise.")
    oid: str | None = Field(
        default=None,
        description="1.2.250.1.213.1.4.13 (NIR, par défaut) ou 1.2.250.1.213.1.4.14 (NIA).",
    )
    holder: str | None = Field(
        default=None,
        description="À qui appartient ce NSS : patient, ou ouvrant_droit (l'assuré dont le "
        "patient est ayant droit, par exemple pour un enfant). Obligatoire.",
    )


class IdentityTraits(_Input):
    """Raw traits; the domain normalises them and reports every faulty field."""

    birth_name: str | None = None
    birth_first_names: list[str] | str | None = Field(
        default=None, description="Liste ordonnée, ou chaîne séparée par des espaces."
    )
    first_birth_first_name: str | None = None
    birth_date: str | None = Field(default=None, description="AAAA-MM-JJ ; jour/mois 00 admis.")
    birth_date_corrected: bool | None = Field(
        default=None,
        description="Date de naissance corrigée (ZFD-4) : date incertaine, ni récupérée ni "
        "qualifiée, matricule jamais diffusé.",
    )
    sex: str | None = Field(default=None, description="M, F ou I.")
    birth_place_code: str | None = Field(default=None, description="Code INSEE (ou 99xxx).")
    used_name: str | None = None
    used_first_name: str | None = None


_CONFIRMATION = (
    "true pour confirmer une date de naissance de plus de 120 ans (refusée sinon, "
    "règle birth_date_confirmation_required)."
)


class DocumentInput(_Input):
    """A high-trust identity document checked (type chosen explicitly, expiry date)."""

    document_type: str | None = Field(default=None, description="CN, PA, CS, IE...")
    document_expiry: date | None = None


class IdentityCreate(IdentityTraits):
    """The traits of a new identity and how they were collected."""

    collection_method: str = Field(
        default="SM",
        description="Mode de recueil des traits : SM (saisie manuelle), CB (DataMatrix INS "
        "scanné), CV (carte Vitale), RFID.",
    )
    birth_date_confirmed: bool | None = Field(default=None, description=_CONFIRMATION)
    nss: NssInput | None = Field(
        default=None, description="Numéro de sécurité sociale de facturation (jamais l'INS)."
    )
    create_anyway: bool = Field(
        default=False,
        description="Créer quand même : une identité active porte déjà ces traits stricts "
        "(sinon 409 avec son identifiant) ; la paire part en revue des doublons.",
    )

    def traits(self) -> dict[str, Any]:
        return self.model_dump(
            exclude={"collection_method", "birth_date_confirmed", "create_anyway", "nss"}
        )

    def creation(self) -> dict[str, Any]:
        """The traits and the billing NSS of the creation."""
        return {**self.traits(), "nss": self.nss.model_dump() if self.nss else None}


class IdentityPatch(IdentityTraits):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    ins: InsInput | None = Field(default=None, description="Matricule INS et OID, ou null.")
    nss: NssInput | None = Field(
        default=None,
        description="NSS de facturation (numéro, OID, titulaire), ou null pour le retirer ; "
        "ne change ni le statut ni l'INS.",
    )
    birth_date_confirmed: bool | None = Field(default=None, description=_CONFIRMATION)
    document: DocumentInput | None = Field(
        default=None,
        description="Pièce d'identité contrôlée dans la même modification : sans elle, une "
        "identité validée ou qualifiée dont un trait strict change perd son contrôle de pièce.",
    )
    reason: str | None = Field(
        default=None,
        description="Motif de la modification (facultatif), tracé dans l'historique : "
        "espaces en trop retirés, 500 caractères au plus.",
    )

    def changes(self) -> dict[str, Any]:
        exclude = {"birth_date_confirmed", "document", "reason"}
        return self.model_dump(exclude_unset=True, exclude=exclude)


class AttributeChange(_Input):
    add: list[str] = Field(default_factory=list, description="DOUT, FICT, HOMA")
    remove: list[str] = Field(default_factory=list)
    reason: str | None = None


class ValidationRequest(_Input):
    document_type: str | None = Field(default=None, description="CN, PA, CS, IE...")
    document_expiry: date | None = None


# -- output --------------------------------------------------------------------------------


class InsPublic(BaseModel):
    number: str
    oid: str
    kind: Literal["NIR", "NIA", "NIR_TEST", "NIR_DEMO"]

    @classmethod
    def render(cls, ins: Ins) -> InsPublic:
        return cls(number=ins.number.number, oid=ins.oid.value, kind=ins.kind.value)


class NssPublic(BaseModel):
    """The billing NSS: a NIR or NIA of the patient or of the ouvrant droit, not an INS."""

    number: str
    oid: str
    kind: Literal["NIR", "NIA"]
    holder: Literal["patient", "ouvrant_droit"]
    holder_label: str

    @classmethod
    def render(cls, nss: Nss) -> NssPublic:
        kind: Literal["NIR", "NIA"] = "NIA" if nss.oid is NssOid.NIA else "NIR"
        return cls(
            number=nss.number, oid=nss.oid.value, kind=kind, holder=nss.holder.value,
            holder_label=nss.holder.label,
        )  # fmt: skip


class InsHistoryPublic(InsPublic):
    ended_at: datetime
    reason: str


class InsiHistoryPublic(BaseModel):
    """One INSHISTO entry exactly as INSi returned it (dates may be inconsistent)."""

    number: str
    oid: str
    start: str | None
    end: str | None


class ValidationPublic(BaseModel):
    document_type: str
    document_expiry: date | None = Field(
        description="Vide quand un émetteur du domaine d'identification n'a pas transmis ZFD-8."
    )
    validated_at: datetime
    validated_by: str


class WarningPublic(BaseModel):
    code: str
    message: str


class IdentityPublic(BaseModel):
    id: UUID
    version: int
    status: Literal["PROV", "RECUP", "VALI", "QUAL"]
    attributes: list[str]
    birth_name: str
    birth_first_names: list[str]
    first_birth_first_name: str
    birth_date: str = Field(description="Telle que reçue (peut valoir 1960-00-00).")
    birth_date_completed: date
    birth_date_uncertain: bool = Field(description="Date exceptionnelle (00) ou corrigée.")
    birth_date_corrected: bool = Field(
        default=False, description="Date de naissance corrigée (ZFD-4, FR Core)."
    )
    sex: str
    birth_place_code: str
    used_name: str | None
    used_first_name: str | None
    ins: InsPublic | None
    ins_history: list[InsHistoryPublic]
    nss: NssPublic | None = Field(
        default=None,
        description="NSS de facturation (R-TR-20), distinct du matricule INS ; masqué sans "
        "l'habilitation de lecture des matricules.",
    )
    collection_method: str | None = Field(
        description="Mode de recueil des traits à la création (SM, CB, CV, RFID, INSI) ; "
        "null pour une identité créée avant qu'il ne soit enregistré."
    )
    ins_collection_method: str | None = Field(
        description="Mode de recueil du matricule (FR Core) : INSI quand il vient du "
        "téléservice INSi, SM quand il a été saisi."
    )
    ins_retrieved_at: datetime | None = Field(
        description="Date du recueil du matricule : appel INSi intégré, réception, ou saisie."
    )
    ins_source: Literal["INSI", "DOMAIN", "SM"] | None = Field(
        default=None,
        description="Origine du matricule détenu : téléservice INSi, domaine d'identification "
        "(réception qualifiée), ou saisi (SM, à vérifier par INSi).",
    )
    ins_confirmed: bool = Field(
        default=False,
        description="Vrai quand le matricule rend l'identité récupérée ou qualifiée ; faux "
        "pour un INS saisi (à vérifier) ou retenu (date de naissance incertaine, sexe I).",
    )
    ins_to_verify: bool = Field(
        default=False, description="INS saisi, à vérifier : une vérification INSi est en attente."
    )
    ins_not_confirmed_because: list[str] = Field(
        default_factory=list,
        description="Pourquoi le matricule détenu ne rend pas l'identité récupérée ou qualifiée.",
    )
    insi_history: list[InsiHistoryPublic] = Field(
        description="Matricules précédents (INSHISTO) tels que renvoyés par INSi."
    )
    validation: ValidationPublic | None
    warnings: list[WarningPublic]
    created_at: datetime | None
    updated_at: datetime | None
    active: bool = Field(description="Faux pour une identité fusionnée dans une autre (DESA).")
    merged_into: UUID | None = Field(description="L'identité conservée d'une identité fusionnée.")
    collision: Literal["COLP", "COLV"] | None = Field(
        default=None,
        description="Collision potentielle (COLP) ou avérée (COLV) : deux personnes dans un "
        "dossier ; le matricule INS n'est alors plus diffusé.",
    )
    received_from_other_domain: bool = Field(
        default=False,
        description="RECD (table 0445) : identité reçue d'un autre domaine d'identification.",
    )
    linked_in_other_domain: bool = Field(
        default=False,
        description="IDRA (table 0445) : identité rapprochée d'un patient d'un autre domaine "
        "d'identification (un message de ce domaine a été intégré à cette identité).",
    )

    @classmethod
    def render(cls, identity: Identity, actor: Actor) -> IdentityPublic:
        """The identity as ``actor`` may see it: no matricule without ``INS_READ``."""
        show_ins = actor.can(Permission.INS_READ)
        traits, validation = identity.traits, identity.validation
        history = [
            InsHistoryPublic(
                **InsPublic.render(entry.ins).model_dump(),
                ended_at=entry.ended_at,
                reason=entry.reason,
            )
            for entry in identity.ins_history
        ]
        return cls(
            **traits.as_dict(),
            id=identity.id,
            version=identity.version,
            status=identity.status.value,
            attributes=sorted(a.value for a in identity.attributes),
            birth_date_completed=traits.birth_date.value,
            birth_date_uncertain=traits.birth_date.uncertain,
            ins=InsPublic.render(identity.ins) if show_ins and identity.ins else None,
            ins_history=history if show_ins else [],
            nss=NssPublic.render(identity.nss) if show_ins and identity.nss else None,
            collection_method=(
                identity.collection_method.value if identity.collection_method else None
            ),
            ins_collection_method=(
                identity.ins_collection_method.value if identity.ins_collection_method else None
            ),
            ins_retrieved_at=identity.ins_retrieved_at,
            ins_source=identity.ins_source.value if identity.ins_source else None,
            ins_confirmed=identity.ins_confirmed,
            ins_to_verify=identity.ins_to_verify,
            ins_not_confirmed_because=list(identity.ins_not_confirmed_because),
            insi_history=[
                InsiHistoryPublic(number=h.number, oid=h.oid, start=h.start, end=h.end)
                for h in identity.insi_history
            ]
            if show_ins
            else [],
            validation=ValidationPublic(**vars(validation)) if validation else None,
            warnings=[
                WarningPublic(code=w.code.value, message=w.message) for w in identity.warnings
            ],
            created_at=identity.created_at,
            updated_at=identity.updated_at,
            active=identity.active,
            merged_into=identity.merged_into,
            collision=identity.collision.value if identity.collision else None,
            received_from_other_domain=identity.received_from_other_domain,
            linked_in_other_domain=identity.linked_in_other_domain,
        )


class IdentityList(BaseModel):
    items: list[IdentityPublic]


class AuditEntryPublic(BaseModel):
    id: UUID
    at: datetime
    actor: str
    action: str
    identity_id: UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    details: dict[str, Any]
    intact: bool | None = Field(
        None,
        description="false : la ligne ne correspond plus à son empreinte (modifiée après "
        "son écriture, ou insérée hors d'identito) ; `identito audit verify` vérifie tout.",
    )

    @classmethod
    def render(cls, entry: AuditEntry) -> AuditEntryPublic:
        return cls.model_validate(entry, from_attributes=True)


class AuditList(BaseModel):
    items: list[AuditEntryPublic]
