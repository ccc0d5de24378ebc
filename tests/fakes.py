"""In-memory fakes of the service-layer ports, for unit tests of any layer.

``FakeUnitOfWork`` behaves like the SQL one: it hands out deep copies of the
stored identities, so changes that are not committed are lost on rollback;
``update`` checks the version (optimistic locking); ``commit`` writes the audit
rows of the recorded events and of the noted reads in the same step.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from fakes_duplicate_model import FakeDuplicateModelStore
from fakes_duplicate_reviews import FakeDuplicateReviews
from fakes_imports import FakeImportJobs
from fakes_login import FakeLoginThrottles
from fakes_verification import (
    FakeCampaigns,
    FakeLeases,
    FakeReceptions,
    FakeVigilance,
)
from identito.domain.anteriority import (
    AnteriorityQuery,
    Candidate,
    KeyKind,
    identity_keys,
)
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DocumentType
from identito.domain.duplicates import MatchRecord, record_of, swapped_birth_date
from identito.domain.errors import InvalidInput, NotFound, StaleVersion
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import ensure_sole_holder, holds, must_hold_alone
from identito.domain.insi import InsiOutcome
from identito.domain.interface_accounts import InterfaceAccount
from identito.domain.merges import Merge
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.same_person import lock_number, same_strict_traits
from identito.domain.status import CollisionLevel, IdentityStatus
from identito.domain.trait_set import (
    TYPED_ENTRY,
    IdentityWarning,
    Traits,
    parse_traits,
)
from identito.domain.traits import normalize_place_code, search_key
from identito.services.indicators import indicator_deltas
from identito.services.insi_records import InsiCall, ItemState, Worklist, WorklistItem
from identito.services.rules import Rules
from identito.services.teleservice import (
    CallContext,
    CardQuery,
    Exchange,
    InsiIdentity,
    InsiResponse,
    TeleserviceError,
    TraitsQuery,
)
from identito.services.unit_of_work import (
    AuditEntry,
    AuditQuery,
    IndicatorKey,
    SearchCriteria,
    Token,
    User,
    WebSession,
    audit_entries,
)

#: The instant every fake clock starts at (a weekday morning, UTC).
NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class FakePlaces:
    """A ``BirthPlaceRegister`` accepting any well-formed code.

    ``refused`` codes raise ``InvalidInput`` on ``birth_place_code`` as the INSEE
    reference does for an unknown code; ``warning`` is returned for every other.
    """

    def __init__(self, refused: Collection[str] = (), warning: str | None = None) -> None:
        self.refused = set(refused)
        self.warning = warning
        self.calls: list[tuple[str, date]] = []

    def check_birth_place(self, code: str, on: date) -> str | None:
        self.calls.append((code, on))
        normalize_place_code(code)
        if code in self.refused:
            raise InvalidInput.single(
                "birth_place_code",
                "place_unknown",
                f"Le code lieu de naissance {code} n'existe pas au {on:%d/%m/%Y}.",
            )
        return self.warning


def fake_rules(
    *,
    places: FakePlaces | None = None,
    clock: FixedClock | None = None,
    document_types: dict[str, DocumentType] | None = None,
    allow_test_oids: bool = False,
) -> Rules:
    return Rules(
        places=places or FakePlaces(),
        document_types=document_types or dict(DEFAULT_DOCUMENT_TYPES),
        allow_test_oids=allow_test_oids,
        clock=clock or FixedClock(),
    )


def actor_with_role(role: Role, username: str | None = None) -> Actor:
    """An actor holding the default permissions of a role."""
    return Actor(username or f"{role.value}-user", role, role_permissions(role))


# -- synthetic identities (no real person) --------------------------------------------

#: Valid raw input for a new identity; tests override single fields.
IDENTITY_INPUT: dict[str, Any] = {
    "birth_name": "DUPONT",
    "birth_first_names": ["JEAN", "CHRISTOPHE", "PIERRE"],
    "first_birth_first_name": "JEAN",
    "birth_date": "1980-03-12",
    "sex": "M",
    "birth_place_code": "2B020",
}
#: Synthetic matricules (valid keys) under the production NIR OID.
INS_A = Ins.parse("180032B02040123", Oid.NIR.value)
INS_B = Ins.parse("180037505612310", Oid.NIR.value)


def other_ins(serial: int) -> Ins:
    """A further synthetic matricule (valid key), distinct for each ``serial`` (1-999):
    two active identities never hold the same one (R-DU-03)."""
    body = f"1800375056{serial:03d}"
    return Ins.parse(f"{body}{97 - int(body) % 97:02d}", Oid.NIR.value)


def identity_input(**changes: Any) -> dict[str, Any]:
    return {**IDENTITY_INPUT, **changes}


def make_traits(
    *, entry: Collection[str] = TYPED_ENTRY, **changes: Any
) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    """Traits and warnings parsed from ``IDENTITY_INPUT`` with ``changes``.

    ``entry=RECEIVED_ENTRY`` keeps traits the entry rules refuse when typed (as a
    received message or an identity stored before a rule would carry).
    """
    data = identity_input(**changes)
    return parse_traits(data, today=NOW.date(), places=FakePlaces(), enforce=entry)


def make_identity(
    status: IdentityStatus = IdentityStatus.PROVISIONAL,
    *,
    ins: Ins = INS_A,
    entry: Collection[str] = TYPED_ENTRY,
    **changes: Any,
) -> Identity:
    """An identity brought to ``status`` by the domain's own operations, events cleared."""
    identity = Identity.create(*make_traits(entry=entry, **changes), now=NOW)
    if status.has_ins:
        identity.record_ins_retrieval(ins, now=NOW)
    if status.document_checked:
        identity.validate(
            "CN",
            date(2031, 1, 1),
            document_types=DEFAULT_DOCUMENT_TYPES,
            actor="admission-user",
            now=NOW,
        )
    identity.pop_events()
    return identity


def in_collision(identity: Identity) -> Identity:
    """The identity marked a potential collision (COLP), events cleared: the only way two
    active identities share a matricule (as migration 0011 leaves them, R-DU-03)."""
    identity.declare_collision(CollisionLevel.POTENTIAL, now=NOW)
    identity.pop_events()
    return identity


# -- identities ------------------------------------------------------------------------


def _matches(identity: Identity, criteria: SearchCriteria) -> bool:
    traits = identity.traits
    if not identity.active:
        return False
    if criteria.ins_number is not None:
        numbers = {entry.ins.number.number for entry in identity.ins_history}
        if identity.ins is not None:
            numbers.add(identity.ins.number.number)
        if criteria.ins_number not in numbers:
            return False
    if criteria.nss_number is not None and (
        identity.nss is None or identity.nss.number != criteria.nss_number
    ):
        return False
    if criteria.birth_date is not None and traits.birth_date.value != criteria.birth_date:
        return False
    if criteria.sex is not None and traits.sex is not criteria.sex:
        return False
    if criteria.name_key is not None:
        names = (traits.birth_name, traits.used_name)
        if not any(search_key(n).startswith(criteria.name_key) for n in names if n):
            return False
    if criteria.first_name_key is not None:
        first_names = (
            traits.first_birth_first_name,
            *traits.birth_first_names,
            traits.used_first_name,
        )
        if not any(search_key(n).startswith(criteria.first_name_key) for n in first_names if n):
            return False
    return True


def _keys_answer(identity: Identity, query: AnteriorityQuery) -> bool:
    traits = identity.traits
    if query.sex is not None and traits.sex is not query.sex:
        return False
    born = traits.birth_date.value
    dates = query.dates()
    start, end = query.date_range()
    if (born not in dates) if dates else not (start <= born <= end):
        return False
    stored = identity_keys(traits)
    for typed, plain, sounding in (
        (query.name_keys, KeyKind.NAME, KeyKind.NAME_SOUND),
        (query.first_name_keys, KeyKind.FIRST_NAME, KeyKind.FIRST_NAME_SOUND),
    ):
        if not typed:
            continue
        starts = any(k is plain and v.startswith(t) for k, v in stored for t in typed)
        if not starts and not {(sounding, s) for s in query.sounds(typed)} & stored:
            return False
    return True


def _blocked(identity: Identity, other: Identity) -> bool:
    """The blocking rule of ``SqlIdentityRepository.candidates``, in Python."""
    born, theirs = identity.traits.birth_date.value, other.traits.birth_date.value
    if theirs in (born, swapped_birth_date(born)):
        return True
    ins, their_ins = identity.ins, other.ins
    if ins is not None and their_ins is not None and ins.number == their_ins.number:
        return True
    if theirs.year != born.year:
        return False

    def keys(i: Identity) -> list[str]:
        return [search_key(n) for n in (i.traits.birth_name, i.traits.used_name) if n]

    prefixes = {k[:3] for k in keys(identity) if k}
    if any(k.startswith(p) for k in keys(other) for p in prefixes):
        return True
    return bool(record_of(identity).phonetics & record_of(other).phonetics)


def _sort_key(identity: Identity) -> tuple[str, str, str]:
    traits = identity.traits
    return (traits.birth_name, traits.first_birth_first_name, str(identity.id))


class FakeIdentityRepository:
    """Identities in a dict; hands out deep copies, like rows loaded from a database."""

    def __init__(self, committed: dict[UUID, Identity] | None = None) -> None:
        self.committed = {} if committed is None else committed
        self._pending: dict[UUID, Identity] = {}
        self._seen: dict[UUID, Identity] = {}
        self.locked: list[int] = []

    def add(self, identity: Identity) -> None:
        if identity.id in self.committed or identity.id in self._pending:
            raise ValueError(f"identity {identity.id} already stored")
        self._ensure_sole_holder(identity)
        self._pending[identity.id] = identity
        self._seen[identity.id] = identity

    def reserve_strict_traits(self, traits: Traits) -> UUID | None:
        self.lock_creation(lock_number(traits))
        return next(
            (
                i.id
                for i in self.committed.values()
                if i.active and i.merged_into is None and same_strict_traits(i.traits, traits)
            ),
            None,
        )

    def lock_creation(self, number: int) -> None:
        """One thread uses the fakes: nothing to wait for; the numbers are kept."""
        self.locked.append(number)

    def get(self, identity_id: UUID) -> Identity:
        if identity_id in self._seen:
            return self._seen[identity_id]
        stored = self._pending.get(identity_id) or self.committed.get(identity_id)
        if stored is None:
            raise NotFound(f"Identité inconnue : {identity_id}.")
        loaded = _copy(stored)
        self._seen[identity_id] = loaded
        return loaded

    def update(self, identity: Identity) -> None:
        stored = self._pending.get(identity.id) or self.committed.get(identity.id)
        if stored is None:
            raise NotFound(f"Identité inconnue : {identity.id}.")
        self._ensure_sole_holder(identity)
        if stored is not identity:
            if stored.version != identity.version:
                raise StaleVersion(identity.version, stored.version)
            identity.version += 1
        self._pending[identity.id] = identity
        self._seen[identity.id] = identity

    def ins_holders(self, ins: Ins, *, excluding: UUID | None = None) -> list[UUID]:
        """The same rule as the SQL repository (R-DU-03): active, non-merged holders."""
        visible = {**self.committed, **self._pending}
        return sorted(i.id for i in visible.values() if holds(i, ins) and i.id != excluding)

    def _ensure_sole_holder(self, identity: Identity) -> None:
        if must_hold_alone(identity):
            assert identity.ins is not None
            ensure_sole_holder(identity, self.ins_holders(identity.ins, excluding=identity.id))

    def search(self, criteria: SearchCriteria) -> list[Identity]:
        visible = {**self.committed, **self._pending}
        found = sorted((i for i in visible.values() if _matches(i, criteria)), key=_sort_key)
        return [self.get(identity.id) for identity in found[: criteria.limit]]

    def anteriority_candidates(self, query: AnteriorityQuery) -> list[Candidate]:
        """The key lookup of ``SqlIdentityRepository.anteriority_query``, in Python."""
        visible = {**self.committed, **self._pending}
        found = [self.get(i.id) for i in visible.values() if _keys_answer(i, query)]
        return [Candidate(i, self._survivor(i)) for i in found]

    def _survivor(self, identity: Identity) -> Identity:
        current = identity
        while not current.active and current.merged_into is not None:
            current = self.get(current.merged_into)
        return current

    def candidates(self, identity: Identity, *, limit: int) -> list[Identity]:
        visible = {**self.committed, **self._pending}
        found = [
            i
            for i in visible.values()
            if i.id != identity.id and i.active and _blocked(identity, i)
        ]
        born = identity.traits.birth_date.value
        found.sort(key=lambda i: (i.traits.birth_date.value != born, str(i.id)))
        return [self.get(i.id) for i in found[:limit]]

    def seen(self) -> Sequence[Identity]:
        return list(self._seen.values())

    def scan_records(self) -> Iterator[MatchRecord]:
        visible = {**self.committed, **self._pending}
        return iter([record_of(i) for i in visible.values() if i.active])

    def _commit(self) -> None:
        for identity_id, identity in self._pending.items():
            self.committed[identity_id] = _copy(identity)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
        self._seen.clear()


def _copy(identity: Identity) -> Identity:
    copied = copy.deepcopy(identity)
    copied.events = []
    return copied


class FakeMerges:
    """Merge records in a dict, kept at commit."""

    def __init__(self, committed: dict[UUID, Merge] | None = None) -> None:
        self.committed = {} if committed is None else committed
        self._pending: dict[UUID, Merge] = {}

    def add(self, merge: Merge) -> None:
        self._pending[merge.id] = merge

    def get(self, merge_id: UUID) -> Merge:
        found = self._pending.get(merge_id) or self.committed.get(merge_id)
        if found is None:
            raise NotFound(f"Fusion inconnue : {merge_id}.")
        return found

    def update(self, merge: Merge) -> None:
        self.get(merge.id)
        self._pending[merge.id] = merge

    def active_into(self, survivor_id: UUID) -> list[Merge]:
        merges = {**self.committed, **self._pending}.values()
        found = [m for m in merges if m.survivor_id == survivor_id and m.undone_at is None]
        return sorted(found, key=lambda m: (m.at, str(m.id)))

    def _commit(self) -> None:
        self.committed.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()


# -- audit, users ----------------------------------------------------------------------


class FakeAuditLog:
    def __init__(self, entries: list[AuditEntry] | None = None) -> None:
        self.entries = [] if entries is None else entries
        self._pending: list[AuditEntry] = []

    def write(self, entries: Iterable[AuditEntry]) -> None:
        self._pending.extend(entries)

    def for_identity(self, identity_id: UUID) -> list[AuditEntry]:
        return [e for e in self.entries if e.identity_id == identity_id]

    def search(self, query: AuditQuery) -> list[AuditEntry]:
        found = sorted(self._matching(query), key=lambda e: e.at, reverse=True)
        return found[query.offset : query.offset + query.limit]

    def count(self, query: AuditQuery) -> int:
        return len(self._matching(query))

    def actors(self, identity_id: UUID | None) -> list[str]:
        return sorted({e.actor for e in self.entries if identity_id in (None, e.identity_id)})

    def _matching(self, query: AuditQuery) -> list[AuditEntry]:
        return [
            e
            for e in self.entries
            if query.identity_id in (None, e.identity_id)
            and (query.since is None or e.at >= query.since)
            and (query.until is None or e.at < query.until)
            and query.actor in (None, e.actor)
            and query.action in (None, e.action)
        ]

    def actions(self, identity_id: UUID | None = None) -> list[str]:
        """The committed actions, optionally of one identity (test helper)."""
        return [e.action for e in self.entries if identity_id in (None, e.identity_id)]

    def _commit(self) -> None:
        self.entries.extend(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()


class FakeUsers:
    def __init__(
        self, users: dict[str, User] | None = None, tokens: dict[str, Token] | None = None
    ) -> None:
        self.users = {} if users is None else users
        self.tokens = {} if tokens is None else tokens
        self._pending_users: dict[str, User] = {}
        self._pending_tokens: dict[str, Token] = {}
        self._deleted_tokens: set[str] = set()

    def add(self, user: User) -> None:
        self._pending_users[user.username] = user

    def get(self, username: str) -> User | None:
        return self._pending_users.get(username) or self.users.get(username)

    def list(self) -> list[User]:
        return sorted({**self.users, **self._pending_users}.values(), key=lambda u: u.username)

    def update(self, user: User) -> None:
        self._pending_users[user.username] = user

    def add_token(self, token: Token) -> None:
        self._pending_tokens[token.token_hash] = token

    def get_token(self, token_hash: str) -> Token | None:
        if token_hash in self._deleted_tokens:
            return None
        return self._pending_tokens.get(token_hash) or self.tokens.get(token_hash)

    def delete_token(self, token_hash: str) -> bool:
        existed = self.get_token(token_hash) is not None
        self._pending_tokens.pop(token_hash, None)
        self._deleted_tokens.add(token_hash)
        return existed

    def delete_tokens(self, username: str, *, expired_at: datetime | None = None) -> int:
        doomed = [
            t.token_hash
            for t in {**self.tokens, **self._pending_tokens}.values()
            if t.username == username
            and t.token_hash not in self._deleted_tokens
            and (expired_at is None or t.expires_at <= expired_at)
        ]
        return sum(self.delete_token(token_hash) for token_hash in doomed)

    def _commit(self) -> None:
        self.users.update(self._pending_users)
        self.tokens.update(self._pending_tokens)
        for token_hash in self._deleted_tokens:
            self.tokens.pop(token_hash, None)
        self._rollback()

    def _rollback(self) -> None:
        self._pending_users.clear()
        self._pending_tokens.clear()
        self._deleted_tokens.clear()


class FakeInterfaceAccounts:
    """The ``InterfaceAccountRepository`` port in memory (declarations wait for the commit)."""

    def __init__(self, accounts: dict[str, InterfaceAccount] | None = None) -> None:
        self.accounts = {} if accounts is None else accounts
        self._pending: dict[str, InterfaceAccount] = {}

    def get(self, username: str) -> InterfaceAccount | None:
        return self._pending.get(username) or self.accounts.get(username)

    def list(self) -> list[InterfaceAccount]:
        return sorted({**self.accounts, **self._pending}.values(), key=lambda a: a.username)

    def save(self, account: InterfaceAccount, *, by: str, at: datetime) -> None:
        self._pending[account.username] = account

    def _commit(self) -> None:
        self.accounts.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()


class FakePreferences:
    """The ``PreferenceStore`` port in memory (kept across units of work)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get_all(self) -> dict[str, Any]:
        return dict(self.values)

    def set(self, key: str, value: Any, *, by: str, at: datetime) -> None:
        self.values[key] = value


class FakeSessions:
    """The ``SessionStore`` port in memory (kept across units of work)."""

    def __init__(self) -> None:
        self.sessions: dict[str, WebSession] = {}

    def add(self, session: WebSession) -> None:
        self.sessions[session.token_hash] = session

    def get(self, token_hash: str) -> WebSession | None:
        return self.sessions.get(token_hash)

    def touch(self, token_hash: str, at: datetime) -> None:
        if token_hash in self.sessions:
            self.sessions[token_hash] = replace(self.sessions[token_hash], last_seen_at=at)

    def delete(self, token_hash: str) -> None:
        self.sessions.pop(token_hash, None)

    def delete_for_user(self, username: str, *, keep: str | None = None) -> int:
        doomed = [k for k, s in self.sessions.items() if s.username == username and k != keep]
        for key in doomed:
            del self.sessions[key]
        return len(doomed)

    def delete_idle(self, seen_before: datetime) -> None:
        for key in [k for k, s in self.sessions.items() if s.last_seen_at < seen_before]:
            del self.sessions[key]

    def for_user(self, username: str) -> list[WebSession]:
        mine = [s for s in self.sessions.values() if s.username == username]
        return sorted(mine, key=lambda s: (s.created_at, s.token_hash))


class FakeIndicators:
    """The ``IndicatorStore`` port in memory (kept across units of work)."""

    def __init__(self) -> None:
        self.deltas: dict[IndicatorKey, int] = {}

    def add(self, deltas: dict[IndicatorKey, int]) -> None:
        for key, value in deltas.items():
            self.deltas[key] = self.deltas.get(key, 0) + value

    def monthly(self) -> dict[IndicatorKey, int]:
        return dict(self.deltas)


# -- INSi: traced calls, worklists, a scripted teleservice -------------------------------


class FakeInsiCalls:
    """The ``InsiCallRepository`` port in memory; listings drop the raw messages."""

    def __init__(self, calls: dict[UUID, InsiCall] | None = None) -> None:
        self.calls = {} if calls is None else calls
        self._pending: dict[UUID, InsiCall] = {}

    def add(self, call: InsiCall) -> None:
        self._pending[call.id] = call

    def get(self, call_id: UUID) -> InsiCall:
        call = self._pending.get(call_id) or self.calls.get(call_id)
        if call is None:
            raise NotFound(f"Appel INSi inconnu : {call_id}.")
        return call

    def update_decision(self, call: InsiCall) -> None:
        stored = self.get(call.id)
        self._pending[call.id] = replace(
            stored,
            applied=call.applied,
            decision=call.decision,
            decided_by=call.decided_by,
            decided_at=call.decided_at,
            message=call.message,
        )

    def for_identity(self, identity_id: UUID) -> list[InsiCall]:
        return [c for c in self._listed() if c.identity_id == identity_id]

    def since(self, at: datetime) -> list[InsiCall]:
        return [c for c in self._listed() if c.at >= at]

    def committed(self) -> list[InsiCall]:
        """Every committed call, oldest first, raw messages included (test helper)."""
        return sorted(self.calls.values(), key=lambda c: (c.at, c.sequence))

    def _listed(self) -> list[InsiCall]:
        merged = {**self.calls, **self._pending}.values()
        ordered = sorted(merged, key=lambda c: (c.at, c.sequence))
        return [replace(c, request=None, response=None) for c in ordered]

    def _commit(self) -> None:
        self.calls.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()


class FakeInsiWorklists:
    """The ``InsiWorklistRepository`` port in memory (written at once: tests commit)."""

    def __init__(self) -> None:
        self.worklists: dict[UUID, Worklist] = {}
        self.item_rows: dict[tuple[UUID, int], WorklistItem] = {}
        self.identities: dict[UUID, Identity] = {}  # set by FakeUnitOfWork

    def add(self, worklist: Worklist, identity_ids: Sequence[UUID]) -> None:
        self.worklists[worklist.id] = worklist
        for position, identity_id in enumerate(identity_ids):
            self.item_rows[(worklist.id, position)] = WorklistItem(
                worklist.id, position, identity_id
            )

    def get(self, worklist_id: UUID) -> Worklist:
        if worklist_id not in self.worklists:
            raise NotFound(f"Liste de travail inconnue : {worklist_id}.")
        return self.worklists[worklist_id]

    def unfinished(self, source: str) -> Worklist | None:
        found = [w for w in self.worklists.values() if w.source == source and not w.finished_at]
        return max(found, key=lambda w: w.created_at) if found else None

    def items(
        self, worklist_id: UUID, states: Iterable[ItemState] | None = None
    ) -> list[WorklistItem]:
        wanted = None if states is None else set(states)
        return [
            item
            for (wid, _), item in sorted(self.item_rows.items(), key=lambda kv: kv[0][1])
            if wid == worklist_id and (wanted is None or item.state in wanted)
        ]

    def save_item(self, item: WorklistItem) -> None:
        self.item_rows[(item.worklist_id, item.position)] = item

    def finish(self, worklist_id: UUID, at: datetime) -> None:
        self.worklists[worklist_id] = replace(self.worklists[worklist_id], finished_at=at)

    def open_items(self) -> int:
        return sum(
            1
            for (wid, _), item in self.item_rows.items()
            if not self.worklists[wid].finished_at
            and item.state in (ItemState.PENDING, ItemState.STARTED)
        )

    def identities_without_ins(self, limit: int) -> list[UUID]:
        eligible = [
            i
            for i in self.identities.values()
            if i.status in (IdentityStatus.PROVISIONAL, IdentityStatus.VALIDATED)
            and not i.blocks_ins
            and i.active
        ]
        return [i.id for i in sorted(eligible, key=_sort_key)][:limit]


def insi_person(**changes: Any) -> InsiIdentity:
    """A synthetic INSi identity (matching ``IDENTITY_INPUT``) with ``changes``."""
    values: dict[str, Any] = {
        "birth_name": "DUPONT",
        "first_names": "JEAN CHRISTOPHE PIERRE",
        "sex": "M",
        "birth_date": "1980-03-12",
        "birth_place_code": "2B020",
        "ins_number": INS_A.number.number,
        "oid": Oid.NIR.value,
        "first_name": "JEAN",
        "history": (),
    }
    return InsiIdentity(**{**values, **changes})


class FakeTeleservice:
    """A scripted INSi: answers queued in ``script`` first, else matches ``persons``.

    Matching follows INSi: birth name, sex and birth date equal, each sent first
    name among the person's birth first names, birth place only when sent; one
    match answers ``00``, none ``01``, several ``02``. Every query is recorded.
    """

    def __init__(
        self,
        persons: Iterable[InsiIdentity] = (),
        *,
        cards: Mapping[tuple[str, str, int], InsiIdentity] | None = None,
        script: Iterable[InsiIdentity | str | TeleserviceError] = (),
    ) -> None:
        self.persons = list(persons)
        self.cards = dict(cards or {})
        self.script = list(script)
        self.queries: list[TraitsQuery | CardQuery] = []
        self.contexts: list[CallContext] = []

    def recover_with_traits(self, query: TraitsQuery, context: CallContext) -> InsiResponse:
        self._record(query, context)
        if self.script:
            return self._scripted(query, context)
        found = [p for p in self.persons if _insi_matches(p, query)]
        return _insi_response(found, query, context)

    def recover_with_card(self, query: CardQuery, context: CallContext) -> InsiResponse:
        self._record(query, context)
        if self.script:
            return self._scripted(query, context)
        person = self.cards.get((query.nir, query.birth_date, query.rank))
        return _insi_response([person] if person else [], query, context)

    def verify(self, query: Any, context: CallContext) -> Any:
        raise NotImplementedError

    def submit_batch_verification(self, queries: Any, context: CallContext) -> str:
        raise NotImplementedError

    def fetch_batch_verification(self, batch_id: str, context: CallContext) -> Any:
        raise NotImplementedError

    def _record(self, query: TraitsQuery | CardQuery, context: CallContext) -> None:
        self.queries.append(query)
        self.contexts.append(context)

    def _scripted(self, query: TraitsQuery | CardQuery, context: CallContext) -> InsiResponse:
        answer = self.script.pop(0)
        if isinstance(answer, TeleserviceError):
            raise answer
        if isinstance(answer, InsiIdentity):
            return _insi_response([answer], query, context)
        outcome = InsiOutcome(answer)
        persons = {InsiOutcome.NOT_FOUND: [], InsiOutcome.SEVERAL_FOUND: [None, None]}
        if outcome is InsiOutcome.FOUND:
            raise ValueError("script a 00 with an InsiIdentity")
        return _insi_response(persons[outcome], query, context)


def _insi_matches(person: InsiIdentity, query: TraitsQuery) -> bool:
    names = set(person.first_names.split(" "))
    sent = {n for group in query.first_names for n in group.split(" ")}
    return (
        person.birth_name == query.birth_name
        and person.sex == query.sex
        and person.birth_date == query.birth_date
        and sent <= names
        and query.birth_place_code in (None, person.birth_place_code)
    )


def _insi_response(
    found: Sequence[InsiIdentity | None], query: TraitsQuery | CardQuery, context: CallContext
) -> InsiResponse:
    outcome, label = {
        0: (InsiOutcome.NOT_FOUND, "Aucune identite trouvee"),
        1: (InsiOutcome.FOUND, "OK"),
    }.get(len(found), (InsiOutcome.SEVERAL_FOUND, "Plusieurs identites trouvees"))
    identity = found[0] if outcome is InsiOutcome.FOUND else None
    request = f"<REQUEST>{query!r}</REQUEST>".encode()
    response = f"<RESULTAT><CodeCR>{outcome.value}</CodeCR>{identity!r}</RESULTAT>".encode()
    exchange = Exchange(request, response, 1.5, context.authentication)
    return InsiResponse(outcome, label, identity, exchange)


# -- outbox (events to propagate) -------------------------------------------------------


class FakeOutbox:
    """The outbox in memory: rows of the audit entries marked ``propagate``."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, entries: Iterable[AuditEntry]) -> None:
        for entry in entries:
            if entry.details.get("propagate") and entry.identity_id is not None:
                payload = {
                    "audit_id": str(entry.id),
                    "before": entry.before,
                    "after": entry.after,
                    "details": {k: v for k, v in entry.details.items() if k != "propagate"},
                }
                self.rows.append(
                    {"id": entry.id, "identity_id": entry.identity_id, "action": entry.action,
                     "created_at": entry.at, "payload": payload, "sent_at": None}
                )  # fmt: skip

    def unsent(self, limit: int = 100) -> list[dict[str, Any]]:
        return [dict(row) for row in self.rows if row["sent_at"] is None][:limit]

    def mark_sent(self, ids: Iterable[UUID], at: datetime) -> None:
        wanted = set(ids)
        for row in self.rows:
            if row["id"] in wanted:
                row["sent_at"] = at


# -- unit of work ----------------------------------------------------------------------


@dataclass
class FakeUnitOfWork:
    """The ``UnitOfWork`` port in memory, reusable across use cases.

    Its repositories keep the committed data; ``sibling()`` opens a second unit of
    work on the same data to play a concurrent session.
    """

    identities: FakeIdentityRepository = field(default_factory=FakeIdentityRepository)
    merges: FakeMerges = field(default_factory=FakeMerges)
    duplicate_reviews: FakeDuplicateReviews = field(default_factory=FakeDuplicateReviews)
    duplicate_model: FakeDuplicateModelStore = field(default_factory=FakeDuplicateModelStore)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    users: FakeUsers = field(default_factory=FakeUsers)
    preferences: FakePreferences = field(default_factory=lambda: FakePreferences())
    sessions: FakeSessions = field(default_factory=FakeSessions)
    indicators: FakeIndicators = field(default_factory=FakeIndicators)
    insi_calls: FakeInsiCalls = field(default_factory=FakeInsiCalls)
    insi_worklists: FakeInsiWorklists = field(default_factory=FakeInsiWorklists)
    campaigns: FakeCampaigns = field(default_factory=lambda: FakeCampaigns())
    vigilance: FakeVigilance = field(default_factory=lambda: FakeVigilance())
    receptions: FakeReceptions = field(default_factory=lambda: FakeReceptions())
    leases: FakeLeases = field(default_factory=lambda: FakeLeases())
    imports: FakeImportJobs = field(default_factory=lambda: FakeImportJobs())
    interface_accounts: FakeInterfaceAccounts = field(default_factory=FakeInterfaceAccounts)
    outbox: FakeOutbox = field(default_factory=lambda: FakeOutbox())
    login_throttles: FakeLoginThrottles = field(default_factory=FakeLoginThrottles)
    commits: int = 0
    _reads: list[AuditEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.insi_worklists.identities = self.identities.committed
        self.campaigns.identities = self.identities.committed
        self.vigilance.identities = self.identities.committed
        self.duplicate_reviews.identities = self.identities.committed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def note_read(self, identity: Identity, actor: Actor, at: datetime) -> None:
        self._reads.append(
            AuditEntry(actor.username, at, AuditAction.IDENTITY_READ.value, identity.id)
        )

    def add_audit(self, entry: AuditEntry) -> None:
        self._reads.append(entry)

    def commit(self, actor: Actor, at: datetime) -> None:
        self.imports._check()  # a job taken over: nothing of this batch is kept
        entries = [*audit_entries(self.identities.seen(), actor, at), *self._reads]
        self.audit.write(entries)
        self.outbox.add(entries)
        self.indicators.add(indicator_deltas(entries))
        self._reads = []
        self.identities._commit()
        self.merges._commit()
        self.duplicate_reviews._commit()
        self.audit._commit()
        self.users._commit()
        self.interface_accounts._commit()
        self.insi_calls._commit()
        self.imports._commit()
        self.commits += 1

    def rollback(self) -> None:
        self._reads = []
        self.identities._rollback()
        self.merges._rollback()
        self.duplicate_reviews._rollback()
        self.audit._rollback()
        self.users._rollback()
        self.interface_accounts._rollback()
        self.insi_calls._rollback()
        self.imports._rollback()

    def sibling(self) -> FakeUnitOfWork:
        """Another unit of work on the same committed data (a concurrent session)."""
        return FakeUnitOfWork(
            identities=FakeIdentityRepository(self.identities.committed),
            merges=FakeMerges(self.merges.committed),
            duplicate_reviews=FakeDuplicateReviews(self.duplicate_reviews.committed),
            audit=FakeAuditLog(self.audit.entries),
            users=FakeUsers(self.users.users, self.users.tokens),
            interface_accounts=FakeInterfaceAccounts(self.interface_accounts.accounts),
            preferences=self.preferences,
            sessions=self.sessions,
            indicators=self.indicators,
            insi_calls=FakeInsiCalls(self.insi_calls.calls),
            insi_worklists=self.insi_worklists,
            campaigns=self.campaigns,
            vigilance=self.vigilance,
            receptions=self.receptions,
            leases=self.leases,
            imports=self.imports,
            outbox=self.outbox,
            login_throttles=self.login_throttles,
        )

    def stored(self, identity_id: UUID) -> Identity:
        """The committed state of an identity (test helper)."""
        return self.identities.committed[identity_id]
