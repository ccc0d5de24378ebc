"""The review page of a pair: decisions checked before their confirmation, and the merge
of a confirmed duplicate on the review page itself (its confirmation, its refusals, then
« Fusionné » with both identities)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from api_support import Api, qualify
from web_support import Browser

from identito.bootstrap import Container

DUPLICATES = "/api/v1/duplicates"
_dates = iter(f"1964-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 28))


def _pair(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two identities of one person created in turn: the second creation records the pair."""
    born = next(_dates)
    first = api.create(birth_date=born)
    second = api.create(birth_date=born, birth_name="Lefevre Saint Aubin")
    listed = api.get(DUPLICATES, "identitovigilance", params={"per_page": 100}).json()["items"]
    [review] = [r for r in listed if {r["first_id"], r["second_id"]} == {first["id"], second["id"]}]
    return first, second, review


def _status(api: Api, review: dict[str, Any]) -> str:
    return str(api.get(f"{DUPLICATES}/{review['id']}", "identitovigilance").json()["status"])


def _confirmed(browser: Browser, review: dict[str, Any]) -> None:
    url = f"/doublons/{review['id']}/decision"
    assert browser.post(url, {"decision": "duplicate"}).status_code == 200
    assert browser.post(url, {"decision": "duplicate", "confirmer": "1"}).status_code == 303


def _active(api: Api, identity: dict[str, Any]) -> bool:
    return bool(api.get(f"/api/v1/identities/{identity['id']}").json()["active"])


def test_homonyms_with_a_fictitious_identity_are_refused_before_the_confirmation(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, _, review = _pair(api)
    fictitious = api.post(f"/api/v1/identities/{first['id']}/attributes", json={"add": ["FICT"]})
    assert fictitious.status_code == 200, fictitious.text

    page = browser_for("identitovigilance").post(
        f"/doublons/{review['id']}/decision", {"decision": "homonym", "note": "Jumeaux"}
    )

    assert page.status_code == 409
    assert "Confirmez-vous la décision" not in page.text
    error = re.search(r'id="decision-erreur"><p>([^<]+)</p>', html.unescape(page.text))
    assert error and error.group(1) == (
        "Combinaison d'attributs interdite (FICT + HOMA) : seuls DOUT et HOMA se cumulent."
    )
    assert ">Jumeaux</textarea>" in page.text  # the note is kept for another decision
    assert _status(api, review) == "pending"


def test_a_collision_on_an_identity_already_confirmed_in_collision_is_refused_before_confirming(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _, second, review = _pair(api)
    declared = api.post(
        f"/api/v1/identities/{second['id']}/collision", "identitovigilance",
        json={"confirmed": True},
    )  # fmt: skip
    assert declared.status_code == 200, declared.text

    page = browser_for("identitovigilance").post(
        f"/doublons/{review['id']}/decision",
        {"decision": "collision", "identite_collision": second["id"]},
    )

    assert page.status_code == 409 and "Confirmez-vous la décision" not in page.text
    assert "La collision est déjà avérée" in html.unescape(page.text)
    assert _status(api, review) == "pending"


def test_the_merge_of_a_confirmed_duplicate_is_confirmed_and_done_on_the_review_page(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, second, review = _pair(api)
    vigilance = browser_for("identitovigilance")
    _confirmed(vigilance, review)
    url = f"/doublons/{review['id']}/fusion"
    page = vigilance.get(f"/doublons/{review['id']}").text
    assert f'action="{url}"' in page

    confirm = vigilance.post(url, {"survivor_id": first["id"]})
    assert confirm.status_code == 200 and "Examen d'un doublon potentiel" in confirm.text
    assert "Confirmez-vous la fusion ?" in confirm.text and _active(api, second)
    assert f'href="/doublons/{review["id"]}#fusion" autofocus>Annuler</a>' in confirm.text
    done = vigilance.post(url, {"survivor_id": first["id"], "confirmer": "1"})

    assert done.status_code == 303
    assert done.headers["location"] == f"/doublons/{review['id']}?message=merged"
    assert _status(api, review) == "merged" and not _active(api, second)
    closed = html.unescape(vigilance.get(done.headers["location"]).text)
    assert re.search(r'id="statut-paire">Fusionné<', closed)
    merged = closed.split('id="fusion-faite"')[1].split("</div>")[0]
    assert merged.index(f'href="/identites/{first["id"]}"') < merged.index(
        f'href="/identites/{second["id"]}"'
    )  # the survivor, then the identity merged into it
    assert "Fusion enregistrée" in closed and "Doublon avéré (DOUA)…" not in closed


def test_a_refused_merge_is_shown_on_the_review_page_and_merges_nothing(
    browser_for: Callable[[str], Browser], api: Api, container: Container
) -> None:
    first, second, review = _pair(api)
    vigilance = browser_for("identitovigilance")
    _confirmed(vigilance, review)
    qualify(container, api, first["id"])  # only the first carries a matricule INS

    refused = vigilance.post(f"/doublons/{review['id']}/fusion", {"survivor_id": second["id"]})
    missing = vigilance.post(f"/doublons/{review['id']}/fusion", {})

    assert refused.status_code == 409 and "Examen d'un doublon potentiel" in refused.text
    error = re.search(r'id="fusion-erreur"><p>([^<]+)</p>', html.unescape(refused.text))
    assert error and error.group(1).startswith("Fusion refusée : seule l'identité à fusionner")
    assert missing.status_code == 422
    assert "Choisissez l'identité à conserver." in html.unescape(missing.text)
    assert _status(api, review) == "duplicate" and _active(api, first) and _active(api, second)


def test_only_a_confirmed_duplicate_is_merged_from_its_review_and_only_by_merge_holders(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, second, review = _pair(api)
    url = f"/doublons/{review['id']}/fusion"
    form = {"survivor_id": first["id"], "confirmer": "1"}

    pending = browser_for("identitovigilance").post(url, form)
    admission = browser_for("admission").post(url, form)

    assert pending.status_code == 409
    assert "Confirmez d'abord le doublon (DOUA)" in html.unescape(pending.text)
    assert admission.status_code == 403
    assert _status(api, review) == "pending" and _active(api, second)
