"""``Identity.qualify_in_domain``: a sender of the own identification domain qualified
the identity (IHE PAM FR R-ST-09); the status table decides."""

from __future__ import annotations

from datetime import date

import pytest

from fakes import INS_A, INS_B, NOW, make_identity
from identito.domain.documents import DOMAIN_CHECK, Validation
from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.status import IdentityAttribute, IdentityStatus

SENDER_CHECK = Validation(DOMAIN_CHECK, None, NOW, "domaine : OWNAPP^CHU-X")


@pytest.mark.parametrize(
    "status",
    [
        IdentityStatus.PROVISIONAL,
        IdentityStatus.RETRIEVED,
        IdentityStatus.VALIDATED,
        IdentityStatus.QUALIFIED,
    ],
)
def test_every_status_reaches_qualified_with_the_senders_ins(status):
    identity = make_identity(status)
    identity.qualify_in_domain(INS_B, SENDER_CHECK, now=NOW)
    assert identity.status is IdentityStatus.QUALIFIED and identity.ins == INS_B
    identity.check_invariants()
    event = identity.pop_events()[-1]
    assert event.action is AuditAction.INS_RETRIEVED and event.propagate
    assert event.details == {
        "qualified_in_domain": True,
        "sender": "domaine : OWNAPP^CHU-X",
        "ins_source": "DOMAIN",
        "confirmed": True,
        "not_confirmed_because": [],
    }
    if status.has_ins:
        assert identity.ins_history[-1].ins == INS_A


def test_the_senders_check_is_recorded_unless_identito_checked_a_document_itself():
    provisional = make_identity()
    provisional.qualify_in_domain(INS_A, SENDER_CHECK, now=NOW)
    assert provisional.validation == SENDER_CHECK
    validated = make_identity(IdentityStatus.VALIDATED)
    validated.qualify_in_domain(INS_A, SENDER_CHECK, now=NOW)
    assert validated.validation is not None
    assert (validated.validation.document_type, validated.validation.document_expiry) == (
        "CN",
        date(2031, 1, 1),
    )


def test_a_doubtful_identity_cannot_be_qualified_by_the_domain():
    identity = make_identity()
    identity.change_attributes([IdentityAttribute.DOUBTFUL], [], now=NOW)
    with pytest.raises(InvalidTransition):
        identity.qualify_in_domain(INS_A, SENDER_CHECK, now=NOW)
    assert identity.status is IdentityStatus.PROVISIONAL and identity.ins is None
