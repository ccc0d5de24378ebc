"""Anteriority search, creation form, identity sheet, by role (web pages)."""

from __future__ import annotations

import re
from collections.abc import Callable

from api_support import Api, qualify
from web_support import Browser, created_id, creation_form, distinct_person

from identito.bootstrap import Container

SEARCH = "/recherche?mode=traits&birth_date=14/03/1985&name=lefevre&first_name=&sex="


def test_the_search_form_has_separate_fields_and_no_free_text_bar(
    browser_for: Callable[[str], Browser],
) -> None:
    page = browser_for("admission").get("/recherche")
    assert page.status_code == 200
    for field in ("birth_date", "name", "first_name", "sex", "ins"):
        assert f'name="{field}"' in page.text
    assert "Recherche d'antériorité" in page.text
    assert "Créer une nouvelle identité" not in page.text  # offered only after a search


def test_search_results_show_the_traits_status_and_attributes(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    created_id(browser.post("/identites/nouvelle", creation_form(used_name="Dupré")))
    page = browser.get(SEARCH)
    assert page.status_code == 200
    for header in (
        "Nom de naissance", "Nom utilisé", "1er prénom de naissance", "Prénom utilisé",
        "Date de naissance", "Sexe", "Statut", "Attributs",
    ):  # fmt: skip
        assert f">{header}</th>" in page.text
    assert "LEFEVRE-SAINT-AUBIN" in page.text and "DUPRE" in page.text
    assert "14/03/1985" in page.text and "Identité provisoire" in page.text
    assert "Créer une nouvelle identité" in page.text


def test_an_htmx_search_returns_only_the_results(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("admission").get(SEARCH, headers={"HX-Request": "true"})
    assert "<html" not in page.text and "identité" in page.text


def test_a_search_without_birth_date_explains_in_french(
    browser_for: Callable[[str], Browser],
) -> None:
    page = browser_for("admission").get("/recherche?mode=traits&birth_date=&name=dupont")
    assert page.status_code == 422
    assert "La date de naissance est obligatoire pour chercher." in page.text


def test_a_search_by_matricule_finds_the_identity(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create()["id"])
    page = browser_for("care").get(f"/recherche?mode=ins&ins={identity['ins']['number']}")
    assert page.status_code == 200
    assert f"/identites/{identity['id']}" in page.text
    assert "Identité qualifiée" in page.text


def test_the_creation_form_has_no_default_value(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("admission").get(
        "/identites/nouvelle?birth_date=14/03/1985&name=lef&first_name=hel&sex=F"
    )
    assert page.status_code == 200
    assert " checked" not in page.text and " selected" not in page.text
    assert "99999" not in re.sub(r"<p class=\"hint\".*?</p>", "", page.text, flags=re.S)
    for name in ("birth_name", "birth_first_names", "first_birth_first_name", "birth_date",
                 "birth_place_code", "used_name", "used_first_name"):  # fmt: skip
        assert re.search(rf'name="{name}" value=""', page.text), name
    assert 'type="radio" name="sex"' in page.text
    assert "pas reprises" in page.text  # the searched values are shown, not carried
    assert page.text.count('class="mandatory"') >= 6


def test_a_refused_creation_shows_french_messages_next_to_each_field(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    response = browser.post(
        "/identites/nouvelle",
        creation_form(birth_name="", sex="", birth_date="31/02/1985", used_name="Ørsted$"),
    )
    assert response.status_code == 422
    errors = dict(re.findall(r'<p class="field-error" id="(\w+)-erreur">(.*?)</p>', response.text))
    assert errors["birth_name"] == "Ce champ est obligatoire."
    assert errors["sex"] == "Ce champ est obligatoire."
    assert "n&#39;existe pas" in errors["birth_date"]
    assert "n&#39;est pas admis" in errors["used_name"]
    assert 'value="hélène"' in response.text  # what was typed is kept


def test_a_creation_saves_a_provisional_identity(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("admission")
    response = browser.post("/identites/nouvelle", creation_form(**distinct_person()))
    sheet = browser.get(response.headers["location"])
    assert "Identité créée" in sheet.text
    assert "Identité provisoire" in sheet.text


def test_a_first_birth_first_name_not_starting_the_list_is_refused_by_the_creation_form(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    form = creation_form(first_birth_first_name="Marie", **distinct_person())
    page = browser.post("/identites/nouvelle", form)
    assert page.status_code == 422
    assert "doit reprendre un ou plusieurs prénoms entiers" in page.text


def test_the_normalisation_is_computed_by_the_domain_as_the_user_types(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    page = browser.get("/identites/normaliser?champ=birth_name&birth_name=Lefèvre d’Aubigné")
    assert "LEFEVRE D&#39;AUBIGNE" in page.text
    page = browser.get("/identites/normaliser?champ=birth_first_names&birth_first_names=zoé anaïs")
    assert "ZOE ANAIS" in page.text
    page = browser.get("/identites/normaliser?champ=used_name&used_name=Dupont%241")
    assert "field-error" in page.text


def test_the_place_picker_lists_places_valid_at_the_birth_date_with_former_names(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    page = browser.get("/lieux?lieu_recherche=annecy-le-vieux&birth_date=01/01/2020")
    assert "74010" in page.text and "Annecy-le-Vieux" in page.text and "74000" in page.text
    page = browser.get("/lieux?lieu_recherche=annecy-le-vieux&birth_date=01/01/1960")
    assert "74011" in page.text
    page = browser.get("/lieux?lieu_recherche=maroc&birth_date=1985-01-01")
    assert "99350" in page.text and "pays" in page.text
    page = browser.get("/lieux?lieu_recherche=paris&birth_date=")
    assert "Saisissez d&#39;abord une date de naissance" in page.text


def test_choosing_a_place_fills_the_code_field(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("admission").get("/lieux/choisir?code=75056&birth_date=14/03/1985")
    assert 'value="75056"' in page.text and "Paris" in page.text


def test_the_sheet_shows_badges_the_matricule_its_nature_and_the_validation(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create()["id"])
    page = browser_for("admission").get(f"/identites/{identity['id']}")
    assert "Identité qualifiée" in page.text
    assert identity["ins"]["number"] in page.text and "NIR de test" in page.text
    assert "Carte nationale" in page.text or "CN" in page.text
    assert "Paris" in page.text  # the birth place label
    assert 'id="appel-insi"' in page.text  # the slot of the INSi module
    assert "Journal de traçabilité" not in page.text  # admission has no audit:read


def test_the_identity_vigilance_unit_sees_the_history_and_the_audit_log(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    page = browser_for("identitovigilance").get(f"/identites/{identity['id']}")
    assert "Historique des modifications" in page.text
    assert "Journal de traçabilité" in page.text and "Création" in page.text


def test_care_sees_the_sheet_but_is_offered_no_change(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    browser = browser_for("care")
    page = browser.get(f"/identites/{identity['id']}")
    assert page.status_code == 200
    for action in ("/modifier", "/valider", "/attributs"):
        assert f"/identites/{identity['id']}{action}" not in page.text
    assert "Créer une nouvelle identité" not in browser.get(SEARCH).text


def test_care_is_refused_every_change_by_the_services(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    browser = browser_for("care")
    base = f"/identites/{identity['id']}"
    for url, data in (
        ("/identites/nouvelle", creation_form()),
        (f"{base}/modifier", {"version": "1", "birth_name": "AUTRE"}),
        (f"{base}/valider", {"document_type": "CN", "document_expiry": "2031-01-01"}),
        (f"{base}/attributs", {"DOUT": "1", "confirmer": "1"}),
    ):
        response = browser.post(url, data)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.text
    assert browser.get(f"{base}/modifier").status_code == 403
    assert api.get(f"/api/v1/identities/{identity['id']}").json()["version"] == 1


def test_statistics_cannot_open_any_identity_page(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    browser = browser_for("statistics")
    for url in ("/recherche", SEARCH, "/identites/nouvelle", f"/identites/{identity['id']}"):
        page = browser.get(url)
        assert page.status_code == 403, url
        assert "Accès refusé" in page.text and 'lang="fr"' in page.text
    assert "Recherche d&#39;antériorité" not in browser.get("/indicateurs").text


def test_an_unknown_identity_or_page_gives_a_french_404(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    page = browser.get("/identites/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404 and "Identité inconnue" in page.text
    page = browser.get("/nulle-part")
    assert page.status_code == 404 and "Page introuvable" in page.text


def test_the_api_keeps_its_problem_details(api: Api) -> None:
    response = api.get("/api/v1/identities/00000000-0000-0000-0000-000000000000")
    assert response.headers["content-type"] == "application/problem+json"
