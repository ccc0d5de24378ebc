"""The simulator's side of the wire: read requests, write answers and faults.

Answers have the layout of the CNDA test service's (``samples/``): compact XML,
``S:Body`` inside ``soap:Envelope``, ``RESULTAT`` with the ``ns2``/``ns3``
declarations, ``DateDeb``/``DateFin`` before ``IdIndividu`` in ``INSHISTO``.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from identito.adapters.insi.envelope import RECSANS, RECVIT, SOAP, VERIF, WSA, Operation
from identito.adapters.insi.simulator.population import Person
from identito.domain.insi import InsiOutcome
from identito.services.teleservice import (
    BatchVerificationResult,
    CardQuery,
    TraitsQuery,
    VerificationQuery,
)

BODIES = {
    Operation.TRAITS: f"{{{RECSANS}}}RECSANSVITALE",
    Operation.CARD: f"{{{RECVIT}}}RECVITALE",
    Operation.VERIFY: f"{{{VERIF}}}VERIFINS",
    Operation.BATCH_SUBMIT: f"{{{VERIF}}}DEPOTLOT",
    Operation.BATCH_FETCH: f"{{{VERIF}}}CONSULTLOT",
}
LABELS = {
    InsiOutcome.FOUND: "OK",
    InsiOutcome.NOT_FOUND: "Aucune identite trouvee",
    InsiOutcome.SEVERAL_FOUND: "Plusieurs identites trouvees",  # ASSUMED wording
}
_ENVELOPE = f'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="{SOAP}">'
_OPEN = f'{_ENVELOPE}<S:Body xmlns:S="{SOAP}">'
_CLOSE = "</S:Body></soap:Envelope>"


class BadRequest(Exception):
    """The request breaks the contract (answered with a SOAP fault)."""


@dataclass(frozen=True)
class Request:
    operation: Operation
    message_id: str
    body: etree._Element


def _values(element: etree._Element, ns: str, name: str) -> list[str]:
    return [(e.text or "").strip() for e in element.iterfind(f"{{{ns}}}{name}")]


def _value(element: etree._Element, ns: str, path: str, *, required: bool = True) -> str:
    found = element.findtext("/".join(f"{{{ns}}}{n}" for n in path.split("/")))
    if required and not (found or "").strip():
        raise BadRequest(f"{path} manquant")
    return (found or "").strip()


def read_request(root: etree._Element) -> Request:
    """Operation (from ``wsa:Action``, which must agree with the body) and body element."""
    header = root.find(f"{{{SOAP}}}Header")
    action = header.findtext(f"{{{WSA}}}Action") if header is not None else None
    operation = Operation.from_action(action or "")
    body = next(c for c in root.find(f"{{{SOAP}}}Body") if isinstance(c.tag, str))
    if operation is None or BODIES[operation] != body.tag:
        raise BadRequest("l'action WS-Addressing ne correspond pas au corps du message")
    message_id = (header.findtext(f"{{{WSA}}}MessageID") or "").strip()
    return Request(operation, message_id, body)


def traits_query(body: etree._Element) -> TraitsQuery:
    first_names = [n for n in _values(body, RECSANS, "Prenom") if n]
    if not first_names:
        raise BadRequest("Prenom manquant")
    place = _value(body, RECSANS, "LieuNaissance", required=False)
    return TraitsQuery(
        _value(body, RECSANS, "NomNaissance"),
        first_names,
        _value(body, RECSANS, "Sexe"),
        _value(body, RECSANS, "DateNaissance"),
        place or None,
    )


def card_query(body: etree._Element) -> CardQuery:
    rank = _value(body, RECVIT, "RangNaissance")
    if not rank.isdigit():
        raise BadRequest("RangNaissance invalide")
    number = _value(body, RECVIT, "MatriculeIndividu/NumIdentifiant")
    return CardQuery(number, _value(body, RECVIT, "DateNaissance"), int(rank))


def verification_query(item: etree._Element) -> VerificationQuery:
    number = _value(item, VERIF, "IdIndividu/NumIdentifiant") + _value(
        item, VERIF, "IdIndividu/Cle"
    )
    return VerificationQuery(
        number,
        _value(item, VERIF, "OID"),
        _value(item, VERIF, "NomNaissance"),
        [n for n in _values(item, VERIF, "Prenom") if n],
        _value(item, VERIF, "Sexe"),
        _value(item, VERIF, "DateNaissance"),
        _value(item, VERIF, "LieuNaissance", required=False) or None,
    )


def batch_queries(body: etree._Element) -> list[VerificationQuery]:
    return [verification_query(item) for item in body.iterfind(f"{{{VERIF}}}VERIFINS")]


def batch_id_of(body: etree._Element) -> str:
    return _value(body, VERIF, "IdLot")


def _t(tag: str, value: str) -> str:
    return f"<{tag}>{escape(value)}</{tag}>"


def _ins(number: str, oid: str, start: str | None = None, end: str | None = None) -> str:
    dates = (_t("DateDeb", start) if start else "") + (_t("DateFin", end) if end else "")
    matricule = _t("NumIdentifiant", number[:13]) + _t("Cle", number[13:])
    return f"{dates}<IdIndividu>{matricule}</IdIndividu>{_t('OID', oid)}"


def _tiq(person: Person) -> str:
    first = person.birth_first_names.split(" ")[0]
    place = _t("LieuNaissance", person.birth_place_code) if person.birth_place_code else ""
    return (
        f"<TIQ>{_t('NomNaissance', person.birth_name)}{_t('Prenom', first)}"
        f"{_t('ListePrenom', person.birth_first_names)}{_t('Sexe', person.sex)}"
        f"{_t('DateNaissance', person.birth_date)}{place}</TIQ>"
    )


def recovery_answer(outcome: InsiOutcome, person: Person | None = None) -> bytes:
    individu = ""
    if outcome is InsiOutcome.FOUND and person is not None:
        history = "".join(
            f"<INSHISTO>{_ins(h.number, h.oid, h.start, h.end)}</INSHISTO>" for h in person.history
        )
        active = f"<INSACTIF>{_ins(person.ins_number, person.oid)}</INSACTIF>"
        individu = f"<INDIVIDU>{active}{history}{_tiq(person)}</INDIVIDU>"
    cr = f"<CR>{_t('CodeCR', outcome.value)}{_t('LibelleCR', LABELS[outcome])}</CR>"
    result = (
        f'<RESULTAT xmlns:ns3="{RECVIT}" xmlns:ns2="{RECSANS}" '
        f'xmlns="http://www.cnamts.fr/INSiResultat">{cr}{individu}</RESULTAT>'
    )
    return (_OPEN + result + _CLOSE).encode()


def _verif(content: str, tag: str) -> bytes:
    return (_OPEN + f'<{tag} xmlns="{VERIF}">{content}</{tag}>' + _CLOSE).encode()


def _ok_cr() -> str:
    return "<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR>"


def verification_answer(ok: bool) -> bytes:
    return _verif(f"{_ok_cr()}{_t('Statut', 'OK' if ok else 'KO')}", "RESULTATVERIF")


def batch_ack(batch_id: str) -> bytes:
    return _verif(f"{_ok_cr()}{_t('IdLot', batch_id)}", "ACCUSELOT")


def batch_result(batch_id: str, results: tuple[BatchVerificationResult, ...] | None) -> bytes:
    state = "EN_COURS" if results is None else "TERMINE"
    items = "".join(
        f"<RESULTAT><IdIndividu>{_t('NumIdentifiant', r.ins_number[:13])}"
        f"{_t('Cle', r.ins_number[13:])}</IdIndividu>"
        + (_t("Statut", "OK" if r.ok else "KO") if r.ok is not None else "")
        + (_t("Erreur", r.error) if r.error else "")
        + "</RESULTAT>"
        for r in results or ()
    )
    return _verif(f"{_ok_cr()}{_t('IdLot', batch_id)}{_t('Etat', state)}{items}", "RESULTATLOT")


def fault(
    subcode: str, code: str, reason: str, message_id: str = "", *, sender: bool = True
) -> bytes:
    """A SOAP 1.2 fault shaped like the test service's (``siram:Erreur`` in ``Detail``)."""
    value = "soap:Sender" if sender else "soap:Receiver"
    mid = f" messageID={quoteattr(message_id)}" if message_id else ""
    return (
        f'{_ENVELOPE}<env:Body xmlns:env="{SOAP}"><soap:Fault>'
        f"<soap:Code><soap:Value>{value}</soap:Value>"
        f"<soap:Subcode><soap:Value>soap:{escape(subcode)}</soap:Value></soap:Subcode></soap:Code>"
        f'<soap:Reason><soap:Text xml:lang="fr">{escape(reason)}</soap:Text></soap:Reason>'
        f'<soap:Detail><siram:Erreur code={quoteattr(code)}{mid} severite="erreur" '
        f'xmlns:siram="urn:siram">{escape(reason)}</siram:Erreur></soap:Detail></soap:Fault>'
        "</env:Body></soap:Envelope>"
    ).encode()
