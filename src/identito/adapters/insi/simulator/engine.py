"""The simulator's engine: one request's bytes in, one answer out, like INSi.

Shared by the in-process ``SimulatedTeleservice`` and the HTTPS server, so both
backends give the same answers. Each request is checked against the contract's
XSDs (a non-conforming one gets a SOAP fault), a PS assertion is verified when
present, then the base is searched. Faults are injected by configuration
(``FaultSettings``) or by designated birth names (``TRIGGERS``); docs/insi.md.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography import x509
from lxml import etree

from identito.adapters.insi.envelope import CONTENT_TYPE, SAML, WSSE, Operation
from identito.adapters.insi.saml import InvalidAssertion, verify_assertion
from identito.adapters.insi.schemas import envelope_errors
from identito.adapters.insi.simulator import wire
from identito.adapters.insi.simulator.matching import ReferenceBase
from identito.adapters.insi.simulator.population import DATA
from identito.domain.insi import InsiOutcome
from identito.domain.traits import search_key
from identito.services.teleservice import BatchVerificationResult, VerificationQuery


class FaultMode(StrEnum):
    NONE = "none"
    UNAVAILABLE = "unavailable"  # HTTP 503, no SOAP
    SLOW = "slow"  # the normal answer, after a delay
    FAULT = "fault"  # a SOAP fault with the configured code
    MALFORMED = "malformed"  # XML that is not well-formed
    TRUNCATED = "truncated"  # the normal answer cut in the middle


#: Designated birth names: a traits request (or verification) naming one gets the fault.
TRIGGERS = {
    "PANNE": FaultMode.FAULT,
    "LENTEUR": FaultMode.SLOW,
    "MALFORME": FaultMode.MALFORMED,
    "TRONQUE": FaultMode.TRUNCATED,
    "INDISPONIBLE": FaultMode.UNAVAILABLE,
}
#: ASSUMED fault codes of the simulator (the public contract only shows siram_100/desir_550).
INVALID_REQUEST = ("siram_20", "desir_400", "La requête n'est pas conforme au contrat du service")
INVALID_ASSERTION = (
    "siram_100",
    "desir_401",
    "L'assertion d'identification du professionnel est invalide",
)
UNKNOWN_BATCH = ("siram_20", "desir_404", "Lot de vérification inconnu")
_REASONS = {"desir_550": "Numéro d'autorisation du logiciel inconnu."}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class FaultSettings:
    mode: FaultMode = FaultMode.NONE
    code: str = "siram_100/desir_550"  # subcode/detail code
    delay_seconds: float = 5.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    delay: float = 0.0
    content_type: str = CONTENT_TYPE


@dataclass(frozen=True)
class CallRecord:
    operation: str | None
    peer: str | None  # CN of the client certificate the server saw
    outcome: str  # 00/01/02, OK/KO, batch id, fault code, "unavailable"...
    assertion: dict[str, str] | None = None


@dataclass
class _Batch:
    results: tuple[BatchVerificationResult, ...]
    polls_left: int


#: Batches whose results stay available (assumed: the real service keeps results
#: for a limited time); an expired batch is answered like an unknown one.
KEPT_BATCHES = 256


@dataclass
class SimulatorEngine:
    base: ReferenceBase
    faults: FaultSettings = field(default_factory=FaultSettings)
    trusted_ca: x509.Certificate | None = None  # verifies PS assertions when set
    batch_polls: int = 0
    calls: deque[CallRecord] = field(default_factory=lambda: deque(maxlen=10_000))

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._batches: OrderedDict[str, _Batch] = OrderedDict()
        self._ids = itertools.count(1)

    def handle(self, request: bytes, peer: str | None = None) -> Answer:
        if self.faults.mode is FaultMode.UNAVAILABLE:
            return self._record(None, peer, "unavailable", Answer(503, b"Service Unavailable"))
        try:
            root = etree.fromstring(request, _PARSER)
        except etree.XMLSyntaxError as error:
            return self._fault(None, peer, INVALID_REQUEST, str(error))
        errors = envelope_errors(root)
        if errors:
            return self._fault(None, peer, INVALID_REQUEST, errors[0])
        try:
            parsed = wire.read_request(root)
        except wire.BadRequest as error:
            return self._fault(None, peer, INVALID_REQUEST, str(error))
        assertion = root.find(f".//{{{WSSE}}}Security/{{{SAML}}}Assertion")
        attributes = None
        if assertion is not None and self.trusted_ca is not None:
            try:
                attributes = verify_assertion(assertion, self.trusted_ca)
            except InvalidAssertion as error:
                return self._fault(parsed, peer, INVALID_ASSERTION, str(error))
        try:
            answer, outcome, mode = self._dispatch(parsed)
        except wire.BadRequest as error:
            return self._fault(parsed, peer, INVALID_REQUEST, str(error))
        mode = mode if mode is not FaultMode.NONE else self.faults.mode
        outcome = outcome if mode is FaultMode.NONE else mode.value
        return self._record(parsed, peer, outcome, self._inject(mode, answer, parsed), attributes)

    def _inject(self, mode: FaultMode, answer: Answer, request: wire.Request) -> Answer:
        if mode is FaultMode.UNAVAILABLE:
            return Answer(503, b"Service Unavailable")
        if mode is FaultMode.SLOW:
            return Answer(answer.status, answer.body, self.faults.delay_seconds)
        if mode is FaultMode.MALFORMED:
            return Answer(200, answer.body.replace(b"</S:Body>", b"<S:Body>", 1))
        if mode is FaultMode.TRUNCATED:
            return Answer(200, answer.body[: len(answer.body) // 2])
        if mode is FaultMode.FAULT:
            subcode, _, code = self.faults.code.partition("/")
            code = code or subcode
            reason = _REASONS.get(code, "Erreur simulée du téléservice INSi")
            return Answer(400, wire.fault(subcode, code, reason, request.message_id))
        return answer

    def _dispatch(self, request: wire.Request) -> tuple[Answer, str, FaultMode]:
        body, op = request.body, request.operation
        if op is Operation.TRAITS:
            query = wire.traits_query(body)
            return (*self._recovery(self.base.by_traits(query)), _trigger(query.birth_name))
        if op is Operation.CARD:
            return (*self._recovery(self.base.by_card(wire.card_query(body))), FaultMode.NONE)
        if op is Operation.VERIFY:
            verification = wire.verification_query(body)
            ok = self.base.verify(verification)
            answer = Answer(200, wire.verification_answer(ok))
            return answer, "OK" if ok else "KO", _trigger(verification.birth_name)
        if op is Operation.BATCH_SUBMIT:
            return self._submit(wire.batch_queries(body))
        return self._fetch(wire.batch_id_of(body), request)

    def _recovery(self, found: list) -> tuple[Answer, str]:
        if len(found) == 1:
            person = found[0]
            if person.sample:  # a public sample: the test service's exact bytes
                return Answer(200, (DATA / person.sample).read_bytes()), "00"
            return Answer(200, wire.recovery_answer(InsiOutcome.FOUND, person)), "00"
        outcome = InsiOutcome.NOT_FOUND if not found else InsiOutcome.SEVERAL_FOUND
        return Answer(200, wire.recovery_answer(outcome)), outcome.value

    def _submit(self, queries: list[VerificationQuery]) -> tuple[Answer, str, FaultMode]:
        results = tuple(self._verify_item(q) for q in queries)
        with self._lock:
            batch_id = f"LOT-{next(self._ids):08d}"
            self._batches[batch_id] = _Batch(results, self.batch_polls)
            while len(self._batches) > KEPT_BATCHES:  # the oldest results expire
                self._batches.popitem(last=False)
        return Answer(200, wire.batch_ack(batch_id)), batch_id, FaultMode.NONE

    def _verify_item(self, query: VerificationQuery) -> BatchVerificationResult:
        if len(query.ins_number) != 15:
            return BatchVerificationResult(query.ins_number, None, "Matricule INS invalide")
        return BatchVerificationResult(query.ins_number, self.base.verify(query))

    def _fetch(self, batch_id: str, request: wire.Request) -> tuple[Answer, str, FaultMode]:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                subcode, code, reason = UNKNOWN_BATCH
                answer = Answer(400, wire.fault(subcode, code, reason, request.message_id))
                return answer, code, FaultMode.NONE
            if batch.polls_left > 0:
                batch.polls_left -= 1
                return Answer(200, wire.batch_result(batch_id, None)), "EN_COURS", FaultMode.NONE
        return Answer(200, wire.batch_result(batch_id, batch.results)), "TERMINE", FaultMode.NONE

    def _fault(
        self, request: wire.Request | None, peer: str | None, kind: tuple[str, str, str], why: str
    ) -> Answer:
        subcode, code, reason = kind
        message_id = request.message_id if request else ""
        answer = Answer(400, wire.fault(subcode, code, f"{reason} : {why}", message_id))
        return self._record(request, peer, code, answer)

    def _record(
        self,
        request: wire.Request | None,
        peer: str | None,
        outcome: str,
        answer: Answer,
        assertion: dict[str, str] | None = None,
    ) -> Answer:
        operation = request.operation.value if request else None
        self.calls.append(CallRecord(operation, peer, outcome, assertion))
        return answer


def _trigger(birth_name: str) -> FaultMode:
    return TRIGGERS.get(search_key(birth_name), FaultMode.NONE)
