"""Issue 11 §8-§10 through the web forms: creation refusals, the confirmation of an old
birth date, expired documents, and the confirmation step of a change that takes away
the document check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from api_support import Api, qualify
from web_support import Browser, created_id, creation_form, distinct_person, edit_form

from fakes import insi_person
from identito.bootstrap import Container
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.insi import InsiAnswer
from identito.services.auth import SYSTEM

CREATE = "/identites/nouvelle"


def create_page(browser: Browser, **overrides: Any) -> Any:
    return browser.post(CREATE, creation_form(**{**distinct_person(), **overrides}))


# -- §9 creation form -----------------------------------------------------------------------


def test_the_creation_form_refuses_an_empty_birth_first_names_list(
    browser_for: Callable[[str], Browser],
) -> None:
    page = create_page(browser_for("admission"), birth_first_names="")
    assert page.status_code == 422
    assert "La liste des prénoms de naissance est obligatoire" in page.text


@pytest.mark.parametrize(("code", "listed"), [("75056", "75120"), ("99100", None)])
def test_the_creation_form_refuses_paris_as_a_whole_and_france_as_a_country(
    browser_for: Callable[[str], Browser], code: str, listed: str | None
) -> None:
    page = create_page(browser_for("admission"), birth_date="14/03/1985", birth_place_code=code)
    assert page.status_code == 422
    if listed:
        assert "arrondissement municipal" in page.text and listed in page.text
    else:
        assert "99100 (France) n&#39;est pas un lieu de naissance" in page.text


def test_the_creation_form_asks_to_confirm_an_1850_birth_date_then_creates_it(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    asked = create_page(browser, birth_date="01/06/1850")
    assert asked.status_code == 422
    assert "plus de 120 ans" in asked.text and 'name="confirmer_date"' in asked.text
    confirmed = create_page(browser, birth_date="01/06/1850", confirmer_date="1")
    assert confirmed.status_code == 303, confirmed.text
    assert created_id(confirmed)


# -- §9 expired document ---------------------------------------------------------------------


def test_an_expired_cni_validates_only_within_the_tolerance_set_on_the_settings_page(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    admission, admin = browser_for("admission"), browser_for("admin")
    url = f"/identites/{identity['id']}/valider"
    expired = {"document_type": "CN", "document_expiry": "01/06/2020"}
    page = admission.post(url, expired)
    assert page.status_code == 422 and "aucune tolérance n&#39;est fixée" in page.text
    settings = admin.get("/admin/parametres")
    assert 'name="expired_document_tolerance_days" value="0"' in settings.text
    documents: dict[str, str] = {"similarity_threshold": "1", "doc_count": "0"}
    for i, d in enumerate(DEFAULT_DOCUMENT_TYPES.values()):  # the list as it is, kept
        documents |= {f"doc-{i}-code": d.code, f"doc-{i}-label": d.label}
        documents |= {f"doc-{i}-high_trust": "1"} if d.high_trust else {}
    documents["doc_count"] = str(len(DEFAULT_DOCUMENT_TYPES) - 1)
    saved = admin.post(
        "/admin/parametres", {**documents, "expired_document_tolerance_days": "3653"}
    )
    assert saved.status_code == 303
    try:
        assert admission.post(url, expired).status_code == 303
        assert api.get(f"/api/v1/identities/{identity['id']}").json()["status"] == "VALI"
    finally:
        admin.post("/admin/parametres", {**documents, "expired_document_tolerance_days": "0"})


# -- §8 and §10 changes ----------------------------------------------------------------------


def test_a_qual_change_from_pierre_alain_to_pierre_asks_confirmation_and_downgrades(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    person = distinct_person(
        birth_first_names=["Pierre-Alain", "Muriel"], first_birth_first_name="Pierre-Alain"
    )
    qualified = qualify(container, api, api.create(**person)["id"])
    browser = browser_for("identitovigilance")
    url = f"/identites/{qualified['id']}/modifier"
    changes = {"first_birth_first_name": "Pierre", "birth_first_names": "Pierre Alain Muriel"}
    page = browser.post(url, edit_form(qualified, **changes))
    assert "Confirmez-vous cette modification" in page.text
    assert "« Identité qualifiée » au statut « Identité provisoire »" in page.text
    form = edit_form(qualified, confirmer="1", reason="Prénom corrigé", **changes)
    saved = browser.post(url, form)
    assert saved.status_code == 303
    after = api.get(f"/api/v1/identities/{qualified['id']}").json()
    assert (after["status"], after["first_birth_first_name"]) == ("PROV", "PIERRE")


def _validated(api: Api) -> dict[str, Any]:
    identity = api.create(**distinct_person())
    body = {"document_type": "PA", "document_expiry": "2031-01-01"}
    response = api.post(f"/api/v1/identities/{identity['id']}/validation", json=body)
    return response.json()


def test_a_vali_change_says_the_document_check_is_lost_and_offers_to_record_one(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    validated = _validated(api)
    browser = browser_for("admission")
    url = f"/identites/{validated['id']}/modifier"
    page = browser.post(url, edit_form(validated, birth_name="Lambert"))
    assert "contrôle de la pièce d&#39;identité enregistré sera effacé" in page.text
    assert 'name="document_type"' in page.text and 'name="document_expiry"' in page.text
    saved = browser.post(
        url, edit_form(validated, birth_name="Lambert", confirmer="1", reason="Nom corrigé")
    )
    assert saved.status_code == 303
    assert api.get(f"/api/v1/identities/{validated['id']}").json()["status"] == "PROV"


def test_a_vali_change_with_the_document_checked_in_the_same_step_stays_vali(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    validated = _validated(api)
    browser = browser_for("admission")
    url = f"/identites/{validated['id']}/modifier"
    document = {"document_type": "CN", "document_expiry": "02/02/2032"}
    expired = browser.post(
        url,
        edit_form(validated, birth_name="Lambert", confirmer="1", document_type="CN",
                  document_expiry="01/01/2020", reason="Nom corrigé"),
    )  # fmt: skip
    assert expired.status_code == 422 and "a expiré le 01/01/2020" in expired.text
    assert 'name="document_type"' in expired.text  # still the confirmation step
    saved = browser.post(
        url,
        edit_form(validated, birth_name="Lambert", confirmer="1", reason="Nom corrigé", **document),
    )
    assert saved.status_code == 303
    after = api.get(f"/api/v1/identities/{validated['id']}").json()
    assert (after["status"], after["validation"]["document_type"]) == ("VALI", "CN")


def test_the_used_name_of_an_identity_whose_insi_birth_place_is_unknown_locally_changes(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    created = api.create(**distinct_person(birth_date="1980-03-12"))
    person = insi_person(birth_place_code="75056", birth_name="LEFEVRE-SAINT-AUBIN")
    answer = InsiAnswer(
        person.birth_name, "HELENE MARIE", "F", "1980-03-12", "75056",
        person.ins_number, person.oid,
    )  # fmt: skip
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        identity = uow.identities.get(UUID(created["id"]))
        identity.integrate_insi(answer, called_at=now, now=now, allow_test_oids=True)
        uow.identities.update(identity)
        uow.commit(SYSTEM, now)
    stored = api.get(f"/api/v1/identities/{created['id']}").json()
    assert stored["birth_place_code"] == "75056"
    browser = browser_for("admission")
    url = f"/identites/{created['id']}/modifier"
    saved = browser.post(url, edit_form(stored, used_name="Martin"))
    assert saved.status_code == 303, saved.text
    assert api.get(f"/api/v1/identities/{created['id']}").json()["used_name"] == "MARTIN"
