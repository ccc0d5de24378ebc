"""The identity sheet prints the label and offers exports; the search page reads a DataMatrix."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from api_support import Api, Container, qualify
from web_support import Browser

from identito.messages import datamatrix


def test_the_sheet_prints_the_label_and_offers_exports_by_role(
    api: Api, container: Container, browser_for: Callable[[str], Browser]
) -> None:
    identity = qualify(container, api, api.create(birth_name="Etiquette")["id"])
    page = browser_for("care").get(f"/identites/{identity['id']}").text
    assert "Imprimer l'étiquette" in page and "Exports" in page
    pdf = browser_for("care").get(f"/identites/{identity['id']}/exports/label.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    audit = api.get(f"/api/v1/identities/{identity['id']}/audit").json()["items"]
    assert "identity.diffused" in [e["action"] for e in audit]


def test_a_scanned_datamatrix_prefills_the_search(
    api: Api, container: Container, browser_for: Callable[[str], Browser]
) -> None:
    identity = qualify(container, api, api.create(birth_name="Scanne")["id"])
    png = api.get(f"/api/v1/identities/{identity['id']}/exports/datamatrix.png").content
    text = datamatrix.decode_image(png)
    browser = browser_for("admission")
    assert "Scanner un DataMatrix" in browser.get("/recherche").text
    response = browser.get("/recherche/datamatrix", params={"datamatrix": text})
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["name"] == ["SCANNE"] and query["methode"] == ["CB"]
    results = browser.get(response.headers["location"]).text
    assert f"/identites/{identity['id']}" in results
    refused = browser.get("/recherche/datamatrix", params={"datamatrix": "pas un code"})
    assert refused.status_code == 422 and "DataMatrix INS" in refused.text
