"""The identity sheet prints the label and offers exports; the search page reads a DataMatrix."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from api_support import Api, Container, qualify
from web_support import Browser, created_id

from identito.domain.insi import CollectionMethod
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


def test_a_scanned_datamatrix_offers_a_creation_prefilled_with_method_barcode(
    container: Container, browser_for: Callable[[str], Browser]
) -> None:
    text = datamatrix.encode_fields(
        {"S1": "279035121518989", "S2": "1.2.250.1.213.1.4.10", "S3": "ANNE MARIE",
         "S4": "CODEBARRE", "S5": "F", "S6": "02-04-1991", "S7": "51215"}
    )  # fmt: skip
    browser = browser_for("admission")
    search = browser.get(browser.get("/recherche/datamatrix", params={"datamatrix": text})
                         .headers["location"])  # fmt: skip
    link = re.search(r'href="(/identites/nouvelle\?[^"]*methode=CB[^"]*)"', search.text)
    assert link and "Créer l'identité" in search.text
    form = browser.get(html.unescape(link.group(1))).text
    assert '<input type="hidden" name="collection_method" value="CB">' in form
    prefilled = {"birth_name": "CODEBARRE", "birth_first_names": "ANNE MARIE",
                 "first_birth_first_name": "ANNE", "birth_place_code": "51215"}  # fmt: skip
    for name, value in prefilled.items():
        assert re.search(rf'name="{name}" value="{value}"', form), name
    assert "279035121518989" not in form  # the matricule read from paper is not carried
    posted = {"birth_name": "CODEBARRE", "birth_first_names": "ANNE MARIE",
              "first_birth_first_name": "ANNE", "birth_date": "1991-04-02", "sex": "F",
              "birth_place_code": "51215", "collection_method": "CB"}  # fmt: skip
    identity_id = created_id(browser.post("/identites/nouvelle", posted))
    with container.uow_factory() as uow:
        assert uow.identities.get(UUID(identity_id)).collection_method is CollectionMethod.BARCODE


def test_an_uploaded_datamatrix_image_prefills_the_search(
    api: Api, container: Container, browser_for: Callable[[str], Browser]
) -> None:
    identity = qualify(container, api, api.create(birth_name="Photographie")["id"])
    png = api.get(f"/api/v1/identities/{identity['id']}/exports/datamatrix.png").content
    browser = browser_for("admission")
    files = {"image": ("scan.png", png, "image/png")}
    response = browser.post("/recherche/datamatrix", files=files)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["name"] == ["PHOTOGRAPHIE"] and query["methode"] == ["CB"]
    not_an_image = {"image": ("x.png", b"nope", "image/png")}
    unreadable = browser.post("/recherche/datamatrix", files=not_an_image)
    assert unreadable.status_code == 422 and "image" in unreadable.text
