"""Bounded work per received HL7 v2 message: limits before parsing, linear reading,
and the MLLP framer that never holds more than the limit in memory."""

from __future__ import annotations

import asyncio
import threading

import pytest

from identito.entrypoints.mllp import END, START, Framer
from identito.messages import hl7v2_reception
from identito.messages.hl7v2_ack import Header, Hl7Rejected
from identito.messages.hl7v2_limits import (
    TRACE_CHARS,
    Hl7Limits,
    check_limits,
    check_size,
    excerpt,
    relevant_segments,
)
from identito.messages.hl7v2_reception import parse_adt

INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
HEADER = Header("GAM", "CHU-Y", "M1", "A28", "2.5")
WIDE = Hl7Limits(max_bytes=10**9, max_segments=10**6, max_repetitions=10**6)


def a28(*, notes: int = 0, identifiers: int = 0) -> str:
    pid3 = "IPP1^^^CHU-Y&1.2.3&ISO^PI~180032B02040123^^^" + INS_NIR
    pid3 += "".join(f"~X{i}^^^CHU-Y&1.2.3&ISO^AN" for i in range(identifiers))
    segments = [
        "MSH|^~\\&|GAM|CHU-Y|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|M1|P|2.5",
        "EVN||20260306111154",
        f"PID|1||{pid3}||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M|||^^^^^FRA^BDL^^2B020"
        "|||||||||||||||||||N||VALI",
        "PV1|1|N",
        *(f"NTE|{i}||note {i}" for i in range(notes)),
    ]
    return "\r".join(segments)


def _refusal(call) -> Hl7Rejected:  # type: ignore[no-untyped-def]
    with pytest.raises(Hl7Rejected) as raised:
        call()
    return raised.value


def test_a_message_with_more_segments_than_the_limit_is_refused_with_ar_in_french():
    limits = Hl7Limits(max_segments=50)
    refusal = _refusal(lambda: parse_adt(a28(notes=100), limits))
    assert (refusal.ack_code, refusal.code) == ("AR", "104")
    assert "104 segments (au plus 50)" in refusal.text


def test_a_field_repeated_more_than_the_limit_is_refused_and_located():
    refusal = _refusal(lambda: parse_adt(a28(identifiers=20_000), Hl7Limits(max_repetitions=100)))
    assert (refusal.ack_code, refusal.code, refusal.location) == ("AR", "104", "PID^1^3")
    assert "Trop de répétitions dans PID-3 : 20002 (au plus 100)" in refusal.text


def test_the_encoding_characters_of_msh_2_are_not_counted_as_repetitions():
    check_limits(a28().split("\r"), Hl7Limits(max_repetitions=2), HEADER)


def test_a_message_above_the_size_limit_is_refused_with_its_size():
    refusal = _refusal(lambda: check_size(2_000_000, Hl7Limits(max_bytes=1_048_576), HEADER))
    assert (refusal.ack_code, refusal.code) == ("AR", "104")
    assert "2000000 octets (au plus 1048576)" in refusal.text


def test_only_msh_and_the_first_pid_mrg_and_zfd_are_kept_for_reading():
    segments = ["MSH|x", "EVN|1", "PID|1", "NTE|1", "PID|2", "ZFD|1", "MRG|1", "ZFD|2"]
    assert relevant_segments(segments) == ["MSH|x", "PID|1", "ZFD|1", "MRG|1"]


def test_the_segments_split_into_fields_do_not_grow_with_the_message(monkeypatch):
    made: list[object] = []
    real = hl7v2_reception.Segment

    def counting(*args):  # type: ignore[no-untyped-def]
        made.append(args)
        return real(*args)

    monkeypatch.setattr(hl7v2_reception, "Segment", counting)
    small = parse_adt(a28(notes=10), WIDE)
    splits_for_small = len(made)
    large = parse_adt(a28(notes=10_000, identifiers=20_000), WIDE)
    assert splits_for_small == 1 and len(made) - splits_for_small == 1  # the PID only
    assert large.identity == small.identity  # the extra AN identifiers and notes change nothing


def test_a_refused_message_is_traced_by_its_start_only():
    text = a28(notes=50_000)
    trace = excerpt(text)
    assert trace.startswith(text[:100]) and len(trace) < TRACE_CHARS + 100
    assert f"{len(text)} caractères reçus" in trace
    assert excerpt("MSH|court") == "MSH|court"
    assert "123456 octets reçus" in excerpt("MSH|début", size=123_456)


def _frames(data: bytes, max_bytes: int) -> list[tuple[bytes, int] | None]:
    async def read() -> list[tuple[bytes, int] | None]:
        reader = asyncio.StreamReader()
        for start in range(0, len(data), 7):  # small chunks: markers split across reads
            reader.feed_data(data[start : start + 7])
        reader.feed_eof()
        framer, found = Framer(reader, max_bytes), []
        while await framer.start():
            framed = await framer.message()
            found.append(None if framed is None else (framed.payload, framed.size))
        return found

    found: list[list[tuple[bytes, int] | None]] = []  # a thread of its own: a loop may run here
    worker = threading.Thread(target=lambda: found.append(asyncio.run(read())))
    worker.start()
    worker.join(30)
    return found[0]


def test_the_framer_keeps_only_the_start_of_a_message_above_the_limit_and_reads_on():
    big = b"MSH|" + b"x" * 100_000
    data = START + big + END + b"noise" + START + b"MSH|ok" + END + START + b"MSH|cut"
    oversized, following, cut = _frames(data, max_bytes=1_000)
    assert oversized == (big[:1_000], len(big))  # its start only (at most TRACE_CHARS)
    assert following == (b"MSH|ok", 6)
    assert cut is None  # the stream ended inside a message


def test_the_framer_gives_a_message_at_the_limit_whole():
    message = b"MSH|" + b"y" * 996
    assert _frames(START + message + END, max_bytes=1_000) == [(message, 1_000)]
