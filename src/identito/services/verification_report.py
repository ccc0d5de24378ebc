"""The CSV report of a verification campaign run."""

from __future__ import annotations

import csv
import io
from uuid import UUID

from identito.domain.errors import NotFound
from identito.domain.permissions import Actor
from identito.services.matricule_reads import MatriculeView, note_views
from identito.services.rules import Rules
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
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["campagne", progress.campaign.name])
    writer.writerow(["périmètre", progress.campaign.perimeter_label])
    writer.writerow(["passage", str(run_id), progress.run.started_at.isoformat()])
    writer.writerow(["identités", progress.run.total])
    for result, label in REPORT_RESULTS.items():
        writer.writerow([label, progress.results.get(result.value, 0)])
    writer.writerow([])
    writer.writerow(["résultat", "identité", "matricule vérifié", "nom de naissance",
                     "1er prénom", "date de naissance", "message"])  # fmt: skip
    with uow:
        shown = []
        for result in (VerificationResult.KO, VerificationResult.ERROR):
            for item in uow.campaigns.items_with_result(run_id, result):
                traits = _traits_or_none(uow, item.identity_id)
                writer.writerow([result.value, str(item.identity_id), item.ins_number or "",
                                 *traits, item.message or ""])  # fmt: skip
                shown += [item.identity_id] if item.ins_number else []
        if shown:  # the matricules verified, one audit row per identity
            view = MatriculeView.VERIFICATION_REPORT
            note_views(shown, view, uow=uow, actor=actor, rules=rules)
    return "\ufeff" + out.getvalue()


def _traits_or_none(uow: UnitOfWork, identity_id: UUID) -> list[str]:
    try:
        traits = uow.identities.get(identity_id).traits
    except NotFound:
        return ["", "", ""]
    return [traits.birth_name, traits.first_birth_first_name, traits.birth_date.raw]
