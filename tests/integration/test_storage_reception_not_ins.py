"""Issue 17 point 9 on SQLite and PostgreSQL (R-TR-19): an INS-C or an NSS received as
the INS of an own-domain HL7 message is refused as INS with its French reason, the
identity is stored without a matricule and the message is kept without the number."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from identito.adapters.orm import identities, received_messages
from identito.messages.hl7v2_reception import parse_adt
from identito.services.reception import receive_identity
from identito.services.verification_records import ReceptionOutcome

INS_C = "1234567890123456789012"
NSS = "180037511600178"


def _adt(ipp: str, name: str, identifier: str) -> str:
    return (
        f"MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU|20260316||ADT^A28^ADT_A05|{ipp}|P|2.5\r"
        f"PID|1||{ipp}^^^CHU-X&1.2.3&ISO^PI~{identifier}||{name}^JEAN^JEAN^^^^L||19800312|M"
        "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI\r"
    )


@pytest.mark.parametrize(
    ("number", "identifier", "word"),
    [
        (INS_C, f"{INS_C}^^^ASIP-SANTE-INS-C&1.2.250.1.213.1.4.2&ISO^INS-C", "INS-C"),
        (NSS, f"{NSS}^^^X&1.2.250.1.213.1.4.13&ISO^INS", "NSS"),
    ],
)
def test_an_ins_c_or_nss_received_as_ins_is_never_stored_as_an_ins(
    uow_factory, rules, admin, number: str, identifier: str, word: str
) -> None:
    reception = parse_adt(_adt(f"IPP-{word}", f"RECU{word.replace('-', '')}", identifier))
    result = receive_identity(
        reception, own_domain=["OWNAPP^*"], uow=uow_factory(), actor=admin, rules=rules,
        teleservice=None,
    )  # fmt: skip
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    with uow_factory() as uow:
        connection = uow._connection
        stored = connection.execute(
            select(identities.c.ins_number, identities.c.ins_oid, identities.c.status).where(
                identities.c.id == result.identity_id
            )
        ).one()
        message = connection.execute(
            select(received_messages.c.content, received_messages.c.detail).where(
                received_messages.c.id == result.message_id
            )
        ).one()
    assert tuple(stored) == (None, None, "PROV")
    assert number not in message.content
    assert word in message.detail and "jamais enregistré comme INS" in message.detail
