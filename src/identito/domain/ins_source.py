"""Where a held matricule INS comes from, and what keeps it from being confirmed.

An identity may *hold* a matricule without it being *confirmed*; only a confirmed
matricule makes the identity récupérée (RECUP) or qualifiée (QUAL)
(``status.status_of``). A matricule is confirmed when

* it comes from an INSi answer (recovery ``00``, or a verification OK), or from a
  qualified reception of identito's own identification domain (``InsSource``), and
* the strict traits allow it (``confirmation_obstacles``): a birth date that is
  exceptional (day or month ``00``) or corrected (R-TR-11, R-TR-12), or a sex other
  than M/F (R-TR-14), forbid RECUP and QUAL; the matricule is then kept for the
  record, never diffused.

A matricule typed by hand (R-ST-07) is never confirmed: the identity stays PROV or
VALI, flagged "INS saisi, à vérifier", until an INSi verification OK confirms it.

>>> InsSource.TYPED.confirms, InsSource.INSI.confirms
(False, True)
"""

from __future__ import annotations

from enum import StrEnum

from identito.domain.errors import FieldError, InvalidInput
from identito.domain.trait_set import Traits
from identito.domain.traits import INSI_SEXES


class InsSource(StrEnum):
    """Who gave the matricule the identity holds (stored as ``identities.ins_source``)."""

    INSI = "INSI"  # an INSi answer: recovery 00 or verification OK
    DOMAIN = "DOMAIN"  # a qualified reception from identito's own identification domain
    TYPED = "SM"  # typed by hand (saisie manuelle): to be verified by INSi

    @property
    def confirms(self) -> bool:
        """Whether this source alone may make the identity RECUP or QUAL."""
        return self is not InsSource.TYPED

    @property
    def label(self) -> str:
        return INS_SOURCE_LABELS[self]


INS_SOURCE_LABELS = {
    InsSource.INSI: "Téléservice INSi",
    InsSource.DOMAIN: "Domaine d'identification (réception qualifiée)",
    InsSource.TYPED: "INS saisi, à vérifier",
}

TYPED_NOT_CONFIRMED = (
    "INS saisi, à vérifier : un matricule saisi ne rend jamais l'identité récupérée ou "
    "qualifiée ; seule une vérification INSi OK le confirme (R-ST-07)."
)
UNCERTAIN_DATE = (
    "Date de naissance incertaine (jour ou mois 00, ou date corrigée) : l'identité ne peut "
    "être ni récupérée ni qualifiée ; le matricule est conservé sans être diffusé "
    "(R-TR-11, R-TR-12)."
)
UNDETERMINED_SEX = (
    "Sexe indéterminé (I) : l'identité ne peut être ni récupérée ni qualifiée ; le "
    "matricule est conservé sans être diffusé (R-TR-14)."
)
INSI_SEX = (
    "Sexe indéterminé (I) : le téléservice INSi n'accepte que M ou F ; aucun appel n'est "
    "fait (R-TR-14). Corrigez le sexe avant d'interroger INSi."
)


def confirmation_obstacles(traits: Traits) -> tuple[FieldError, ...]:
    """Why these strict traits forbid RECUP and QUAL (empty when they allow them)."""
    obstacles = []
    if traits.birth_date.uncertain:
        obstacles.append(FieldError("birth_date", "ins_birth_date_uncertain", UNCERTAIN_DATE))
    if not traits.sex.known_to_insi:
        obstacles.append(FieldError("sex", "ins_sex_undetermined", UNDETERMINED_SEX))
    return tuple(obstacles)


def check_insi_sex(sex: str) -> None:
    """Refuse, before any call, to send INSi a sex other than M or F (R-TR-14).

    >>> check_insi_sex("F")
    >>> try:
    ...     check_insi_sex("I")
    ... except InvalidInput as error:
    ...     print(error.errors[0].field, error.errors[0].rule)
    sex insi_sex_m_or_f
    """
    if sex not in INSI_SEXES:
        raise InvalidInput.single("sex", "insi_sex_m_or_f", INSI_SEX)
