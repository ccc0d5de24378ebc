"""The billing NSS screen and search (web, issue 17 point 1, R-TR-20, R-AS-04)."""

from __future__ import annotations

from collections.abc import Callable

from api_support import Api, new_ins_number
from web_support import Browser, csrf_of, distinct_person


def _form(browser: Browser, identity_id: str, **values: str) -> dict[str, str]:
    page = browser.get(f"/identites/{identity_id}/nss")
    assert page.status_code == 200
    return {"csrf_token": csrf_of(page.text), **values}


def test_the_nss_screen_says_it_is_not_the_ins_and_preselects_no_holder(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    page = browser_for("admission").get(f"/identites/{identity['id']}/nss")
    assert page.status_code == 200
    assert "Ce n'est pas le matricule INS" in page.text
    assert 'name="holder" value="patient">' in page.text  # not checked
    assert 'name="holder" value="ouvrant_droit">' in page.text


def test_an_nss_without_its_holder_is_refused_in_french_and_nothing_is_saved(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    browser = browser_for("admission")
    number = new_ins_number()
    response = browser.post(
        f"/identites/{identity['id']}/nss", _form(browser, identity["id"], number=number)
    )
    assert response.status_code == 422
    assert "Précisez à qui appartient ce NSS" in response.text
    assert api.get(f"/api/v1/identities/{identity['id']}").json()["nss"] is None


def test_an_nss_saved_on_its_screen_shows_on_the_sheet_and_is_found_by_the_nss_search(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    browser = browser_for("admission")
    number = new_ins_number()
    form = _form(browser, identity["id"], number=number, holder="ouvrant_droit",
                 oid="1.2.250.1.213.1.4.13", version=str(identity["version"]))  # fmt: skip
    response = browser.post(f"/identites/{identity['id']}/nss", form)
    assert response.status_code == 303 and "message=nss" in response.headers["location"]
    sheet = browser.get(response.headers["location"]).text
    assert f'<code class="nss">{number}</code>' in sheet
    assert "L&#39;ouvrant droit" in sheet or "L'ouvrant droit" in sheet
    body = api.get(f"/api/v1/identities/{identity['id']}").json()
    assert body["ins"] is None and body["status"] == "PROV"
    found = browser.get(f"/recherche?mode=nss&nss={number}").text
    assert f"/identites/{identity['id']}" in found
    by_ins = browser.get(f"/recherche?mode=ins&ins={number}").text
    assert f"/identites/{identity['id']}" not in by_ins
