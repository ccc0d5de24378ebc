"""The ACK kept for the copies of an HL7 v2 message (issue 12, migration 0023), on both
engines: the first of concurrent copies is kept; another message or a late copy replaces it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identito.services.auth import SYSTEM
from identito.services.reception_records import StoredAck

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DAY = timedelta(hours=24)


def _ack(ack: str, digest: str = "d1", at: datetime = AT) -> StoredAck:
    return StoredAck("GAM^CHU-Y", "MSG-1", digest, "AA", ack, at)


def test_of_two_copies_kept_at_once_the_first_ack_stays_and_is_the_answer_of_both(uow_factory):
    with uow_factory() as uow:
        first = uow.receptions.keep_ack(_ack("ACK-1"), replace_before=AT - DAY)
        second = uow.receptions.keep_ack(_ack("ACK-2"), replace_before=AT - DAY)
        uow.commit(SYSTEM, AT)
    with uow_factory() as uow:
        assert first == second == uow.receptions.stored_ack("GAM^CHU-Y", "MSG-1") == _ack("ACK-1")


def test_another_message_with_the_same_control_id_replaces_the_kept_ack(uow_factory):
    with uow_factory() as uow:
        uow.receptions.keep_ack(_ack("ACK-1"), replace_before=AT - DAY)
        kept = uow.receptions.keep_ack(_ack("ACK-2", digest="d2"), replace_before=AT - DAY)
        assert kept == _ack("ACK-2", digest="d2")
        assert uow.receptions.stored_ack("GAM^CHU-Y", "MSG-1") == kept


def test_a_copy_after_the_replay_window_replaces_the_kept_ack(uow_factory):
    late = AT + DAY + timedelta(minutes=1)
    with uow_factory() as uow:
        uow.receptions.keep_ack(_ack("ACK-1"), replace_before=AT - DAY)
        kept = uow.receptions.keep_ack(_ack("ACK-2", at=late), replace_before=late - DAY)
        assert kept.ack == "ACK-2"
        assert uow.receptions.stored_ack("GAM^CHU-Y", "MSG-2") is None
