"""The CSV report of a verification campaign run."""

from __future__ import annotations

from uuid import UUID

from identito.domain.errors import NotFound
from identito.domain.permissions import Actor
from identito.services.matricule_reads import MatriculeView, note_views
from identito.services.rules import Rules
from identito.services.spreadsheet import spreadsheet_csv
from identito.services.unit_of_work import UnitOfWork
from identito.services.verification_records import VerificationResult
from identito.services.verification_runs import run_progress

REPORT_RESULTS = {
    VerificationResult.OK: "OK",
    VerificationResult.KO: "KO",
    VerificationResult.ERROR: "erreurs",
    VerificationResult.SKIPPED: "sans matricule (ignorées)",
}


def campaign_report(run_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> str:
    """The CSV report of a run (``;``-separated, UTF-8 with BOM for spreadsheets):
    counts by result, then one line per KO and per error."""
    progress = run_progress(run_id, uow=uow, actor=actor, rules=rules)
    rows: list[list[object]] = [
        ["campagne", progress.campaign.name],
        ["périmètre", progress.campaign.perimeter_label],
        ["passage", str(run_id), progress.run.started_at.isoformat()],
        ["identités", progress.run.total],
    ]
    for result, label in REPORT_RESULTS.items():
        rows.append([label, progress.results.get(result.value, 0)])
    rows.append([])
    rows.append(["résultat", "identité", "matricule vérifié", "nom de naissance",
                     "1er prénom", "date de naissance", "message"])  # fmt: skip
    with uow:
        shown = []
        for result in (VerificationResult.KO, VerificationResult.ERROR):
            for item in uow.campaigns.items_with_result(run_id, result):
                traits = _traits_or_none(uow, item.identity_id)
                rows.append([result.value, str(item.identity_id), item.ins_number or "",
                                 *traits, item.message or ""])  # fmt: skip
                shown += [item.identity_id] if item.ins_number else []
        if shown:  # the matricules verified, one audit row per identity
            view = MatriculeView.VERIFICATION_REPORT
            note_views(shown, view, uow=uow, actor=actor, rules=rules)
    return spreadsheet_csv(rows)


def _traits_or_none(uow: UnitOfWork, identity_id: UUID) -> list[str]:
    try:
        traits = uow.identities.get(identity_id).traits
    except NotFound:
        return ["", "", ""]
    return [traits.birth_name, traits.first_birth_first_name, traits.birth_date.raw]
