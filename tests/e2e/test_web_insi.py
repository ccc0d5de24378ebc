"""INSi in the web application: the action per role, the comparison window and the
decision, the history, worklists, creation from INSi and the INSi indicators.

The container's own teleservice is used: the in-process INSi simulator with its
CNDA test persons (fictitious), through the real client pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_support import ROLES, Api, TestClient, make_container
from web_support import Browser

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

IDENTITIES = "/api/v1/identities"
CALLERS = frozenset({"admin", "identitovigilance", "admission"})
#: A CNDA test person, as INSi knows it.
ECETINSI = {
    "birth_name": "ECETINSI",
    "birth_first_names": ["PIERRE-ALAIN", "MURIEL", "FLORIANT"],
    "first_birth_first_name": "PIERRE-ALAIN",
    "birth_date": "2009-07-14",
    "sex": "M",
    "birth_place_code": "63220",
    "used_name": None,
}
ECETINSI_INS = "109076322083489"


# One database per test: the tests recover the same CNDA person, and two active
# identities never hold the same matricule (R-DU-03).
@pytest.fixture
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("web-insi"), insi_simulator_population=50)
    dispose_engines()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _call(browser: Browser, identity_id: str, **form: Any) -> Any:
    response = browser.post(f"/identites/{identity_id}/insi", {"mode": "traits", **form})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"/identites/{identity_id}/insi/appels/")
    return browser.get(location)


def _differing(api: Api, **changes: Any) -> dict[str, Any]:
    """ECETINSI typed with a shorter first-name list and another birth place."""
    base = {
        **ECETINSI,
        "birth_first_names": ["PIERRE-ALAIN", "MURIEL"],
        "birth_place_code": "75116",
    }
    return api.create(**{**base, **changes})


def _rows(html: str) -> dict[str, str]:
    """Comparison rows: trait label -> the row's HTML."""
    rows = re.findall(r'<tr class="(differs|same)">(.*?)</tr>', html, re.S)
    return {re.search(r"<th[^>]*>(.*?)</th>", row).group(1): kind for kind, row in rows}


@pytest.mark.parametrize("role", ROLES)
def test_the_insi_action_is_offered_only_to_the_roles_that_may_call(
    role: str, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create()
    browser = browser_for(role)

    sheet = browser.get(f"/identites/{identity['id']}")
    form = browser.get(f"/identites/{identity['id']}/insi")

    if role in CALLERS:
        assert f'href="/identites/{identity["id"]}/insi">Appel INSi</a>' in sheet.text
        assert "Appel INSi (bientôt)" not in sheet.text
        assert form.status_code == 200
        assert "Appeler INSi par les traits" in form.text
        assert "Avec la carte Vitale" in form.text
    else:
        assert form.status_code == 403
        assert "Appel INSi" not in sheet.text


def test_a_doubtful_identity_shows_the_action_disabled_with_its_reason(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create()
    api.post(f"{IDENTITIES}/{identity['id']}/attributes", json={"add": ["DOUT"]})
    browser = browser_for("admission")

    sheet = browser.get(f"/identites/{identity['id']}")
    form = browser.get(f"/identites/{identity['id']}/insi")
    refused = browser.post(f"/identites/{identity['id']}/insi", {"mode": "traits"})

    assert 'aria-disabled="true" aria-describedby="insi-impossible">Appel INSi' in sheet.text
    assert "Appel INSi impossible : l'identité est douteuse ou fictive." in sheet.text
    assert "Appel INSi impossible" in form.text and "Appeler INSi" not in form.text
    assert refused.status_code == 409
    assert "douteuse" in refused.text


def test_identical_traits_are_integrated_at_once_with_a_confirmation_banner(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(**ECETINSI)
    browser = browser_for("admission")

    page = _call(browser, identity["id"])

    assert "00 — identité trouvée" in page.text
    assert "intégrés automatiquement" in page.text
    assert 'id="comparaison"' not in page.text  # nothing to compare: identical
    stored = api.get(f"{IDENTITIES}/{identity['id']}").json()
    assert stored["status"] == "RECUP" and stored["ins"]["number"] == ECETINSI_INS


def test_the_comparison_window_flags_each_difference_in_text_and_accepting_integrates(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = _differing(api)
    browser = browser_for("admission")

    page = _call(browser, identity["id"])

    assert "Comparaison des traits : fiche locale et identité INSi" in page.text
    rows = _rows(page.text)
    assert rows["Prénom(s) de naissance"] == "differs"
    assert rows["Lieu de naissance (code INSEE)"] == "differs"
    assert rows["Nom de naissance"] == "same" and rows["Date de naissance"] == "same"
    assert page.text.count("≠ Différent</span>") == 2  # a text marker, not colour alone
    assert re.search(r'id="ressemblance">\d+,\d %<', page.text)
    assert "Identité provisoire : contrôlez une pièce d&#39;identité" in page.text
    assert page.text.count('name="csrf_token"') >= 3  # logout, accept, reject
    accept = re.search(r'action="(/identites/[^"]+/accepter)"', page.text).group(1)

    response = browser.post(accept, {"version": str(identity["version"])})

    assert response.status_code == 303
    assert response.headers["location"].endswith("?message=insi_acceptee")
    sheet = browser.get(response.headers["location"])
    assert "Identité INSi acceptée" in sheet.text
    stored = api.get(f"{IDENTITIES}/{identity['id']}").json()
    assert stored["status"] == "RECUP"
    assert stored["birth_first_names"] == ECETINSI["birth_first_names"]
    assert stored["birth_place_code"] == "63220"
    assert stored["ins_collection_method"] == "INSI"
    assert "Acceptée et intégrée" in sheet.text


def test_accepting_a_validated_identity_makes_it_qualified(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = _differing(api)
    body = {"document_type": "CN", "document_expiry": "2031-05-01"}
    validated = api.post(f"{IDENTITIES}/{identity['id']}/validation", json=body).json()
    browser = browser_for("identitovigilance")

    page = _call(browser, identity["id"])
    accept = re.search(r'action="(/identites/[^"]+/accepter)"', page.text).group(1)
    browser.post(accept, {"version": str(validated["version"])})

    assert "« Identité qualifiée »" in page.text  # announced before accepting
    assert api.get(f"{IDENTITIES}/{identity['id']}").json()["status"] == "QUAL"


def test_rejecting_leaves_the_identity_unchanged_and_is_traced(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = _differing(api)
    browser = browser_for("admission")
    page = _call(browser, identity["id"])
    reject = re.search(r'action="(/identites/[^"]+/refuser)"', page.text).group(1)

    response = browser.post(reject, {"reason": "Pièce présentée différente"})

    assert response.headers["location"].endswith("?message=insi_refusee")
    stored = api.get(f"{IDENTITIES}/{identity['id']}").json()
    assert (stored["status"], stored["ins"], stored["version"]) == ("PROV", None, 1)
    assert stored["birth_place_code"] == "75116"
    sheet = browser.get(f"/identites/{identity['id']}")
    assert "Refusée par l&#39;utilisateur" in sheet.text
    audit = api.get(f"{IDENTITIES}/{identity['id']}/audit").json()["items"]
    changes = [e for e in audit if e["action"] != "identity.read"]  # the sheet showed the calls
    assert changes[-1]["action"] == "insi.rejected"
    assert changes[-1]["reason"] == "Pièce présentée différente"


def test_a_decision_without_the_csrf_token_is_refused(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = _differing(api)
    browser = browser_for("admission")
    page = _call(browser, identity["id"])
    accept = re.search(r'action="(/identites/[^"]+/accepter)"', page.text).group(1)

    response = browser.client.post(accept, data={"version": str(identity["version"])})

    assert response.status_code == 403
    assert api.get(f"{IDENTITIES}/{identity['id']}").json()["status"] == "PROV"


def test_a_pending_answer_is_announced_on_the_sheet(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = _differing(api)
    browser = browser_for("admission")
    _call(browser, identity["id"])

    sheet = browser.get(f"/identites/{identity['id']}")

    assert "Une réponse INSi attend une décision" in sheet.text
    assert ">Décider</a>" in sheet.text


def test_the_card_mode_asks_which_beneficiary_when_the_card_has_several(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    leo = api.create(
        birth_name="CARTE", birth_first_names=["LEO", "NOE"], first_birth_first_name="LEO",
        birth_date="2016-09-30", sex="M", birth_place_code="75114", used_name=None,
    )  # fmt: skip
    browser = browser_for("admission")
    card = {
        "mode": "card", "card_nir": "2850275114003", "birth_date_1": "14/02/1985",
        "rank_1": "1", "birth_date_2": "30/09/2016", "rank_2": "2",
    }  # fmt: skip

    unchosen = browser.post(f"/identites/{leo['id']}/insi", card)
    page = _call(browser, leo["id"], **card, beneficiary="2")

    assert unchosen.status_code == 422
    assert "plusieurs bénéficiaires : choisissez celui concerné" in unchosen.text
    assert 'value="30/09/2016"' in unchosen.text  # what was typed is kept
    assert "00 — identité trouvée" in page.text and "Carte Vitale" in page.text
    assert api.get(f"{IDENTITIES}/{leo['id']}").json()["status"] == "RECUP"


def test_a_teleservice_error_is_shown_in_french_and_nothing_is_integrated(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(birth_name="PANNE", used_name=None)
    browser = browser_for("admission")

    page = _call(browser, identity["id"])

    assert "Résultat : <span" in page.text and ">Erreur</span>" in page.text
    assert "Le téléservice INSi a renvoyé une erreur" in page.text
    assert "Rien n'a été intégré" in page.text
    assert api.get(f"{IDENTITIES}/{identity['id']}").json()["status"] == "PROV"


def test_not_found_lists_the_calls_of_the_traits_strategy(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(birth_name="Inconnu-De-Insi", used_name=None)
    browser = browser_for("admission")

    page = _call(browser, identity["id"])

    assert "01 — aucune identité trouvée" in page.text
    assert "Appels de cette recherche" in page.text  # each first name, then the list


def test_the_history_links_raw_xml_only_for_audit_readers(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    identity = api.create(**ECETINSI)
    civ, admission = browser_for("identitovigilance"), browser_for("admission")
    _call(admission, identity["id"])

    seen_by_civ = civ.get(f"/identites/{identity['id']}").text
    seen_by_admission = admission.get(f"/identites/{identity['id']}").text
    link = re.search(r'href="(/insi/appels/[^"]+/reponse\.xml)"', seen_by_civ).group(1)

    assert "Appels INSi" in seen_by_admission and "admission" in seen_by_admission
    assert "Intégrée automatiquement" in seen_by_admission
    assert ".xml" not in seen_by_admission
    raw = civ.get(link)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/xml")
    assert b"RESULTAT" in raw.content
    assert admission.get(link).status_code == 403


def test_a_worklist_from_a_csv_runs_resumes_and_shows_each_outcome(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    found = api.create(**ECETINSI)["id"]
    unknown = api.create(birth_name="Absent-De-Insi", used_name=None)["id"]
    browser = browser_for("admission")
    csv = f"id\n{found}\n{unknown}\n".encode()

    def upload() -> Any:
        return browser.client.post(
            "/insi/listes",
            data={"csrf_token": browser.csrf, "source": "csv"},
            files={"file": ("ids.csv", csv, "text/csv")},
        )

    created, again = upload(), upload()
    page_url = created.headers["location"]
    before = browser.get(page_url)
    run = browser.post(page_url + "/lancer")
    after = browser.get(run.headers["location"])

    assert created.status_code == 303 and again.headers["location"].endswith("?reprise=1")
    assert "Identités traitées : 0 / 2" in before.text and "Lancer la liste" in before.text
    assert "Identités traitées : 2 / 2" in after.text and "liste terminée" in after.text
    assert "00 — identité trouvée" in after.text and "01 — aucune identité trouvée" in after.text
    assert api.get(f"{IDENTITIES}/{found}").json()["status"] == "RECUP"


def test_a_worklist_refuses_a_csv_with_bad_ids_in_french(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")

    response = browser.client.post(
        "/insi/listes",
        data={"csrf_token": browser.csrf, "source": "csv"},
        files={"file": ("ids.csv", b"id\npas-un-identifiant\n", "text/csv")},
    )

    assert response.status_code == 422
    assert "Identifiant invalide ligne(s) 2." in response.text


def test_a_worklist_from_the_saved_query(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("identitovigilance")

    page = browser.get("/insi/listes")
    created = browser.post("/insi/listes", {"source": "query", "query": "without-ins"})

    assert "Identités provisoires ou validées sans INS" in page.text
    assert created.status_code == 303
    assert (
        "Identités provisoires ou validées sans INS"
        in browser.get(created.headers["location"]).text
    )


def test_the_worklist_page_is_refused_to_roles_that_may_not_call(
    browser_for: Callable[[str], Browser],
) -> None:
    assert browser_for("care").get("/insi/listes").status_code == 403
    assert "Liste de travail INSi" in browser_for("admission").get("/recherche").text


def test_search_results_offer_the_insi_call_and_the_creation_from_insi(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    api.create(birth_name="Rechercheinsi", used_name=None)
    params = {"mode": "traits", "birth_date": "14/03/1985", "name": "rechercheinsi"}

    for_admission = browser_for("admission").get("/recherche", params=params).text
    for_care = browser_for("care").get("/recherche", params=params).text

    assert "Appel INSi<span" in for_admission and 'href="/insi/creation"' in for_admission
    assert "Appel INSi" not in for_care and "/insi/creation" not in for_care


def test_an_identity_is_created_from_a_traits_recovery_once(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    form = {
        "mode": "traits", "birth_name": "Hermann", "birth_first_names": "Gatien",
        "first_birth_first_name": "Gatien", "birth_date": "24/03/1981", "sex": "M",
        "birth_place_code": "63220",
    }  # fmt: skip

    assert browser.get("/insi/creation").status_code == 200
    created = browser.post("/insi/creation", form)
    again = browser.post("/insi/creation", form)

    assert created.status_code == 303
    assert created.headers["location"].endswith("?message=insi_creee")
    sheet = browser.get(created.headers["location"]).text
    assert "Identité créée à partir de la réponse INSi" in sheet and "Identité récupérée" in sheet
    assert again.status_code == 200
    assert "déjà porté par une autre identité active" in again.text  # R-DU-03


def test_the_creation_from_insi_by_card_reports_not_found(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    card = {
        "mode": "card",
        "card_nir": "1990199999999",
        "birth_date_1": "01/01/1999",
        "rank_1": "1",
    }

    response = browser.post("/insi/creation", card)

    assert response.status_code == 200
    assert (
        "01 — aucune identité trouvée" in response.text
        and "aucune identité n'a été créée" in response.text
    )


def test_the_indicators_page_shows_insi_outcomes_and_reasons(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    unknown = api.create(birth_name="Indicateur-Absent", used_name=None)["id"]
    _call(browser_for("admission"), unknown)
    browser = browser_for("statistics")

    page = browser.get("/indicateurs")
    export = browser.get("/indicateurs-insi.csv")

    assert "Taux d'identités non qualifiées après le premier appel INSi" in page.text
    assert "Les données de cet indicateur viendront" not in page.text
    assert "Aucune identité trouvée (01)" in page.text
    assert 'aria-labelledby="insi-t"' in page.text  # the outcomes chart
    assert "Résultats des appels INSi, mois par mois" in page.text
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "mois;total;00 nombre;01 nombre;02 nombre;error nombre"
    assert any(line.startswith("Aucune identité trouvée (01);") for line in lines)
