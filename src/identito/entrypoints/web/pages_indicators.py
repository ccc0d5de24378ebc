"""Steering indicators: tables, SVG charts, CSV export."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.charts import bar_chart, monthly_chart
from identito.entrypoints.web.deps import SessionDep
from identito.entrypoints.web.rendering import render
from identito.services.indicators import Indicators, read_indicators

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
    }
    return render(request, "indicators.html", context)


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
