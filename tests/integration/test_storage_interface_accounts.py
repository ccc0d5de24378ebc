"""Authenticated MLLP (issue 13 §1), on SQLite and PostgreSQL: a real listener on a loopback
port, senders connecting from 127.0.0.1 or 127.0.0.2, over TCP and over TLS with client
certificates made for the test. An undeclared or mismatched sender gets a NACK ``AR``, an
audit row naming the peer and the claimed sender, and nothing is stored; an accepted
message runs under its interface account, which the audit names."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from identito.adapters.database import engine_for
from identito.adapters.insi.simulator.certs import CertificateSet, ensure_certificates
from identito.adapters.orm import audit_log, identities, interface_accounts, received_messages
from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.domain.events import AuditAction
from identito.entrypoints.mllp import END, frame, sender_notice, start_server
from identito.services.auth import SYSTEM
from identito.services.interface_accounts import change_interface_account, declare_interface_account

DECLARED, OTHER = "127.0.0.1", "127.0.0.2"


def a28(sender: str = "LABO|CHU-X", control: str = "MSG-1", name: str = "CORSE") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-Z|20260306111154||ADT^A28^ADT_A05|{control}|P|2.5",
            "EVN||20260306111154",
            f"PID|1||IPP-{control}^^^CHU-X&1.2.3&ISO^PI||{name}^ANTHONY^ANTHONY^^^^L||19800302|M"
            "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||PROV",
            "PV1|1|N",
        ]
    )


def exchange(
    container: Container,
    messages: list[str],
    *,
    source: str = DECLARED,
    tls: ssl.SSLContext | None = None,
) -> list[str]:
    """Send ``messages`` over one connection to a real listener; the ACKs read (fewer when
    the listener closed the connection, an empty list when TLS failed)."""

    async def session() -> list[str]:
        server = await start_server(container, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        answers: list[str] = []
        writer = None
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(source, 0), ssl=tls,
                server_hostname="localhost" if tls else None,
            )  # fmt: skip
            for text in messages:
                writer.write(frame(text))
                await writer.drain()
                answers.append((await asyncio.wait_for(reader.readuntil(END), 20)).decode())
        except (ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
            pass  # refused: the listener closed the connection
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(ssl.SSLError, ConnectionError):
                    await writer.wait_closed()
            server.close()
            await server.wait_closed()
        return answers

    found: list[list[str]] = []  # in a thread of its own: another test may hold a loop
    worker = threading.Thread(target=lambda: found.append(asyncio.run(session())))
    worker.start()
    worker.join(40)
    return found[0]


def rows(url: str, table: Any, *where: Any) -> list[Any]:
    with engine_for(url).connect() as connection:
        return list(connection.execute(select(table).where(*where)))


def refusals(url: str, wait: float = 0.0) -> list[Any]:
    deadline = time.monotonic() + wait
    while not (found := rows(url, audit_log, audit_log.c.action == AuditAction.SENDER_REFUSED)):
        if time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return found


@pytest.fixture
def container(database_url: str) -> Container:
    built = bootstrap(Settings(database_url=database_url, test_mode=True))
    declare_interface_account(
        "labo", domains=["LABO^CHU-X"], addresses=[DECLARED],
        uow=built.uow_factory(), actor=SYSTEM, rules=built.rules,
    )  # fmt: skip
    return built


def test_a_declared_peer_is_accepted_and_the_audit_names_its_interface_account(container):
    [answer] = exchange(container, [a28()])

    assert "MSA|AA|MSG-1" in answer
    url = container.settings.database_url
    [message] = rows(url, received_messages)
    assert message.identity_id is not None
    actors = {r.actor for r in rows(url, audit_log, audit_log.c.identity_id == message.identity_id)}
    assert actors == {"labo"}
    assert refusals(url) == []


def test_an_undeclared_peer_gets_an_ar_an_audit_row_and_nothing_is_stored(container):
    answers = exchange(container, [a28(), a28(control="MSG-2")], source=OTHER)

    assert len(answers) == 1  # the connection is closed after the NACK
    assert "MSA|AR|MSG-1" in answers[0] and "aucun compte d'interface" in answers[0]
    url = container.settings.database_url
    assert rows(url, received_messages) == [] and rows(url, identities) == []
    [refusal] = refusals(url)
    assert refusal.actor == f"mllp:{OTHER}"
    assert refusal.details["peer"] == OTHER and refusal.details["claimed_sender"] == "LABO^CHU-X"
    assert refusal.details["reason"] == "undeclared_peer"


def test_a_declared_peer_forging_another_msh_3_is_refused_and_nothing_is_stored(container):
    [answer] = exchange(container, [a28(sender="DPI-CHU|CHU-X")])

    assert "MSA|AR|MSG-1" in answer and "DPI-CHU\\S\\CHU-X" in answer  # ^ escaped in ERR
    url = container.settings.database_url
    assert rows(url, received_messages) == [] and rows(url, identities) == []
    [refusal] = refusals(url)
    assert refusal.details["reason"] == "domain_not_declared"
    assert refusal.details["claimed_sender"] == "DPI-CHU^CHU-X"


def test_a_disabled_sender_is_refused_at_its_next_message(container):
    change_interface_account("labo", active=False, uow=container.uow_factory(), actor=SYSTEM,
                             rules=container.rules)  # fmt: skip

    [answer] = exchange(container, [a28()])

    assert "MSA|AR|" in answer
    assert rows(container.settings.database_url, received_messages) == []


def test_the_migration_path_receives_an_undeclared_peer_under_its_address_not_as_admin(
    database_url,
):
    settings = Settings(database_url=database_url, test_mode=True,
                        mllp_require_declared_senders=False)  # fmt: skip
    container = bootstrap(settings)

    [answer] = exchange(container, [a28(sender="ANCIEN|CHU-X")], source=OTHER)

    assert "MSA|AA|" in answer
    [message] = rows(database_url, received_messages)
    actors = {r.actor for r in rows(database_url, audit_log)}
    assert actors == {f"mllp:{OTHER}"} and message.sender_application == "ANCIEN"


def test_a_declaration_is_stored_and_read_back_as_declared(container):
    [row] = rows(container.settings.database_url, interface_accounts)

    assert (row.username, row.domains, row.addresses) == ("labo", ["LABO^CHU-X"], ["127.0.0.1/32"])
    assert row.active and row.changed_by == SYSTEM.username


# -- MLLP over TLS: client certificates ---------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[CertificateSet, CertificateSet]:
    """The listener's CA (its server certificate, and client ones), and a foreign CA."""
    made = tmp_path_factory.mktemp("mllp-tls")
    return ensure_certificates(made / "ours"), ensure_certificates(made / "foreign")


def fingerprint(path: Path) -> str:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def client(certs: CertificateSet, server_ca: Path, stem: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=server_ca)
    if stem is not None:
        context.load_cert_chain(certs.cert(stem), certs.key(stem))
    return context


@pytest.fixture
def tls_container(database_url: str, certificates: Any) -> Iterator[Container]:
    ours, _ = certificates
    settings = Settings(
        database_url=database_url, test_mode=True, mllp_tls_certificate=ours.cert("server"),
        mllp_tls_key=ours.key("server"), mllp_tls_ca=ours.ca,
    )  # fmt: skip
    built = bootstrap(settings)
    declare_interface_account(
        "automate", domains=["LABO^*"], certificate_sha256=fingerprint(ours.cert("insi-auto")),
        uow=built.uow_factory(), actor=SYSTEM, rules=built.rules,
    )  # fmt: skip
    yield built


def test_over_tls_the_declared_client_certificate_is_accepted_from_any_address(
    tls_container, certificates
):
    ours, _ = certificates

    [answer] = exchange(tls_container, [a28()], source=OTHER,
                        tls=client(ours, ours.ca, "insi-auto"))  # fmt: skip

    assert "MSA|AA|MSG-1" in answer
    url = tls_container.settings.database_url
    [message] = rows(url, received_messages)
    audited = rows(url, audit_log, audit_log.c.identity_id == message.identity_id)
    assert {r.actor for r in audited} == {"automate"}


def test_over_tls_a_certificate_of_the_ca_that_no_account_declares_gets_an_ar(
    tls_container, certificates
):
    ours, _ = certificates

    [answer] = exchange(tls_container, [a28()], tls=client(ours, ours.ca, "insi-manu"))

    assert "MSA|AR|MSG-1" in answer
    url = tls_container.settings.database_url
    assert rows(url, received_messages) == []
    [refusal] = refusals(url)
    assert "INSI-MANU" in refusal.details["certificate_subject"]


@pytest.mark.parametrize("case", ["no-certificate", "foreign-ca"])
def test_over_tls_an_absent_or_foreign_client_certificate_is_refused_at_the_handshake(
    tls_container, certificates, case
):
    ours, foreign = certificates
    tls = client(ours, ours.ca, None) if case == "no-certificate" else client(
        foreign, ours.ca, "insi-auto")  # fmt: skip

    answers = exchange(tls_container, [a28()], tls=tls)

    assert answers == []  # no ACK: the TLS session never carried a message
    url = tls_container.settings.database_url
    [refusal] = refusals(url, wait=10)
    assert refusal.details["reason"] == "tls_handshake" and refusal.details["peer"] == DECLARED
    assert rows(url, received_messages) == [] and rows(url, identities) == []


def test_the_listener_tells_the_operator_how_many_senders_are_declared_and_what_follows(
    database_url,
):
    strict = bootstrap(Settings(database_url=database_url, test_mode=True))
    lenient = bootstrap(Settings(database_url=database_url, test_mode=True,
                                 mllp_require_declared_senders=False))  # fmt: skip

    assert "Tout message sera refusé (AR)" in sender_notice(strict)
    assert "IDENTITO_MLLP_REQUIRE_DECLARED_SENDERS=false" in sender_notice(lenient)
    declare_interface_account(
        "labo", domains=["LABO"], addresses=[DECLARED],
        uow=strict.uow_factory(), actor=SYSTEM, rules=strict.rules,
    )  # fmt: skip
    assert sender_notice(strict).startswith("1 compte(s) d'interface déclaré(s) pour MLLP")
