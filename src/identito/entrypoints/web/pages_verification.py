"""INS verification pages: "Vérifier l'INS" from the sheet, campaigns with their
progress, identity-vigilance worklists, verification indicators (htmx fragment)."""

from __future__ import annotations

import threading
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import DomainError, InvalidInput
from identito.domain.permissions import Actor
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.rendering import field_errors, is_htmx, render
from identito.services import verification_campaigns as campaigns
from identito.services.verification import verify_ins
from identito.services.verification_indicators import verification_indicators
from identito.services.verification_records import (
    SAVED_QUERIES,
)
from identito.services.vigilance import resolve_entry

router = APIRouter(include_in_schema=False)


@router.post("/identites/{identity_id}/verifier-ins")
def verify(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    if container.teleservice is None:
        raise InvalidInput.single("insi", "no_teleservice", "Aucun téléservice INSi configuré.")
    outcome = verify_ins(
        identity_id,
        uow=container.uow_factory(),
        actor=session.actor,
        rules=container.rules,
        teleservice=container.teleservice,
    )
    context = {
        "title": "Vérification de l'INS",
        "identity_id": identity_id,
        "outcome": outcome,
        "label": outcome.result.label,
    }
    return render(request, "verification_result.html", context)


# -- campaigns --------------------------------------------------------------------------------


def _campaigns_context(session: SessionDep, container: ContainerDep, **extra: object) -> dict:
    found = campaigns.list_campaigns(
        uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    return {
        "title": "Campagnes de vérification de l'INS",
        "campaigns": found,
        "queries": SAVED_QUERIES,
        "errors": {},
        **extra,
    }


@router.get("/verification")
def campaigns_page(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    context = _campaigns_context(session, container)
    running = any(
        isinstance(c, campaigns.RunProgress) and not c.finished for c in context["campaigns"]
    )
    return render(request, "verification_campaigns.html", {**context, "running": running})


@router.post("/verification/campagnes")
def create_campaign(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    def number(name: str, default: str) -> str:
        return str(form.get(name) or default).strip()

    try:
        campaigns.create_campaign(
            name=number("name", ""), perimeter=number("perimeter", "stale"),
            years=int(number("years", "5")), query=str(form.get("query") or "") or None,
            frequency_days=int(number("frequency_days", "0")) or None,
            batch_size=int(number("batch_size", "500")), use_batch=form.get("unit") != "on",
            unit_rate=float(number("unit_rate", "10")),
            uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        )  # fmt: skip
    except ValueError:
        errors = {"form": ["Les nombres saisis sont invalides."]}
        context = _campaigns_context(session, container, errors=errors)
        return render(request, "verification_campaigns.html", context, 422)
    except InvalidInput as error:
        context = _campaigns_context(session, container, errors=field_errors(error.errors))
        return render(request, "verification_campaigns.html", context, 422)
    return RedirectResponse("/verification", status_code=303)


@router.post("/verification/campagnes/{campaign_id}/lancer")
def start_campaign(
    campaign_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    run, _ = campaigns.open_run(
        campaign_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    threading.Thread(target=_run, args=(container, run.id, session.actor), daemon=True).start()
    return RedirectResponse("/verification", status_code=303)


def _run(container: ContainerDep, run_id: UUID, actor: Actor) -> None:
    if container.teleservice is None:
        return
    try:
        campaigns.run_campaign(
            run_id, uow=container.uow_factory(), actor=actor, rules=container.rules,
            teleservice=container.teleservice,
        )  # fmt: skip
    except DomainError:
        return  # traced; resumed by the scheduler or a new start


@router.get("/verification/passages/{run_id}/rapport.csv")
def run_report(run_id: UUID, session: SessionDep, container: ContainerDep) -> Response:
    text = campaigns.campaign_report(
        run_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="verification-{run_id}.csv"'},
    )


# -- worklists ----------------------------------------------------------------------------------


@router.post("/listes-de-travail/{entry_id}")
def resolve(
    entry_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    entry = resolve_entry(
        entry_id,
        str(form.get("decision") or ""),
        comment=str(form.get("comment") or "") or None,
        uow=container.uow_factory(),
        actor=session.actor,
        rules=container.rules,
        teleservice=container.teleservice,
    )
    return RedirectResponse(
        f"/listes-de-travail?liste={entry.kind.value}&traite=1", status_code=303
    )


@router.get("/indicateurs/verification")
def indicators_fragment(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    found = verification_indicators(
        uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    if is_htmx(request):  # loaded into the indicators page
        return render(request, "_verification_indicators.html", {"verification": found})
    context = {"verification": found, "title": "Vérifications de l'INS par mois"}
    return render(request, "verification_indicators.html", context)
