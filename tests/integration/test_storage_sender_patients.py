"""One identity per sender and patient identifier (issue 12, migration 0018), on both
engines: the key refuses a second link; the migration keeps every earlier link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from migration_support import upgrade, with_engine
from sqlalchemy import insert, inspect, select

from identito.adapters.mappers import identity_row
from identito.adapters.orm import duplicate_reviews, identities, received_messages, sender_patients
from identito.services.reception_records import PatientAlreadyLinked

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_a_second_link_of_one_senders_patient_id_keeps_the_first(uow_factory) -> None:
    first, second = uuid4(), uuid4()
    with uow_factory() as uow:
        uow.receptions.link_patient("GAM^CHU-Y", "IPP1", first, AT)
        uow.receptions.link_patient("GAM^CHU-Y", "IPP1", second, AT)  # already linked: kept
        uow.receptions.link_patient("GAM^CHU-Z", "IPP1", second, AT)  # another sender
        assert uow.receptions.linked_identity("GAM^CHU-Y", "IPP1") == first
        assert uow.receptions.identity_for_patient("GAM", "CHU-Z", "IPP1") == second


def test_the_database_refuses_a_concurrent_second_link_of_one_senders_patient_id(
    uow_factory,
) -> None:
    with uow_factory() as uow:
        uow.receptions.link_patient("GAM^CHU-Y", "IPP1", uuid4(), AT)
        row = {"sender": "GAM^CHU-Y", "patient_id": "IPP1", "identity_id": uuid4(),
               "linked_at": AT}  # fmt: skip
        uow.receptions.linked_identity = lambda *_: None  # type: ignore[method-assign]
        with pytest.raises(PatientAlreadyLinked):  # as a writer that checked before
            uow.receptions.link_patient(row["sender"], row["patient_id"], row["identity_id"], AT)


@pytest.fixture
def database_at_0013(fresh_url: str) -> str:
    """A new database migrated up to revision 0013 only (before ``sender_patients``)."""
    upgrade(fresh_url, "0013")
    return fresh_url


def _message(sender: tuple[str, str | None], patient_id: str, identity_id: Any, minutes: int):  # type: ignore[no-untyped-def]
    return {"id": uuid4(), "channel": "hl7v2", "received_at": AT + timedelta(minutes=minutes),
            "content": "MSH|...", "outcome": "integrated", "sender_application": sender[0],
            "sender_facility": sender[1], "event": "A28", "control_id": "1", "own_domain": False,
            "identity_id": identity_id, "detail": None, "patient_id": patient_id}  # fmt: skip


def test_migration_0018_links_each_patient_id_to_its_latest_identity_and_lists_the_others(
    database_at_0013, make_identity
) -> None:
    a, b = make_identity(), make_identity(birth_name="MARTIN")
    merged = make_identity(birth_name="LEROY")
    merged.active, merged.merged_into = False, a.id
    gam = ("gam", "CHU-Y")
    messages = [_message(gam, "IPP1", a.id, 1), _message(gam, "IPP1", b.id, 2),
                _message(gam, "IPP2", merged.id, 3), _message(gam, "IPP2", a.id, 4),
                _message(("GAM", None), "IPP1", a.id, 5), _message(gam, None, b.id, 6),
                _message(gam, "IPP3", None, 7)]  # fmt: skip

    def seed(connection: Any) -> None:
        columns = {c["name"] for c in inspect(connection).get_columns("identities")}
        rows = [{k: v for k, v in identity_row(i).items() if k in columns} for i in (a, b, merged)]
        connection.execute(insert(identities), rows)
        connection.execute(insert(received_messages), messages)

    with_engine(database_at_0013, seed)
    upgrade(database_at_0013, "head")

    def read(connection: Any) -> tuple[dict[Any, Any], list[Any]]:
        links = connection.execute(select(sender_patients)).mappings().all()
        reviews = connection.execute(select(duplicate_reviews)).mappings().all()
        return {(r["sender"], r["patient_id"]): r["identity_id"] for r in links}, reviews

    links, reviews = with_engine(database_at_0013, read)
    assert links == {("GAM^CHU-Y", "IPP1"): b.id, ("GAM^CHU-Y", "IPP2"): a.id,
                     ("GAM^", "IPP1"): a.id}  # fmt: skip
    assert [{r["first_id"], r["second_id"]} for r in reviews] == [{a.id, b.id}]
    assert (reviews[0]["source"], reviews[0]["status"], reviews[0]["score"]) == (
        "sender_id", "pending", 1.0)  # fmt: skip
    kept = with_engine(database_at_0013, lambda c: c.execute(select(received_messages)).all())
    assert len(kept) == len(messages)  # nothing dropped
