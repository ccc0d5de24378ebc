"""The billing social-security number (NSS): a NIR or NIA kept apart from the INS.

R-TR-20 (REQUIREMENTS.md; identito-na.fr « NIR et NIA », IHE PAM FR §6.6.1, FR Core
PR #129): the matricule INS and the NSS used for billing are two different data.
The NSS may be the patient's own NIR or the NIR of the *ouvrant droit* (the insured
person a child or a spouse is covered through), so its holder is recorded with it.
A number typed as an NSS is never an INS: it is an ``Nss``, not an ``Ins``, it never
makes an identity récupérée or qualifiée, and it is diffused as an NSS (HL7 v2 PID-3
type ``NH``, FR Core slice ``NSS-NIR`` / ``NSS-NIA``), never with an INS type.

OIDs (R-TR-19; FR Core 2.2.0 ``fr-core-patient`` slices ``NSS-NIR`` / ``NSS-NIA``):
``1.2.250.1.213.1.4.13`` (NIR used as NSS) and ``1.2.250.1.213.1.4.14`` (NIA used as
NSS). The number is 13 characters and its 2-digit key, checked as the matricule
(python-stdnum ``stdnum.fr.nir``). R-AS-04: it is searchable exactly.

>>> Nss.parse("2 95 10 99 126 111 93", None, "ouvrant_droit").holder.label
"L'ouvrant droit (assuré dont le patient est ayant droit)"
>>> Nss.parse("295109912611193", "1.2.250.1.213.1.4.14", "patient").oid
<NssOid.NIA: '1.2.250.1.213.1.4.14'>
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.fr import nir

from identito.domain.errors import FieldErrors, InvalidInput


class NssOid(StrEnum):
    """Assigning authorities of the NIR / NIA used as social-security number."""

    NIR = "1.2.250.1.213.1.4.13"
    NIA = "1.2.250.1.213.1.4.14"

    @property
    def label(self) -> str:
        return "NIR" if self is NssOid.NIR else "NIA"


class NssHolder(StrEnum):
    """Whose social-security number it is (R-TR-20: the billing NIR may be another's)."""

    PATIENT = "patient"
    OUVRANT_DROIT = "ouvrant_droit"

    @property
    def label(self) -> str:
        return NSS_HOLDER_LABELS[self]


NSS_HOLDER_LABELS = {
    NssHolder.PATIENT: "Le patient (assuré lui-même)",
    NssHolder.OUVRANT_DROIT: "L'ouvrant droit (assuré dont le patient est ayant droit)",
}


@dataclass(frozen=True)
class Nss:
    """A billing NIR or NIA, its OID and whose it is. Never an ``Ins``."""

    number: str
    oid: NssOid
    holder: NssHolder

    @classmethod
    def parse(cls, number: str | None, oid: str | None, holder: str | None) -> Nss:
        """Every faulty field at once; an empty OID means the NIR one (``…4.13``)."""
        errors = FieldErrors()
        parsed_number = _number(number or "", errors)
        parsed_oid = _oid(oid, errors)
        parsed_holder = _holder(holder, errors)
        errors.raise_if_any()
        assert parsed_number and parsed_oid and parsed_holder
        return cls(parsed_number, parsed_oid, parsed_holder)

    def as_dict(self) -> dict[str, str]:
        """As audit snapshots keep it."""
        return {"number": self.number, "oid": self.oid.value, "holder": self.holder.value}


def search_number(value: str) -> str:
    """A searched NSS: spaces removed, upper case (2A / 2B)."""
    return "".join(value.split()).upper()


def _number(value: str, errors: FieldErrors) -> str | None:
    compact = nir.compact(value)
    try:
        return str(nir.validate(compact))
    except InvalidLength:
        message = (
            f"Le numéro de sécurité sociale doit compter 15 caractères, clé comprise "
            f"(reçu : {len(compact)})."
        )
        errors.add("nss.number", "nss_length", message)
    except InvalidChecksum:
        expected = nir.calc_check_digits(compact[:13])
        errors.add("nss.number", "nss_key", f"La clé du NSS est fausse (attendue : {expected}).")
    except ValidationError:
        message = (
            "Le numéro de sécurité sociale ne contient que des chiffres, "
            "avec 2A ou 2B en positions 6-7 pour la Corse."
        )
        errors.add("nss.number", "nss_format", message)
    return None


def _oid(value: str | None, errors: FieldErrors) -> NssOid | None:
    text = (value or "").strip().removeprefix("urn:oid:")
    if not text:
        return NssOid.NIR
    try:
        return NssOid(text)
    except ValueError:
        known = ", ".join(o.value for o in NssOid)
        message = (
            f"OID « {text} » : ce n'est pas celui d'un numéro de sécurité sociale ; "
            f"valeurs admises : {known} (le NSS n'est jamais un matricule INS)."
        )
        errors.add("nss.oid", "nss_oid", message)
    return None


def _holder(value: str | None, errors: FieldErrors) -> NssHolder | None:
    text = (value or "").strip().lower()
    if not text:
        errors.add(
            "nss.holder",
            "required",
            "Précisez à qui appartient ce NSS : le patient ou l'ouvrant droit.",
        )
        return None
    try:
        return NssHolder(text)
    except ValueError:
        errors.add("nss.holder", "nss_holder", "Titulaire inconnu (patient, ouvrant_droit).")
    return None


def parse_optional(value: object) -> Nss | None:
    """An API/web value: ``None`` clears the NSS, a mapping gives a new one."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput.single("nss", "nss_shape", "NSS attendu : numéro, OID et titulaire.")
    return Nss.parse(value.get("number"), value.get("oid"), value.get("holder"))
