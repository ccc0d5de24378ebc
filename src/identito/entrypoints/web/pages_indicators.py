"""Steering indicators: tables, SVG charts, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.charts import bar_chart, monthly_chart, outcomes_chart
from identito.entrypoints.web.deps import SessionDep
from identito.entrypoints.web.insi_view import OUTCOME_LABELS, REASON_LABELS
from identito.entrypoints.web.rendering import render
from identito.services.indicators import (
    Indicators,
    Share,
    duplicate_indicators,
    read_indicators,
)
from identito.services.insi_indicators import InsiIndicators, insi_indicators

router = APIRouter(include_in_schema=False)


def _read(session: SessionDep, container: ContainerDep) -> Indicators:
    return read_indicators(uow=container.uow_factory(), actor=session.actor, rules=container.rules)


@router.get("/indicateurs")
def indicators_page(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    indicators = _read(session, container)
    current = indicators.current
    context = {
        "title": "Indicateurs de pilotage",
        "indicators": indicators,
        "status_chart": bar_chart(current.statuses, "Identités par statut", "statuts"),
        "attribute_chart": bar_chart(current.attributes, "Identités par attribut", "attributs"),
        "monthly_chart": monthly_chart(
            indicators.months, "Part des statuts en fin de mois, 12 derniers mois", "mois"
        ),
        "duplicates": duplicate_indicators(
            uow=container.uow_factory(), actor=session.actor, rules=container.rules
        ),
    }
    return render(request, "indicators.html", {**context, **_insi_context(session, container)})


def _read_insi(session: SessionDep, container: ContainerDep) -> InsiIndicators:
    return insi_indicators(uow=container.uow_factory(), actor=session.actor, rules=container.rules)


def _insi_months(indicators: InsiIndicators, now: datetime) -> list[tuple[str, dict[str, int]]]:
    """Every month of the period, oldest first, with its calls by outcome (maybe none)."""
    months, year, month = [], indicators.since.year, indicators.since.month
    while (year, month) <= (now.year, now.month):
        key = f"{year:04d}-{month:02d}"
        months.append((key, indicators.outcomes_by_month.get(key, {})))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _insi_context(session: SessionDep, container: ContainerDep) -> dict[str, object]:
    insi = _read_insi(session, container)
    months = _insi_months(insi, container.rules.now())
    reasons = [
        Share(code, REASON_LABELS[code], count, insi.rate(code))
        for code, count in insi.not_qualified.items()
    ]
    return {
        "insi": insi,
        "insi_months": months,
        "insi_reasons": reasons,
        "insi_outcomes": list(OUTCOME_LABELS.items()),
        "insi_reasons_chart": bar_chart(reasons, "Identités non qualifiées par motif", "motifs")
        if reasons
        else None,
        "insi_chart": outcomes_chart(
            months, list(OUTCOME_LABELS.items()), "Appels INSi par mois et par résultat", "insi"
        ),
    }


@router.get("/indicateurs-insi.csv")
def insi_csv(session: SessionDep, container: ContainerDep) -> Response:
    """INSi calls per month and outcome, then the reasons of non-qualification."""
    insi = _read_insi(session, container)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["mois", "total", *(f"{code} nombre" for code in OUTCOME_LABELS)])
    for month, counts in _insi_months(insi, container.rules.now()):
        writer.writerow([month, sum(counts.values()), *(counts.get(c, 0) for c in OUTCOME_LABELS)])
    writer.writerow([])
    writer.writerow(["motif de non-qualification après le premier appel", "nombre", "part (%)"])
    writer.writerow(["premiers appels", insi.first_recoveries, ""])
    for code, count in insi.not_qualified.items():
        writer.writerow(
            [REASON_LABELS[code], count, f"{insi.rate(code) * 100:.2f}".replace(".", ",")]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indicateurs-insi-identito.csv"'},
    )


@router.get("/indicateurs.csv")
def indicators_csv(session: SessionDep, container: ContainerDep) -> Response:
    """One line per month (end-of-month counts and shares); French Excel-friendly CSV."""
    indicators = _read(session, container)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    first = indicators.current
    header = ["mois", "total"]
    for share in (*first.statuses, *first.attributes):
        header += [f"{share.code} nombre", f"{share.code} part (%)"]
    writer.writerow(header)
    for month in indicators.months:
        row: list[object] = [month.month, month.total]
        for share in (*month.statuses, *month.attributes):
            row += [share.count, f"{share.share * 100:.2f}".replace(".", ",")]
        writer.writerow(row)
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indicateurs-identito.csv"'},
    )
