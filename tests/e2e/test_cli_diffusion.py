"""``identito export`` and ``identito outbox send`` (to a local MLLP listener)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from uuid import UUID

import pydicom
import pytest
from cli_support import Cli, text

from identito.domain.identifiers import Ins, Oid
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity

PERSON = {
    "birth_name": "PAT-TROIS", "birth_first_names": ["DOMINIQUE", "MARIE-LOUISE"],
    "first_birth_first_name": "DOMINIQUE", "birth_date": "1979-03-28", "sex": "F",
    "birth_place_code": "51215",
}  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    runner.ok("db", "upgrade")
    yield runner
    runner.close()


def _qualified(cli: Cli) -> UUID:
    container = cli.container()
    identity = create_identity(PERSON, uow=container.uow_factory(), actor=SYSTEM,
                               rules=container.rules)  # fmt: skip
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
        loaded.record_ins_retrieval(Ins.parse("279035121518989", Oid.NIR.value), now=now)
        types = container.rules.document_types
        loaded.validate("CN", datetime(2031, 1, 1).date(), document_types=types, actor="t", now=now)
        uow.identities.update(loaded)
        uow.commit(SYSTEM, now)
    return identity.id


@pytest.mark.parametrize("fmt", ["fhir", "hl7v2", "cda", "datamatrix-svg", "label-pdf"])
def test_export_writes_the_file_with_the_matricule_of_a_qualified_identity(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    identity_id = _qualified(cli)
    output = tmp_path / f"out.{fmt}"
    result = cli.ok("export", str(identity_id), "--format", fmt, "--output", output)
    assert "avec le matricule INS" in text(result)
    assert output.stat().st_size > 0


def test_export_as_dicom_reads_back_and_an_unknown_format_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    identity_id = _qualified(cli)
    cli.ok("export", str(identity_id), "-f", "dicom", "-o", tmp_path / "p.dcm")
    assert (
        pydicom.dcmread(tmp_path / "p.dcm").OtherPatientIDsSequence[0].PatientID
        == "279035121518989"
    )
    result = cli("export", str(identity_id), "-f", "pdf", "-o", tmp_path / "x")
    assert result.exit_code == 1 and "Format d'export inconnu" in text(result)


class _Listener(socketserver.BaseRequestHandler):
    received: ClassVar[list[bytes]] = []

    def handle(self) -> None:
        data = b""
        while b"\x1c\x0d" not in data:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            data += chunk
        message = data[1 : data.index(b"\x1c\x0d")]
        _Listener.received.append(message)
        control_id = message.split(b"\r")[0].split(b"|")[9]
        ack = b"MSH|^~\\&|DPI|CHU-X|IDENTITO|CHU-X|20260316||ACK|1|P|2.5\rMSA|AA|" + control_id
        self.request.sendall(b"\x0b" + ack + b"\r\x1c\x0d")


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    _Listener.received = []
    server = socketserver.TCPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address  # type: ignore[misc]
    server.shutdown()
    server.server_close()


def test_outbox_send_delivers_the_a47_of_an_invalidated_ins_over_mllp(
    cli: Cli, listener: tuple[str, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    identity_id = _qualified(cli)
    container = cli.container()
    with container.uow_factory() as uow:
        loaded = uow.identities.get(identity_id)
        loaded.invalidate_ins(reason="erreur", now=datetime.now(UTC))
        uow.identities.update(loaded)
        uow.commit(SYSTEM, datetime.now(UTC))
    host, port = listener
    monkeypatch.setenv(
        "IDENTITO_HL7_RECEIVERS", f'["mllp://{host}:{port}", "file://{tmp_path}/hl7"]'
    )
    result = cli.ok("outbox", "send")
    assert "message(s) envoyé(s)" in text(result)
    a47 = [m for m in _Listener.received if b"ADT^A47" in m]
    assert len(a47) == 1 and b"MRG|279035121518989^^^ASIP-SANTE-INS-NIR" in a47[0]
    assert any(b"ADT^A47" in p.read_bytes() for p in (tmp_path / "hl7").iterdir())
    again = cli.ok("outbox", "send")
    assert "0 ligne(s) traitée(s)" in text(again)


def test_outbox_send_without_receiver_says_so(cli: Cli) -> None:
    result = cli("outbox", "send")
    assert result.exit_code == 1 and "Aucun récepteur" in text(result)


def test_the_serve_scheduler_propagates_by_itself_when_receivers_are_configured(
    cli: Cli, tmp_path: Path
) -> None:
    from identito.bootstrap import bootstrap
    from identito.config import Settings
    from identito.entrypoints.scheduler import Scheduler

    identity_id = _qualified(cli)
    with cli.container().uow_factory() as uow:
        loaded = uow.identities.get(identity_id)
        loaded.invalidate_ins(reason="erreur", now=datetime.now(UTC))
        uow.identities.update(loaded)
        uow.commit(SYSTEM, datetime.now(UTC))
    settings = Settings(database_url=cli.database_url, test_mode=True,
                        hl7_receivers=[f"file://{tmp_path}/hl7"])  # fmt: skip
    scheduler = Scheduler(bootstrap(settings))
    scheduler.tick()  # one wake-up of the thread started by `identito serve`
    delivered = [p.read_bytes() for p in (tmp_path / "hl7").iterdir()]
    assert sum(b"ADT^A47" in m for m in delivered) == 1  # after those of retrieval/validation
    report = scheduler.outbox_tick()  # the row is marked sent: nothing goes twice
    assert report is not None and report.outbox is not None and report.outbox.rows == 0
    assert Scheduler(cli.container()).outbox_tick() is None  # no receiver: no work, no lease
