"""Modification (versioning, downgrade confirmation), validation and attributes (web)."""

from __future__ import annotations

from collections.abc import Callable

from api_support import Api, qualify
from web_support import Browser, distinct_person, edit_form

from identito.bootstrap import Container


def test_a_change_of_a_complementary_trait_is_saved_without_confirmation(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    browser = browser_for("admission")
    response = browser.post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, used_name="Martin")
    )
    assert response.status_code == 303
    assert "message=modifiee" in response.headers["location"]
    assert api.get(f"/api/v1/identities/{identity['id']}").json()["used_name"] == "MARTIN"


def test_a_stale_version_is_refused_with_a_french_message_and_nothing_is_lost(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    browser = browser_for("admission")
    first = browser.post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, used_name="A")
    )
    assert first.status_code == 303
    second = browser.post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, used_name="B")
    )
    assert second.status_code == 412
    assert "modifiée entre-temps" in second.text
    assert api.get(f"/api/v1/identities/{identity['id']}").json()["used_name"] == "A"


def test_a_strict_trait_change_that_downgrades_asks_for_confirmation_first(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    browser = browser_for("identitovigilance")
    url = f"/identites/{identity['id']}/modifier"
    page = browser.post(url, edit_form(identity, birth_name="Lefebvre"))
    assert page.status_code == 200
    assert "Confirmez-vous cette modification" in page.text
    assert "« Identité qualifiée » au statut « Identité provisoire »" in page.text
    assert "matricule INS et son OID seront invalidés" in page.text
    assert "contrôle de la pièce d&#39;identité enregistré sera effacé" in page.text
    unchanged = api.get(f"/api/v1/identities/{identity['id']}").json()
    assert unchanged["status"] == "QUAL" and unchanged["version"] == identity["version"]
    form = edit_form(identity, birth_name="Lefebvre", confirmer="1", reason="Nom corrigé")
    saved = browser.post(url, form)
    assert saved.status_code == 303
    after = api.get(f"/api/v1/identities/{identity['id']}").json()
    assert (after["status"], after["ins"], after["birth_name"]) == ("PROV", None, "LEFEBVRE")


def test_admission_is_not_offered_the_strict_traits_of_a_qualified_identity(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    browser = browser_for("admission")
    page = browser.get(f"/identites/{identity['id']}/modifier")
    assert page.status_code == 200
    assert 'name="birth_name"' not in page.text and 'name="sex"' not in page.text
    assert 'name="used_name"' in page.text
    assert "cellule d'identitovigilance" in page.text
    tampered = browser.post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, used_name="Autre")
    )
    assert tampered.status_code == 303  # the strict fields sent anyway are ignored, not applied
    after = api.get(f"/api/v1/identities/{identity['id']}").json()
    assert after["status"] == "QUAL" and after["used_name"] == "AUTRE"


def test_the_validation_form_offers_only_high_trust_documents_and_preselects_none(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    page = browser_for("admission").get(f"/identites/{identity['id']}/valider")
    assert page.status_code == 200
    assert "— choisir —" in page.text and " selected" not in page.text
    assert 'value="CN"' in page.text and 'value="PA"' in page.text
    assert 'value="PC"' not in page.text  # a driving licence is not high-trust


def test_validating_without_a_document_type_is_refused_next_to_the_field(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    response = browser_for("admission").post(
        f"/identites/{identity['id']}/valider", {"document_type": "", "document_expiry": ""}
    )
    assert response.status_code == 422
    assert 'id="document_type-erreur"' in response.text
    assert "aucun n&#39;est présélectionné" in response.text


def test_validating_with_a_document_makes_the_identity_validated(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    browser = browser_for("admission")
    response = browser.post(
        f"/identites/{identity['id']}/valider",
        {"document_type": "PA", "document_expiry": "2032-06-30"},
    )
    assert response.status_code == 303
    page = browser.get(response.headers["location"])
    assert "Identité validée" in page.text and "30/06/2032" in page.text


def test_attributes_show_their_consequences_before_they_are_saved(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create()["id"])
    browser = browser_for("admission")
    url = f"/identites/{identity['id']}/attributs"
    page = browser.post(url, {"DOUT": "1", "reason": "traits incohérents"})
    assert page.status_code == 200
    assert "Identité douteuse" in page.text
    assert "« Identité qualifiée » au statut « Identité provisoire »" in page.text
    assert "matricule INS et son OID seront invalidés" in page.text
    assert api.get(f"/api/v1/identities/{identity['id']}").json()["status"] == "QUAL"
    saved = browser.post(url, {"DOUT": "1", "reason": "traits incohérents", "confirmer": "1"})
    assert saved.status_code == 303
    sheet = browser.get(f"/identites/{identity['id']}")
    assert "Identité douteuse" in sheet.text and "Validation impossible" in sheet.text
    assert f"/identites/{identity['id']}/valider" not in sheet.text
    refused = browser.post(
        f"/identites/{identity['id']}/valider",
        {"document_type": "CN", "document_expiry": "2031-01-01"},
    )
    assert refused.status_code == 409 and "douteuse ou fictive" in refused.text


def test_a_forbidden_attribute_combination_is_explained(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    page = browser_for("admission").post(
        f"/identites/{identity['id']}/attributs", {"FICT": "1", "HOMA": "1"}
    )
    assert page.status_code == 409
    assert "seuls DOUT et HOMA se cumulent" in page.text


def test_homonym_changes_nothing_but_the_attribute(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create()
    page = browser_for("admission").post(f"/identites/{identity['id']}/attributs", {"HOMA": "1"})
    assert "Le statut de l&#39;identité ne change pas." in page.text
