"""Explicit mappers between table rows and the domain ``Identity``.

The domain stays ignorant of storage: these two functions are the only place
that knows both shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import RowMapping

from identito.domain.anteriority import trait_keys
from identito.domain.documents import Validation
from identito.domain.identifiers import Ins, InsNumber, Oid
from identito.domain.identity import Identity, InsHistoryEntry
from identito.domain.ins_source import InsSource
from identito.domain.insi import CollectionMethod, ReceivedIns
from identito.domain.nss import Nss, NssHolder, NssOid
from identito.domain.phonetic import phonetic_key
from identito.domain.status import CollisionLevel, IdentityAttribute, IdentityStatus
from identito.domain.trait_set import IdentityWarning, Traits, WarningCode
from identito.domain.traits import BirthDate, Sex, search_key

#: Names repeat a lot in a bulk import: remember their keys.
_cached_key = lru_cache(maxsize=65536)(search_key)


def key_list(values: Iterable[str | None]) -> str:
    """Search keys of the values as ``|KEY1|KEY2|`` (each key once, none empty).

    >>> key_list(["D'ARC", None, "DARC", "LE GOFF"])
    '|DARC|LEGOFF|'
    """
    keys = dict.fromkeys(k for k in (_cached_key(v) for v in values if v) if k)
    return "|" + "|".join(keys) + "|" if keys else "|"


def name_keys(traits: Traits) -> str:
    return key_list([traits.birth_name, traits.used_name])


def name_phonetic(name: str | None) -> str | None:
    """The French phonetic key of a name (duplicate blocking), None when empty."""
    return phonetic_key(_cached_key(name)) or None if name else None


def first_name_keys(traits: Traits) -> str:
    return key_list(
        [traits.first_birth_first_name, *traits.birth_first_names, traits.used_first_name]
    )


@lru_cache(maxsize=65536)  # names repeat in a bulk import: each derived once
def _name_keys(name: str) -> tuple[tuple[str, str], ...]:
    return tuple((kind.value, value) for kind, value in trait_keys([name], []))


@lru_cache(maxsize=65536)  # first names repeat even more
def _first_name_keys(first_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((kind.value, value) for kind, value in trait_keys([], [first_name]))


def search_keys(identity: Identity) -> set[tuple[str, str]]:
    """The (kind code, key) pairs of an identity: ``domain.anteriority.identity_keys``,
    each distinct name and first name derived once (the union of each value's keys)."""
    traits = identity.traits
    keys: set[tuple[str, str]] = set()
    for name in (traits.birth_name, traits.used_name):
        if name:
            keys.update(_name_keys(name))
    for first in (traits.first_birth_first_name, *traits.birth_first_names, traits.used_first_name):
        if first:
            keys.update(_first_name_keys(first))
    return keys


def search_key_rows(identity: Identity) -> list[dict[str, Any]]:
    """The ``identity_search_keys`` rows of an identity (``domain.anteriority``)."""
    born = identity.traits.birth_date.value
    return [
        {"identity_id": identity.id, "kind": kind, "value": value, "birth_date": born}
        for kind, value in sorted(search_keys(identity))
    ]


def search_key_values(
    identities: Iterable[Identity], as_id: Any, as_date: Any
) -> list[tuple[Any, ...]]:
    """The ``identity_search_keys`` rows of identities as driver tuples in column order
    (``identity_id``, ``kind``, ``value``, ``birth_date``): the id and the date converted
    once per identity (``as_id``, ``as_date``: ``bulk.binder``), no dict per row."""
    values: list[tuple[Any, ...]] = []
    for identity in identities:
        owner, born = as_id(identity.id), as_date(identity.traits.birth_date.value)
        values.extend((owner, kind, key, born) for kind, key in search_keys(identity))
    return values


def identity_row(identity: Identity) -> dict[str, Any]:
    """The ``identities`` row of an identity (its history goes in ``history_rows``)."""
    traits, ins, validation = identity.traits, identity.ins, identity.validation
    now = datetime.now(UTC)
    return {
        "id": identity.id,
        "version": identity.version,
        "status": identity.status.value,
        "attributes": sorted(a.value for a in identity.attributes),
        "birth_name": traits.birth_name,
        "birth_first_names": list(traits.birth_first_names),
        "first_birth_first_name": traits.first_birth_first_name,
        "birth_date_raw": traits.birth_date.raw,
        "birth_date": traits.birth_date.value,
        "birth_date_uncertain": traits.birth_date.uncertain,
        "birth_date_corrected": traits.birth_date.corrected,
        "sex": traits.sex.value,
        "birth_place_code": traits.birth_place_code,
        "used_name": traits.used_name,
        "used_first_name": traits.used_first_name,
        "ins_number": ins.number.number if ins else None,
        "ins_oid": ins.oid.value if ins else None,
        "ins_retrieved_at": identity.ins_retrieved_at,
        "collection_method": _code(identity.collection_method),
        "ins_collection_method": (
            identity.ins_collection_method.value if identity.ins_collection_method else None
        ),
        "insi_history": [vars(entry) for entry in identity.insi_history],
        "ins_source": identity.ins_source.value if identity.ins_source else None,
        "ins_confirmed": identity.ins_confirmed,
        "document_type": validation.document_type if validation else None,
        "document_expiry": validation.document_expiry if validation else None,
        "validated_at": validation.validated_at if validation else None,
        "validated_by": validation.validated_by if validation else None,
        "warnings": [{"code": w.code.value, "message": w.message} for w in identity.warnings],
        "name_keys": name_keys(traits),
        "first_name_keys": first_name_keys(traits),
        "birth_name_phonetic": name_phonetic(traits.birth_name),
        "used_name_phonetic": name_phonetic(traits.used_name),
        "created_at": identity.created_at or now,
        "updated_at": identity.updated_at or identity.created_at or now,
        "active": identity.active,
        "merged_into": identity.merged_into,
        "collision": identity.collision.value if identity.collision else None,
        "received_from_other_domain": identity.received_from_other_domain,
        "linked_in_other_domain": identity.linked_in_other_domain,
        "nss_number": identity.nss.number if identity.nss else None,
        "nss_oid": identity.nss.oid.value if identity.nss else None,
        "nss_holder": identity.nss.holder.value if identity.nss else None,
    }


def history_rows(identity: Identity) -> list[dict[str, Any]]:
    return [
        {
            "identity_id": identity.id,
            "position": position,
            "number": entry.ins.number.number,
            "oid": entry.ins.oid.value,
            "ended_at": entry.ended_at,
            "reason": entry.reason,
            "replaced": entry.replaced,
        }
        for position, entry in enumerate(identity.ins_history)
    ]


def _ins(number: str | None, oid: str | None) -> Ins | None:
    """Stored matricules were checked on the way in: no re-validation here."""
    if number is None or oid is None:
        return None
    return Ins(InsNumber(number), Oid(oid))


def _code(method: CollectionMethod | None) -> str | None:
    return method.value if method else None


def _method(value: str | None) -> CollectionMethod | None:
    return CollectionMethod(value) if value else None


def _validation(row: RowMapping) -> Validation | None:
    if row["document_type"] is None:
        return None
    return Validation(
        row["document_type"], row["document_expiry"], row["validated_at"], row["validated_by"]
    )


def _traits(row: RowMapping) -> Traits:
    return Traits(
        birth_name=row["birth_name"],
        birth_first_names=tuple(row["birth_first_names"]),
        first_birth_first_name=row["first_birth_first_name"],
        birth_date=BirthDate(
            row["birth_date_raw"], row["birth_date"], bool(row["birth_date_corrected"])
        ),
        sex=Sex(row["sex"]),
        birth_place_code=row["birth_place_code"],
        used_name=row["used_name"],
        used_first_name=row["used_first_name"],
    )


def to_identity(row: RowMapping, history: Sequence[RowMapping]) -> Identity:
    """An ``identities`` row and its ``ins_history`` rows (by position) as an Identity."""
    return Identity(
        traits=_traits(row),
        warnings=tuple(
            IdentityWarning(WarningCode(w["code"]), w["message"]) for w in row["warnings"]
        ),
        id=row["id"],
        version=row["version"],
        status=IdentityStatus(row["status"]),
        attributes=frozenset(IdentityAttribute(a) for a in row["attributes"]),
        ins=_ins(row["ins_number"], row["ins_oid"]),
        ins_retrieved_at=row["ins_retrieved_at"],
        collection_method=_method(row["collection_method"]),
        ins_collection_method=_method(row["ins_collection_method"]),
        insi_history=tuple(ReceivedIns(**entry) for entry in row["insi_history"] or ()),
        ins_source=InsSource(row["ins_source"]) if row["ins_source"] else None,
        ins_confirmed=row["ins_confirmed"],
        ins_history=tuple(
            InsHistoryEntry(
                Ins(InsNumber(h["number"]), Oid(h["oid"])),
                h["ended_at"],
                h["reason"],
                bool(h["replaced"]),
            )
            for h in history
        ),
        validation=_validation(row),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        active=row["active"],
        merged_into=row["merged_into"],
        collision=CollisionLevel(row["collision"]) if row["collision"] else None,
        received_from_other_domain=bool(row["received_from_other_domain"]),
        linked_in_other_domain=bool(row["linked_in_other_domain"]),
        nss=_nss(row),
    )


def _nss(row: RowMapping) -> Nss | None:
    """Stored NSS were checked on the way in: no re-validation here."""
    if row["nss_number"] is None:
        return None
    return Nss(row["nss_number"], NssOid(row["nss_oid"]), NssHolder(row["nss_holder"]))
