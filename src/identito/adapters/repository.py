"""``SqlIdentityRepository``: the ``IdentityRepository`` port on SQLAlchemy Core.

Added identities are queued and inserted at commit with one ``executemany`` per
table (bulk import); they are also written before any query, so a search always
sees them. ``update`` is an optimistic-lock ``UPDATE ... WHERE version = :v``.

R-DU-03 (``domain.ins_uniqueness``): ``add`` and ``update`` are the choke point of
every write of a matricule. Both ask the other holders of the identity's matricule
(``ins_holders``) and refuse with ``InsAlreadyHeld``; the partial unique index
``uq_identities_active_ins`` backs the check, and its ``IntegrityError`` (two
writers that both passed the check) becomes the same error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Connection,
    RowMapping,
    Select,
    Uuid,
    and_,
    bindparam,
    case,
    delete,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError

from identito.adapters.anteriority_search import anteriority_statement
from identito.adapters.bulk import binder, insert_many, insert_values
from identito.adapters.mappers import (
    history_rows,
    identity_row,
    name_keys,
    name_phonetic,
    search_key_values,
    to_identity,
)
from identito.adapters.orm import identities, identity_search_keys, ins_history
from identito.domain.anteriority import AnteriorityQuery, Candidate, KeyKind
from identito.domain.duplicates import MatchRecord, match_record, swapped_birth_date
from identito.domain.errors import NotFound, StaleVersion
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import (
    InsAlreadyHeld,
    ensure_sole_holder,
    holds,
    must_hold_alone,
)
from identito.domain.same_person import lock_number
from identito.domain.trait_set import Traits
from identito.services.unit_of_work import SearchCriteria

_ORDER = (identities.c.birth_name, identities.c.first_birth_first_name, identities.c.id)


_SAME_PERSON = text(
    "SELECT id, birth_first_names, birth_date_raw FROM identito_same_person("
    ":lock_key, :born, :sex_code, :name, :first_name, :place)"
).columns(id=Uuid(), birth_first_names=JSON())
_i = identities.c
_SAME_TRAITS = select(_i.id, _i.birth_first_names, _i.birth_date_raw).where(
    _i.active.is_(True), _i.merged_into.is_(None), _i.birth_date == bindparam("born"),
    _i.sex == bindparam("sex_code"), _i.birth_name == bindparam("name"),
    _i.first_birth_first_name == bindparam("first_name"),
    _i.birth_place_code == bindparam("place"),
)  # fmt: skip


class SqlIdentityRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._seen: dict[UUID, Identity] = {}
        self._pending: dict[UUID, Identity] = {}

    # -- writes -----------------------------------------------------------------------

    def add(self, identity: Identity) -> None:
        self._ensure_sole_holder(identity)
        self._pending[identity.id] = identity
        self._seen[identity.id] = identity

    def lock_creation(self, number: int) -> None:
        """PostgreSQL: a transaction-scoped advisory lock; SQLite: its one write lock,
        taken now by a statement that writes nothing."""
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})
        else:
            self.connection.execute(text("UPDATE identities SET version = version WHERE 1 = 0"))

    def reserve_strict_traits(self, traits: Traits) -> UUID | None:
        """``lock_creation`` of the traits, then the active identity having them: one
        round trip on PostgreSQL (the ``identito_same_person`` function, migration 0024)."""
        values = {
            "lock_key": lock_number(traits), "born": traits.birth_date.value,
            "sex_code": traits.sex.value, "name": traits.birth_name,
            "first_name": traits.first_birth_first_name, "place": traits.birth_place_code,
        }  # fmt: skip
        if self.connection.dialect.name == "postgresql":
            rows = self.connection.execute(_SAME_PERSON, values)
        else:
            self.lock_creation(values["lock_key"])
            rows = self.connection.execute(_SAME_TRAITS, values)
        for row in rows:
            if (tuple(row.birth_first_names), row.birth_date_raw) == (
                traits.birth_first_names, traits.birth_date.raw,
            ):  # fmt: skip
                found: UUID = row.id
                return found
        return None

    def update(self, identity: Identity) -> None:
        self._ensure_sole_holder(identity)
        self._seen[identity.id] = identity
        if identity.id in self._pending:  # not written yet: inserted as it is at flush
            return
        row = identity_row(identity)
        del row["id"], row["created_at"]
        row["version"] = identity.version + 1
        self._delete_search_keys(identity)  # found by the birth date not yet updated
        with _held_ins_refused([identity]):
            result = self.connection.execute(
                update(identities)
                .where(identities.c.id == identity.id, identities.c.version == identity.version)
                .values(row)
            )
        if result.rowcount != 1:
            current = self.connection.scalar(
                select(identities.c.version).where(identities.c.id == identity.id)
            )
            if current is None:
                raise _not_found(identity.id)
            raise StaleVersion(identity.version, current)
        identity.version += 1
        self.connection.execute(delete(ins_history).where(ins_history.c.identity_id == identity.id))
        self._insert(ins_history, history_rows(identity))
        self._insert_search_keys([identity])

    def flush(self) -> None:
        """Insert the queued identities: one executemany per table."""
        if not self._pending:
            return
        pending = list(self._pending.values())
        with _held_ins_refused(pending):
            self._insert(identities, [identity_row(i) for i in pending])
        self._insert(ins_history, [row for i in pending for row in history_rows(i)])
        self._insert_search_keys(pending)
        self._pending.clear()

    def _insert_search_keys(self, written: list[Identity]) -> None:
        dialect = self.connection.dialect
        as_id = binder(identity_search_keys, "identity_id", dialect)
        as_date = binder(identity_search_keys, "birth_date", dialect)
        insert_values(
            self.connection, identity_search_keys, search_key_values(written, as_id, as_date)
        )

    def _delete_search_keys(self, identity: Identity) -> None:
        """Delete the keys of an identity about to be updated (its traits may change; the
        new keys are inserted after). No index by identity: the keys are found by kind and
        the stored birth date (``ix_identity_search_keys_dated``), then by identity."""
        keys = identity_search_keys.c
        stored_birth_date = (
            select(identities.c.birth_date).where(identities.c.id == identity.id)
        ).scalar_subquery()
        self.connection.execute(
            delete(identity_search_keys).where(
                keys.kind.in_([kind.value for kind in KeyKind]),
                keys.birth_date == stored_birth_date,
                keys.identity_id == identity.id,
            )
        )

    def discard(self) -> None:
        """Forget what was queued and seen (after a rollback)."""
        self._pending.clear()
        self._seen.clear()

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        insert_many(self.connection, table, rows)

    def ins_holders(self, ins: Ins, *, excluding: UUID | None = None) -> list[UUID]:
        """Active, non-merged identities holding this matricule (number and OID), the
        queued ones included; one lookup on the ``ins_number`` index."""
        query = select(identities.c.id).where(
            identities.c.ins_number == ins.number.number,
            identities.c.ins_oid == ins.oid.value,
            identities.c.active.is_(True),
            identities.c.merged_into.is_(None),
        )
        found = set(self.connection.scalars(query)) | {
            i.id for i in self._pending.values() if holds(i, ins)
        }
        return sorted(found - {excluding})

    def _ensure_sole_holder(self, identity: Identity) -> None:
        if must_hold_alone(identity):
            assert identity.ins is not None
            ensure_sole_holder(identity, self.ins_holders(identity.ins, excluding=identity.id))

    # -- reads ------------------------------------------------------------------------

    def get(self, identity_id: UUID) -> Identity:
        if identity_id in self._seen:
            return self._seen[identity_id]
        found = self._load(select(identities).where(identities.c.id == identity_id))
        if not found:
            raise _not_found(identity_id)
        return found[0]

    def search(self, criteria: SearchCriteria) -> list[Identity]:
        self.flush()
        return self._load(search_query(criteria))

    def anteriority_candidates(self, query: AnteriorityQuery) -> list[Candidate]:
        """Identities whose search keys answer the query (a superset: ``rank`` decides),
        each with the active identity it leads to (the survivor of a merge)."""
        self.flush()
        statement, params = anteriority_statement(query)
        found = self._load(statement, params)
        return [Candidate(identity, self._survivor(identity)) for identity in found]

    def _survivor(self, identity: Identity) -> Identity:
        current = identity
        for _ in range(_MERGE_HOPS):
            if current.active or current.merged_into is None:
                break
            current = self.get(current.merged_into)
        return current

    def candidates(self, identity: Identity, *, limit: int) -> list[Identity]:
        self.flush()
        return self._load(candidates_query(identity, limit))

    def seen(self) -> Sequence[Identity]:
        return list(self._seen.values())

    def scan_records(self) -> Iterator[MatchRecord]:
        """Every active identity as a lightweight comparison record, streamed."""
        self.flush()
        query = select(*SCAN_COLUMNS).where(identities.c.active.is_(True))
        rows = self.connection.execution_options(yield_per=20_000).execute(query)
        for row in rows:
            yield match_record(*row)

    def _load(self, query: Select[Any], params: Mapping[str, Any] | None = None) -> list[Identity]:
        self.flush()
        rows = self.connection.execute(query, params).mappings().all()
        histories = self._histories([row["id"] for row in rows])
        loaded = []
        for row in rows:
            identity = self._seen.get(row["id"]) or to_identity(row, histories[row["id"]])
            self._seen[identity.id] = identity
            loaded.append(identity)
        return loaded

    def _histories(self, ids: Iterable[UUID]) -> Mapping[UUID, list[RowMapping]]:
        by_identity: dict[UUID, list[RowMapping]] = defaultdict(list)
        ids = list(ids)
        if ids:
            query = (
                select(ins_history)
                .where(ins_history.c.identity_id.in_(ids))
                .order_by(ins_history.c.identity_id, ins_history.c.position)
            )
            for row in self.connection.execute(query).mappings():
                by_identity[row["identity_id"]].append(row)
        return by_identity


#: Columns of ``scan_records``, in ``match_record``'s order.
SCAN_COLUMNS = tuple(
    identities.c[name]
    for name in (
        "id", "birth_name", "used_name", "first_birth_first_name", "birth_first_names",
        "used_first_name", "birth_date_raw", "birth_date", "sex", "birth_place_code",
        "ins_number",
    )
)  # fmt: skip


def search_query(criteria: SearchCriteria) -> Select[Any]:
    """Exact search by matricule (current or former), else the anteriority search.

    Active identities only: a merged identity is found through its survivor.
    """
    query = (
        select(identities)
        .where(identities.c.active.is_(True))
        .order_by(*_ORDER)
        .limit(criteria.limit)
    )
    if criteria.ins_number:
        matching = union(
            select(identities.c.id).where(identities.c.ins_number == criteria.ins_number),
            select(ins_history.c.identity_id).where(ins_history.c.number == criteria.ins_number),
        )
        return query.where(identities.c.id.in_(matching))
    if criteria.nss_number:  # R-AS-04: the NSS column only, never the matricule INS
        return query.where(identities.c.nss_number == criteria.nss_number)
    conditions = [identities.c.birth_date == criteria.birth_date]
    if criteria.sex is not None:
        conditions.append(identities.c.sex == criteria.sex.value)
    if criteria.name_key:
        conditions.append(identities.c.name_keys.contains("|" + criteria.name_key, autoescape=True))
    if criteria.first_name_key:
        key = "|" + criteria.first_name_key
        conditions.append(identities.c.first_name_keys.contains(key, autoescape=True))
    return query.where(and_(*conditions))


#: The longest merge chain followed to the survivor.
_MERGE_HOPS = 10


def candidates_query(identity: Identity, limit: int) -> Select[Any]:
    """Blocking on indexed columns: a union of index-driven selections of ids.

    Same birth date or swapped one (``(birth_date, sex)`` index), same active
    matricule (``ins_number`` index), or the birth year range of the index with a
    3-letter prefix of a name key in ``name_keys``, or the same year with a birth
    or used name of the same French phonetic key (``(*_name_phonetic, birth_date)``
    indexes: a typo in the first letters, the married-name swap). Active only.
    """
    born = identity.traits.birth_date.value
    dates = [born, *filter(None, [swapped_birth_date(born)])]
    parts = [select(identities.c.id).where(identities.c.birth_date.in_(dates))]
    if identity.ins is not None:
        number = identity.ins.number.number
        parts.append(select(identities.c.id).where(identities.c.ins_number == number))
    year = identities.c.birth_date.between(date(born.year, 1, 1), date(born.year, 12, 31))
    prefixes = {k[:3] for k in name_keys(identity.traits).strip("|").split("|") if k}
    if prefixes:
        names = or_(*(identities.c.name_keys.contains("|" + p, autoescape=True) for p in prefixes))
        parts.append(select(identities.c.id).where(year, names))
    traits = identity.traits
    sounds = {name_phonetic(traits.birth_name), name_phonetic(traits.used_name)} - {None}
    for column in (identities.c.birth_name_phonetic, identities.c.used_name_phonetic):
        if sounds:
            parts.append(select(identities.c.id).where(column.in_(sounds), year))
    first = case((identities.c.birth_date == born, 0), else_=1)
    return (
        select(identities)
        .where(
            identities.c.id.in_(union(*parts)),
            identities.c.id != identity.id,
            identities.c.active.is_(True),
        )
        .order_by(first, identities.c.id)
        .limit(limit)
    )


#: The partial unique index of R-DU-03 (``adapters.orm``, migration 0011).
ACTIVE_INS_INDEX = "uq_identities_active_ins"


@contextmanager
def _held_ins_refused(written: Sequence[Identity]) -> Iterator[None]:
    """The unique index refused a matricule (a concurrent writer passed the check too):
    the same ``InsAlreadyHeld``, its holders looked up by the use case after the rollback."""
    try:
        yield
    except IntegrityError as error:
        if not _violates_active_ins_index(error):
            raise
        refused = next((i for i in written if must_hold_alone(i)), None)
        if refused is None or refused.ins is None:
            raise
        raise InsAlreadyHeld(refused.id, refused.ins) from error


def _violates_active_ins_index(error: IntegrityError) -> bool:
    """PostgreSQL names the index; SQLite names its columns."""
    message = str(error.orig)
    return ACTIVE_INS_INDEX in message or "identities.ins_number, identities.ins_oid" in message


def _not_found(identity_id: UUID) -> NotFound:
    return NotFound(f"Identité inconnue : {identity_id}.")
