"""In-memory fakes of the service-layer ports, for unit tests of any layer.

``FakeUnitOfWork`` behaves like the SQL one: it hands out deep copies of the
stored identities, so changes that are not committed are lost on rollback;
``update`` checks the version (optimistic locking); ``commit`` writes the audit
rows of the recorded events and of the noted reads in the same step.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DocumentType
from identito.domain.errors import InvalidInput, NotFound, StaleVersion
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import IdentityWarning, Traits, parse_traits
from identito.domain.traits import normalize_place_code, search_key
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, SearchCriteria, Token, User, audit_entries

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


def identity_input(**changes: Any) -> dict[str, Any]:
    return {**IDENTITY_INPUT, **changes}


def make_traits(**changes: Any) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    """Traits and warnings parsed from ``IDENTITY_INPUT`` with ``changes``."""
    return parse_traits(identity_input(**changes), today=NOW.date(), places=FakePlaces())


def make_identity(
    status: IdentityStatus = IdentityStatus.PROVISIONAL, *, ins: Ins = INS_A, **changes: Any
) -> Identity:
    """An identity brought to ``status`` by the domain's own operations, events cleared."""
    identity = Identity.create(*make_traits(**changes), now=NOW)
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


# -- identities ------------------------------------------------------------------------


def _matches(identity: Identity, criteria: SearchCriteria) -> bool:
    traits = identity.traits
    if criteria.ins_number is not None:
        numbers = {entry.ins.number.number for entry in identity.ins_history}
        if identity.ins is not None:
            numbers.add(identity.ins.number.number)
        if criteria.ins_number not in numbers:
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


def _sort_key(identity: Identity) -> tuple[str, str, str]:
    traits = identity.traits
    return (traits.birth_name, traits.first_birth_first_name, str(identity.id))


class FakeIdentityRepository:
    """Identities in a dict; hands out deep copies, like rows loaded from a database."""

    def __init__(self, committed: dict[UUID, Identity] | None = None) -> None:
        self.committed = {} if committed is None else committed
        self._pending: dict[UUID, Identity] = {}
        self._seen: dict[UUID, Identity] = {}

    def add(self, identity: Identity) -> None:
        if identity.id in self.committed or identity.id in self._pending:
            raise ValueError(f"identity {identity.id} already stored")
        self._pending[identity.id] = identity
        self._seen[identity.id] = identity

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
        if stored is not identity:
            if stored.version != identity.version:
                raise StaleVersion(identity.version, stored.version)
            identity.version += 1
        self._pending[identity.id] = identity
        self._seen[identity.id] = identity

    def search(self, criteria: SearchCriteria) -> list[Identity]:
        visible = {**self.committed, **self._pending}
        found = sorted((i for i in visible.values() if _matches(i, criteria)), key=_sort_key)
        return [self.get(identity.id) for identity in found[: criteria.limit]]

    def seen(self) -> Sequence[Identity]:
        return list(self._seen.values())

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


# -- audit, users ----------------------------------------------------------------------


class FakeAuditLog:
    def __init__(self, entries: list[AuditEntry] | None = None) -> None:
        self.entries = [] if entries is None else entries
        self._pending: list[AuditEntry] = []

    def write(self, entries: Iterable[AuditEntry]) -> None:
        self._pending.extend(entries)

    def for_identity(self, identity_id: UUID) -> list[AuditEntry]:
        return [e for e in self.entries if e.identity_id == identity_id]

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

    def add(self, user: User) -> None:
        self._pending_users[user.username] = user

    def get(self, username: str) -> User | None:
        return self._pending_users.get(username) or self.users.get(username)

    def list(self) -> list[User]:
        return sorted({**self.users, **self._pending_users}.values(), key=lambda u: u.username)

    def add_token(self, token: Token) -> None:
        self._pending_tokens[token.token_hash] = token

    def get_token(self, token_hash: str) -> Token | None:
        return self._pending_tokens.get(token_hash) or self.tokens.get(token_hash)

    def _commit(self) -> None:
        self.users.update(self._pending_users)
        self.tokens.update(self._pending_tokens)
        self._rollback()

    def _rollback(self) -> None:
        self._pending_users.clear()
        self._pending_tokens.clear()


class FakePreferences:
    """The ``PreferenceStore`` port in memory (kept across units of work)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get_all(self) -> dict[str, Any]:
        return dict(self.values)

    def set(self, key: str, value: Any, *, by: str, at: datetime) -> None:
        self.values[key] = value


# -- unit of work ----------------------------------------------------------------------


@dataclass
class FakeUnitOfWork:
    """The ``UnitOfWork`` port in memory, reusable across use cases.

    Its repositories keep the committed data; ``sibling()`` opens a second unit of
    work on the same data to play a concurrent session.
    """

    identities: FakeIdentityRepository = field(default_factory=FakeIdentityRepository)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    users: FakeUsers = field(default_factory=FakeUsers)
    preferences: FakePreferences = field(default_factory=lambda: FakePreferences())
    commits: int = 0
    _reads: list[AuditEntry] = field(default_factory=list)

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
        self.audit.write(audit_entries(self.identities.seen(), actor, at))
        self.audit.write(self._reads)
        self._reads = []
        self.identities._commit()
        self.audit._commit()
        self.users._commit()
        self.commits += 1

    def rollback(self) -> None:
        self._reads = []
        self.identities._rollback()
        self.audit._rollback()
        self.users._rollback()

    def sibling(self) -> FakeUnitOfWork:
        """Another unit of work on the same committed data (a concurrent session)."""
        return FakeUnitOfWork(
            FakeIdentityRepository(self.identities.committed),
            FakeAuditLog(self.audit.entries),
            FakeUsers(self.users.users, self.users.tokens),
            self.preferences,
        )

    def stored(self, identity_id: UUID) -> Identity:
        """The committed state of an identity (test helper)."""
        return self.identities.committed[identity_id]
