"""Printing from the identity sheet (issue 16 §5): label, wristband, A4 sheet of a chosen
number of labels; the API export takes the number too."""

from __future__ import annotations

from collections.abc import Callable

import pypdfium2 as pdfium
from api_support import Api, Container, qualify
from web_support import Browser, distinct_person

from identito.messages import label_print


def _pages(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def test_the_sheet_offers_the_three_print_models_and_a_number(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(**distinct_person())
    page = browser_for("care").get(f"/identites/{identity['id']}").text
    assert f'action="/identites/{identity["id"]}/imprimer"' in page
    for value in ("etiquette", "bracelet", "planche"):
        assert f'<option value="{value}">' in page
    assert f'max="{label_print.SHEET_MAX}"' in page


def test_the_wristband_of_a_qualified_identity_carries_ipp_and_matricule_and_is_traced(
    api: Api, container: Container, browser_for: Callable[[str], Browser]
) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    url = f"/identites/{identity['id']}/imprimer"
    answer = browser_for("care").get(url, params={"modele": "bracelet"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline;")
    [text] = _pages(answer.content)
    assert identity["id"] in text and identity["ins"]["number"] in text
    audit = api.get(f"/api/v1/identities/{identity['id']}/audit").json()["items"]
    diffused = [e for e in audit if e["action"] == "identity.diffused"]
    assert diffused and diffused[-1]["details"]["format"] == "wristband.pdf"


def test_a_sheet_of_the_chosen_number_of_labels_of_a_provisional_identity_has_no_matricule(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(**distinct_person())
    url = f"/identites/{identity['id']}/imprimer"
    answer = browser_for("care").get(url, params={"modele": "planche", "nombre": "30"})
    assert answer.status_code == 200
    pages = _pages(answer.content)
    assert len(pages) == 2 and sum(p.count(identity["id"]) for p in pages) == 30
    assert all("INS (" not in p and "Identité provisoire" in p for p in pages)


def test_a_wrong_number_or_model_is_a_french_422_page(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(**distinct_person())
    url = f"/identites/{identity['id']}/imprimer"
    browser = browser_for("care")
    too_many = browser.get(url, params={"modele": "planche", "nombre": "500"})
    assert too_many.status_code == 422
    assert f"Nombre d&#39;étiquettes attendu : de 1 à {label_print.SHEET_MAX}" in too_many.text
    unknown = browser.get(url, params={"modele": "affiche"})
    assert unknown.status_code == 422 and "Modèle inconnu" in unknown.text


def test_the_api_exports_a_wristband_and_a_sheet_of_count_labels(api: Api) -> None:
    identity = api.create(**distinct_person())
    url = f"/api/v1/identities/{identity['id']}/exports"
    wristband = api.get(f"{url}/wristband.pdf")
    assert wristband.status_code == 200 and wristband.content.startswith(b"%PDF")
    sheet = api.get(f"{url}/labels.pdf", params={"count": 3})
    assert sheet.status_code == 200
    assert _pages(sheet.content)[0].count(identity["id"]) == 3
    assert _pages(api.get(f"{url}/labels.pdf").content)[0].count(identity["id"]) == 24
    refused = api.get(f"{url}/labels.pdf", params={"count": 0})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["count"]
