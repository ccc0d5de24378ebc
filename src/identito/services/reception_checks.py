"""What a received identity says of itself before it may carry an INS (issue 11).

Pure checks used by ``services.reception``:

* ``received_attributes``: the DOUT / FICT / HOMA codes of PID-32 (extra repetitions)
  or of the FR Core ``identityReliability`` (extra ``identityStatus``, ``comment``),
  checked for the RNIV combinations (R-ST-10); other 0445 codes are ignored;
* ``ins_refusal``: why a transmitted INS is never integrated even from a qualified
  sender: a doubtful or fictitious identity (R-ST-10), an uncertain birth date
  (exceptional ``00`` or corrected, ZFD-4: R-TR-11, R-TR-12), a sex other than M/F
  (R-TR-14). The identity is then integrated without its matricule, so it is
  neither RECUP nor QUAL and nothing of the INS is re-sent;
* ``compare_received``: the strict traits of a local identity holding the
  transmitted matricule beside the received ones, compared as in the INSi
  comparison window (``services.comparison``): only identical traits are linked
  (R-VE-02, webinar "règles de réception").
"""

from __future__ import annotations

from collections.abc import Iterable

from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.status import IdentityAttribute, check_attribute_combination
from identito.domain.trait_set import IdentityWarning, Traits
from identito.services.comparison import Comparison, compare
from identito.services.teleservice import VerificationQuery

#: Codes of table 0445 that are identity attributes (the others are management codes).
ATTRIBUTE_CODES = {a.value: a for a in IdentityAttribute}
#: Received traits as parsed, with their warnings.
Parsed = tuple[Traits, tuple[IdentityWarning, ...]]


def received_attributes(codes: Iterable[str]) -> frozenset[IdentityAttribute]:
    """The attributes among the received codes; raises ``InvalidTransition`` for a
    combination the RNIV forbids (FICT with DOUT or HOMA)."""
    found = frozenset(ATTRIBUTE_CODES[c.strip().upper()] for c in codes
                      if c.strip().upper() in ATTRIBUTE_CODES)  # fmt: skip
    check_attribute_combination(found)
    return found


def ins_refusal(traits: Traits, attributes: frozenset[IdentityAttribute]) -> str | None:
    """Why the transmitted INS may not be integrated, or None."""
    blocking = sorted(a.value for a in attributes if a.forces_provisional)
    if blocking:
        return f"Identité reçue {'/'.join(blocking)} : le matricule INS n'est pas intégré."
    if traits.birth_date.corrected:
        return "Date de naissance corrigée (ZFD-4) : le matricule INS n'est pas intégré."
    if traits.birth_date.exceptional:
        return "Date de naissance exceptionnelle (00) : le matricule INS n'est pas intégré."
    if not traits.sex.known_to_insi:
        return "Sexe indéterminé (ni M ni F) : le matricule INS n'est pas intégré."
    return None


def compare_received(local: Identity, received: Traits) -> Comparison:
    """The local identity's strict traits beside the received ones."""
    return compare(local.traits, received)


def verification_query(traits: Traits, ins: Ins) -> VerificationQuery:
    return VerificationQuery(
        ins_number=ins.number.number,
        oid=ins.oid.value,
        birth_name=traits.birth_name,
        first_names=tuple(traits.birth_first_names),
        sex=traits.sex.value,
        birth_date=traits.birth_date.raw,
        birth_place_code=traits.birth_place_code,
    )
