"""R-LK-02 (IHE PAM table 0445): an identity linked (rapprochée) with a patient of another
identification domain is marked IDRA once, with an audited and propagated event."""

from __future__ import annotations

from datetime import timedelta

from fakes import NOW, make_identity
from identito.domain.diffusion import diffusion_view
from identito.domain.events import AuditAction
from identito.domain.status import IdentityStatus

LATER = NOW + timedelta(hours=1)


def test_a_rapprochement_with_another_domain_marks_idra_with_a_propagated_event() -> None:
    identity = make_identity(IdentityStatus.QUALIFIED)

    assert identity.mark_linked_in_other_domain(now=LATER, sender="GAM^CH-Y") is True

    assert identity.linked_in_other_domain and identity.updated_at == LATER
    (event,) = identity.events
    assert event.action is AuditAction.LINKED_IN_OTHER_DOMAIN and event.propagate
    assert event.details == {"sender": "GAM^CH-Y"}
    assert event.before is not None and "linked_in_other_domain" not in event.before
    assert event.after is not None and event.after["linked_in_other_domain"] is True
    assert identity.status is IdentityStatus.QUALIFIED  # the mark moves no status


def test_a_second_rapprochement_changes_nothing() -> None:
    identity = make_identity()
    identity.mark_linked_in_other_domain(now=LATER, sender="GAM^CH-Y")
    identity.pop_events()

    assert identity.mark_linked_in_other_domain(now=LATER, sender="DPI^CH-Z") is False
    assert identity.events == []


def test_the_diffusion_view_carries_the_mark() -> None:
    identity = make_identity()
    assert diffusion_view(identity, may_read_ins=True).linked_in_other_domain is False
    identity.mark_linked_in_other_domain(now=LATER, sender="GAM^CH-Y")
    assert diffusion_view(identity, may_read_ins=True).linked_in_other_domain is True
