"""An identity read from an import file (issue 12): its audit row names the job and line."""

from __future__ import annotations

from fakes import NOW, make_traits
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.insi import CollectionMethod
from identito.domain.status import IdentityStatus


def test_an_identity_read_from_an_import_file_is_audited_as_imported_with_its_job_and_line() -> (
    None
):
    traits, warnings = make_traits()

    identity = Identity.import_row(traits, warnings, now=NOW, line=42, job="job-1")

    (event,) = identity.pop_events()
    assert event.action is AuditAction.IDENTITY_IMPORTED
    method = CollectionMethod.MANUAL.value
    assert event.details == {"method": method, "line": 42, "import_job": "job-1"}
    assert event.after == identity.snapshot()
    assert identity.status is IdentityStatus.PROVISIONAL
    assert identity.collection_method is CollectionMethod.MANUAL
