"""Bodies of the INSi requests and parsers of the answers (pure: elements and bytes).

Recovery follows ``INSi_RECSANS_INS.xsd``, ``INSi_RECVITALE_INS.xsd`` and
``INSi_RESULTAT_INS.xsd`` to the letter. Verification (unit and batch) is not in
the public contract: ``contract/identito/INSi_VERIF_assumed.xsd`` models it on the
recovery operations (docs/insi.md lists the assumptions).

Answers are kept exactly as received; a ``00`` without a complete identity, a
missing ``CR`` or an unknown code raises ``MalformedResponse``. Keys are never
checked here: the CNDA test service itself returns keys that fail mod 97
(``TEST_2.08_cas2``).
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from identito.adapters.insi.envelope import (
    MALFORMED,
    RECSANS,
    RECVIT,
    RESULTAT,
    VERIF,
    _sub,
    body_of,
)
from identito.domain.ins_source import check_insi_sex
from identito.domain.insi import InsiOutcome
from identito.services.teleservice import (
    BatchVerificationResult,
    CardQuery,
    InsiHistoryEntry,
    InsiIdentity,
    MalformedResponse,
    TraitsQuery,
    VerificationQuery,
)


def traits_body(query: TraitsQuery) -> etree._Element:
    check_insi_sex(query.sex)  # never <Sexe>I</Sexe> (R-TR-14); the services refuse it first
    body = etree.Element(f"{{{RECSANS}}}RECSANSVITALE", nsmap={None: RECSANS})
    _sub(body, RECSANS, "NomNaissance", query.birth_name)
    for first_name in query.first_names:
        _sub(body, RECSANS, "Prenom", first_name)
    _sub(body, RECSANS, "Sexe", query.sex)
    _sub(body, RECSANS, "DateNaissance", query.birth_date)
    if query.birth_place_code:
        _sub(body, RECSANS, "LieuNaissance", query.birth_place_code)
    return body


def card_body(query: CardQuery) -> etree._Element:
    body = etree.Element(f"{{{RECVIT}}}RECVITALE", nsmap={None: RECVIT})
    nir = query.nir.replace(" ", "")
    matricule = _sub(body, RECVIT, "MatriculeIndividu")
    _sub(matricule, RECVIT, "NumIdentifiant", nir[:13])
    if len(nir) == 15:
        _sub(matricule, RECVIT, "Cle", nir[13:])
    _sub(body, RECVIT, "DateNaissance", query.birth_date)
    _sub(body, RECVIT, "RangNaissance", str(query.rank))
    return body


def _verification(parent: etree._Element | None, query: VerificationQuery) -> etree._Element:
    check_insi_sex(query.sex)  # never <Sexe>I</Sexe> (R-TR-14); the services refuse it first
    tag = f"{{{VERIF}}}VERIFINS"
    item = (
        etree.Element(tag, nsmap={None: VERIF}) if parent is None else etree.SubElement(parent, tag)
    )
    matricule = _sub(item, VERIF, "IdIndividu")
    _sub(matricule, VERIF, "NumIdentifiant", query.ins_number[:13])
    _sub(matricule, VERIF, "Cle", query.ins_number[13:])
    _sub(item, VERIF, "OID", query.oid)
    _sub(item, VERIF, "NomNaissance", query.birth_name)
    for first_name in query.first_names:
        _sub(item, VERIF, "Prenom", first_name)
    _sub(item, VERIF, "Sexe", query.sex)
    _sub(item, VERIF, "DateNaissance", query.birth_date)
    if query.birth_place_code:
        _sub(item, VERIF, "LieuNaissance", query.birth_place_code)
    return item


def verification_body(query: VerificationQuery) -> etree._Element:
    return _verification(None, query)


def batch_submit_body(queries: Sequence[VerificationQuery]) -> etree._Element:
    body = etree.Element(f"{{{VERIF}}}DEPOTLOT", nsmap={None: VERIF})
    for query in queries:
        _verification(body, query)
    return body


def batch_fetch_body(batch_id: str) -> etree._Element:
    body = etree.Element(f"{{{VERIF}}}CONSULTLOT", nsmap={None: VERIF})
    _sub(body, VERIF, "IdLot", batch_id)
    return body


def _answer(data: bytes, ns: str, tag: str) -> etree._Element:
    """The answer element, read by name and not validated against the XSD: the CNDA
    test service itself puts ``DateDeb``/``DateFin`` before ``IdIndividu`` in
    ``INSHISTO`` (``TEST_2.04_cas2``), against the schema's sequence."""
    element = body_of(data)
    if element.tag != f"{{{ns}}}{tag}":
        raise MalformedResponse(MALFORMED)
    return element


def _text(element: etree._Element | None, ns: str, *path: str) -> str:
    """Text of the element at ``path`` (names in namespace ``ns``) as received, or ""."""
    found = (
        element.find("/".join(f"{{{ns}}}{name}" for name in path)) if element is not None else None
    )
    return (found.text or "") if found is not None else ""


def _optional(value: str) -> str | None:
    return value if value.strip() else None


def _cr(element: etree._Element, ns: str) -> tuple[str, str]:
    return _text(element, ns, "CR", "CodeCR").strip(), _text(element, ns, "CR", "LibelleCR")


def _ins(element: etree._Element) -> tuple[str, str]:
    num = _text(element, RESULTAT, "IdIndividu", "NumIdentifiant")
    key = _text(element, RESULTAT, "IdIndividu", "Cle")
    oid = _text(element, RESULTAT, "OID")
    if not (num.strip() and key.strip() and oid.strip()):
        raise MalformedResponse(MALFORMED)
    return num + key, oid


def _identity(individu: etree._Element | None) -> InsiIdentity:
    active = individu.find(f"{{{RESULTAT}}}INSACTIF") if individu is not None else None
    tiq = individu.find(f"{{{RESULTAT}}}TIQ") if individu is not None else None
    if active is None or tiq is None:
        raise MalformedResponse(MALFORMED)
    number, oid = _ins(active)

    def trait(name: str) -> str:
        return _text(tiq, RESULTAT, name)

    required = [trait(n) for n in ("NomNaissance", "ListePrenom", "Sexe", "DateNaissance")]
    if not all(value.strip() for value in required):
        raise MalformedResponse(MALFORMED)
    history = []
    for entry in individu.iterfind(f"{{{RESULTAT}}}INSHISTO"):
        h_number, h_oid = _ins(entry)
        start = _optional(_text(entry, RESULTAT, "DateDeb"))
        end = _optional(_text(entry, RESULTAT, "DateFin"))
        history.append(InsiHistoryEntry(h_number, h_oid, start, end))
    birth_name, first_names, sex, birth_date = required
    return InsiIdentity(
        birth_name=birth_name,
        first_names=first_names,
        sex=sex,
        birth_date=birth_date,
        birth_place_code=_optional(trait("LieuNaissance")),
        ins_number=number,
        oid=oid,
        first_name=_optional(trait("Prenom")),
        history=tuple(history),
    )


def parse_recovery(data: bytes) -> tuple[InsiOutcome, str, InsiIdentity | None]:
    """``RESULTAT`` of a recovery: return code, label and, on ``00``, the identity."""
    result = _answer(data, RESULTAT, "RESULTAT")
    code, label = _cr(result, RESULTAT)
    try:
        outcome = InsiOutcome(code)
    except ValueError:
        raise MalformedResponse(MALFORMED) from None
    if outcome is not InsiOutcome.FOUND:
        return outcome, label, None
    return outcome, label, _identity(result.find(f"{{{RESULTAT}}}INDIVIDU"))


def parse_verification(data: bytes) -> tuple[bool, str]:
    result = _answer(data, VERIF, "RESULTATVERIF")
    return _text(result, VERIF, "Statut").strip() == "OK", _cr(result, VERIF)[1]


def parse_batch_ack(data: bytes) -> str:
    ack = _answer(data, VERIF, "ACCUSELOT")
    batch_id = _text(ack, VERIF, "IdLot").strip()
    if not batch_id:
        raise MalformedResponse(MALFORMED)
    return batch_id


def parse_batch_result(data: bytes) -> tuple[bool, tuple[BatchVerificationResult, ...]]:
    result = _answer(data, VERIF, "RESULTATLOT")
    done = _text(result, VERIF, "Etat").strip() == "TERMINE"
    items = []
    for item in result.iterfind(f"{{{VERIF}}}RESULTAT"):
        number = _text(item, VERIF, "IdIndividu", "NumIdentifiant")
        number += _text(item, VERIF, "IdIndividu", "Cle")
        status = _text(item, VERIF, "Statut").strip()
        error = _optional(_text(item, VERIF, "Erreur"))
        items.append(BatchVerificationResult(number, status == "OK" if status else None, error))
    return done, tuple(items)
