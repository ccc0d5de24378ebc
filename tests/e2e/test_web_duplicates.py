"""Potential duplicates before saving, on the sheet, side by side; merge and unmerge (web)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from api_support import Api, qualify
from web_support import Browser, created_id, creation_form, distinct_person, edit_form

from identito.bootstrap import Container
from identito.domain.duplicates import Agreement, Trait

_SEEN = re.compile(r'name="doublons_vus" value="([^"]*)"')
_UNMERGE = re.compile(r'action="/fusions/([0-9a-f-]+)/annuler"')


def _person() -> dict[str, Any]:
    """A reference person of a birth year no other test uses."""
    return distinct_person(
        birth_name="Dupont", birth_first_names=["Jean", "Christophe"],
        first_birth_first_name="Jean", sex="M", used_name=None,
    )  # fmt: skip


def _typed(person: dict[str, Any], **changes: str) -> dict[str, str]:
    """The same person as typed in the creation form, with changes."""
    typed = {
        "birth_name": person["birth_name"],
        "birth_first_names": " ".join(person["birth_first_names"]),
        "first_birth_first_name": person["first_birth_first_name"],
        "birth_date": person["birth_date"],
        "sex": person["sex"],
        "used_name": "",
    }
    return creation_form(**{**typed, **changes})


def test_every_agreement_level_of_the_model_has_a_french_label() -> None:
    assert all(level.label for level in Agreement)
    assert all(trait.label for trait in Trait)


def _count(api: Api, birth_date: str) -> int:
    found = api.get("/api/v1/identities", params={"birth_date": birth_date}).json()["items"]
    return len(found)


def _seen(page_text: str) -> str:
    match = _SEEN.search(page_text)
    assert match, "no « Créer quand même » form"
    return match.group(1)


def test_a_creation_resembling_an_identity_shows_it_before_saving_and_saves_nothing(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    existing = api.create(**person)
    browser = browser_for("admission")

    page = browser.post("/identites/nouvelle", _typed(person, birth_name="Dupotn"))

    assert page.status_code == 200
    assert "1 doublon potentiel : rien n'a encore été enregistré" in page.text
    assert f'href="/identites/{existing["id"]}"' in page.text
    assert "Ouvrir la fiche existante" in page.text and "Créer quand même" in page.text
    assert re.search(r"\d+,\d %", page.text)  # the score as a French percentage
    assert "≈ Proche" in page.text and "Saisie proche (faute de frappe possible)." in page.text
    assert "= Identique" in page.text and "DUPOTN" in page.text and "DUPONT" in page.text
    assert _seen(page.text) == existing["id"]
    assert 'value="Dupotn"' in page.text  # the typed traits are kept in the form
    assert _count(api, person["birth_date"]) == 1


def test_creer_quand_meme_creates_the_identity_with_the_same_traits(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    api.create(**person)
    browser = browser_for("admission")
    typed = _typed(person, birth_name="Dupond")
    seen = _seen(browser.post("/identites/nouvelle", typed).text)

    created = browser.post("/identites/nouvelle", {**typed, "doublons_vus": seen})

    identity = api.get(f"/api/v1/identities/{created_id(created)}").json()
    assert identity["birth_name"] == "DUPOND" and identity["status"] == "PROV"
    assert _count(api, person["birth_date"]) == 2


def test_a_duplicate_not_shown_to_the_user_asks_again_before_creating(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    first = api.create(**person)
    browser = browser_for("admission")
    typed = _typed(person)
    seen = _seen(browser.post("/identites/nouvelle", typed).text)
    second = api.create(**{**person, "used_name": "Martin"})  # created meanwhile

    page = browser.post("/identites/nouvelle", {**typed, "doublons_vus": seen})

    assert page.status_code == 200 and "2 doublons potentiels" in page.text
    assert set(_seen(page.text).split(",")) == {first["id"], second["id"]}
    assert _count(api, person["birth_date"]) == 2


def test_a_creation_after_a_datamatrix_scan_is_checked_and_keeps_its_collection_method(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    api.create(**person)
    browser = browser_for("admission")
    typed = {**_typed(person), "collection_method": "CB"}

    page = browser.post("/identites/nouvelle", typed)

    assert page.status_code == 200 and "doublon potentiel" in page.text
    confirm = page.text[page.text.index('id="creer-quand-meme"') :]
    assert 'name="collection_method" value="CB"' in confirm
    created = browser.post("/identites/nouvelle", {**typed, "doublons_vus": _seen(page.text)})
    assert created.status_code == 303


def test_invalid_traits_are_refused_field_by_field_before_any_duplicate_is_looked_for(
    browser_for: Callable[[str], Browser],
) -> None:
    page = browser_for("admission").post(
        "/identites/nouvelle", creation_form(birth_date="31/02/1985")
    )
    assert page.status_code == 422
    assert "doublon" not in page.text and "field-error" in page.text


def test_a_change_of_traits_that_resembles_another_identity_is_shown_before_saving(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    other = api.create(**person)
    changed = api.create(**{**person, "birth_name": "Lambert"})
    browser = browser_for("admission")
    url = f"/identites/{changed['id']}/modifier"

    page = browser.post(url, edit_form(changed, birth_name="Dupont"))

    assert page.status_code == 200 and "1 doublon potentiel" in page.text
    assert f"/identites/{changed['id']}/comparer/{other['id']}" in page.text
    assert _seen(page.text) == other["id"]  # the identity itself is never its own duplicate
    assert api.get(f"/api/v1/identities/{changed['id']}").json()["birth_name"] == "LAMBERT"
    saved = browser.post(url, edit_form(changed, birth_name="Dupont", doublons_vus=other["id"]))
    assert saved.status_code == 303 and "message=modifiee" in saved.headers["location"]
    assert api.get(f"/api/v1/identities/{changed['id']}").json()["birth_name"] == "DUPONT"


def test_a_downgrade_and_a_duplicate_are_confirmed_together(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    person = _person()
    other = api.create(**person)
    qualified = qualify(container, api, api.create(**{**person, "birth_name": "Lambert"})["id"])
    browser = browser_for("identitovigilance")
    url = f"/identites/{qualified['id']}/modifier"

    page = browser.post(url, edit_form(qualified, birth_name="Dupont"))

    assert "doublon potentiel" in page.text and "Confirmez-vous cette modification" in page.text
    assert 'name="confirmer" value="1"' in page.text and _seen(page.text) == other["id"]
    form = edit_form(qualified, birth_name="Dupont", confirmer="1", reason="Nom corrigé")
    saved = browser.post(url, {**form, "doublons_vus": other["id"]})
    assert saved.status_code == 303
    assert api.get(f"/api/v1/identities/{qualified['id']}").json()["status"] == "PROV"


def test_the_sheet_loads_its_potential_duplicates_with_a_link_to_compare(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    one = api.create(**person)
    two = api.create(**{**person, "birth_name": "Dupond"})
    browser = browser_for("admission")

    sheet = browser.get(f"/identites/{one['id']}")
    section = browser.get(f"/identites/{one['id']}/doublons", headers={"HX-Request": "true"})
    page = browser.get(f"/identites/{one['id']}/doublons")

    assert f'hx-get="/identites/{one["id"]}/doublons"' in sheet.text
    assert "<html" not in section.text and "Doublons potentiels" in section.text
    assert f"/identites/{one['id']}/comparer/{two['id']}" in section.text
    assert re.search(r"\d+,\d %", section.text)
    assert page.status_code == 200 and "<html" in page.text and "Revenir à la fiche" in page.text


def test_the_side_by_side_page_marks_differences_and_only_vigilance_may_merge(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    person = _person()
    provisional = api.create(**{**person, "birth_name": "Dupond"})
    qualified = qualify(container, api, api.create(**person)["id"])
    url = f"/identites/{provisional['id']}/comparer/{qualified['id']}"

    admission = browser_for("admission").get(url)
    vigilance = browser_for("identitovigilance").get(url)

    assert admission.status_code == 200
    assert "Traits côte à côte" in admission.text and "≠ Différent" in admission.text
    assert re.search(r'<tr class="differs" data-field="birth_name">', admission.text)
    assert re.search(r'<tr class="same" data-field="birth_date">', admission.text)
    assert "Explication du score" in admission.text
    assert "Fusionner" not in admission.text
    assert "Fusionner ces deux identités" in vigilance.text
    preselected = re.search(r'name="survivor_id" value="([^"]+)"[^>]* checked', vigilance.text)
    assert preselected and preselected.group(1) == qualified["id"]  # the best status


def _merge(browser: Browser, survivor: dict[str, Any], merged: dict[str, Any]) -> str:
    ids = {"left_id": merged["id"], "right_id": survivor["id"], "survivor_id": survivor["id"]}
    confirm = browser.post("/fusions", ids)
    assert confirm.status_code == 200 and "Confirmez-vous la fusion" in confirm.text
    done = browser.post("/fusions", {**ids, "confirmer": "1"})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/identites/{survivor['id']}?message=fusionnee"
    return done.headers["location"]


def test_a_merge_is_confirmed_then_the_merged_sheet_links_to_its_survivor(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    survivor, merged = api.create(**person), api.create(**{**person, "birth_name": "Dupond"})
    vigilance = browser_for("identitovigilance")

    location = _merge(vigilance, survivor, merged)

    survivor_sheet = vigilance.get(location).text
    assert "Fusion enregistrée" in survivor_sheet
    assert "Identités fusionnées dans celle-ci" in survivor_sheet
    assert f'href="/identites/{merged["id"]}"' in survivor_sheet
    merged_sheet = vigilance.get(f"/identites/{merged['id']}").text
    assert "Identité fusionnée dans" in merged_sheet and "(inactive)" in merged_sheet
    assert f'href="/identites/{survivor["id"]}" id="lien-survivante"' in merged_sheet
    assert "Annuler la fusion" in merged_sheet
    for hidden in ("Modifier les traits", "Valider l'identité", "Appel INSi", "Attributs ("):
        assert hidden not in merged_sheet, hidden
    assert api.get(f"/api/v1/identities/{merged['id']}").json()["active"] is False


def test_admission_sees_a_merged_identity_but_may_neither_merge_nor_unmerge(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    survivor, merged = api.create(**person), api.create(**{**person, "birth_name": "Dupond"})
    _merge(browser_for("identitovigilance"), survivor, merged)
    admission = browser_for("admission")

    sheet = admission.get(f"/identites/{merged['id']}").text
    merge_id = _UNMERGE.search(browser_for("admin").get(f"/identites/{merged['id']}").text)
    ids = {"left_id": survivor["id"], "right_id": merged["id"], "survivor_id": survivor["id"]}

    assert "Identité fusionnée dans" in sheet and "Annuler la fusion" not in sheet
    assert merge_id is not None
    assert admission.post("/fusions", {**ids, "confirmer": "1"}).status_code == 403
    assert admission.post(f"/fusions/{merge_id.group(1)}/annuler", {}).status_code == 403


def test_an_unmerge_is_confirmed_then_restores_the_identity(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    survivor, merged = api.create(**person), api.create(**{**person, "birth_name": "Dupond"})
    vigilance = browser_for("identitovigilance")
    _merge(vigilance, survivor, merged)
    match = _UNMERGE.search(vigilance.get(f"/identites/{merged['id']}").text)
    assert match
    url = f"/fusions/{match.group(1)}/annuler"

    confirm = vigilance.post(url, {})
    assert confirm.status_code == 200 and "Confirmez-vous l'annulation" in confirm.text
    assert api.get(f"/api/v1/identities/{merged['id']}").json()["active"] is False
    done = vigilance.post(url, {"confirmer": "1"})

    assert done.status_code == 303
    assert done.headers["location"] == f"/identites/{merged['id']}?message=fusion_annulee"
    restored = api.get(f"/api/v1/identities/{merged['id']}").json()
    assert (restored["active"], restored["merged_into"]) == (True, None)
    assert "Fusion annulée" in vigilance.get(done.headers["location"]).text
    survivor_sheet = vigilance.get(f"/identites/{survivor['id']}").text
    assert "Identités fusionnées dans celle-ci" not in survivor_sheet
    again = vigilance.post(url, {"confirmer": "1"})
    assert again.status_code == 409 and "déjà été annulée" in again.text


def test_a_merge_of_two_different_matricules_is_refused_in_french(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    person = _person()
    one = qualify(container, api, api.create(**person)["id"])
    two = qualify(container, api, api.create(**{**person, "birth_name": "Dupond"})["id"])
    ids = {"left_id": one["id"], "right_id": two["id"], "survivor_id": one["id"]}

    page = browser_for("identitovigilance").post("/fusions", ids)

    assert page.status_code == 409
    assert "Fusion refusée : les deux identités portent des matricules INS différents." in page.text
    assert "Confirmez-vous la fusion" not in page.text
    assert api.get(f"/api/v1/identities/{two['id']}").json()["active"] is True


def test_a_merge_without_a_chosen_survivor_asks_for_one(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    one, two = api.create(**person), api.create(**{**person, "birth_name": "Dupond"})
    page = browser_for("identitovigilance").post(
        "/fusions", {"left_id": one["id"], "right_id": two["id"]}
    )
    assert page.status_code == 422
    assert "Choisissez l'identité à conserver." in html.unescape(page.text)


def test_statistics_sees_nothing_of_duplicates_nor_comparisons(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = _person()
    one, two = api.create(**person), api.create(**{**person, "birth_name": "Dupond"})
    statistics = browser_for("statistics")
    for url in (f"/identites/{one['id']}/doublons", f"/identites/{one['id']}/comparer/{two['id']}"):
        page = statistics.get(url)
        assert page.status_code == 403, url
        assert "DUPOND" not in page.text
    ids = {"left_id": one["id"], "right_id": two["id"], "survivor_id": one["id"]}
    assert statistics.post("/fusions", {**ids, "confirmer": "1"}).status_code == 403
