"""The duplicate review worklist in the web UI: the list, one pair, decisions, merge."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from api_support import Api
from web_support import Browser

from identito.domain.duplicate_reviews import ReviewStatus, Source

DUPLICATES = "/api/v1/duplicates"
_dates = iter(f"1962-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 28))
_MENU_COUNT = re.compile(r'id="menu-doublons">Doublons à examiner <span class="menu-count">(\d+)')


def _pair(api: Api, **other: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two identities of one person created in turn: the second creation records the pair."""
    born = next(_dates)
    first = api.create(birth_date=born)
    second = api.create(birth_date=born, **{"birth_name": "Lefevre Saint Aubin", **other})
    listed = api.get(DUPLICATES, "identitovigilance", params={"per_page": 100}).json()["items"]
    [review] = [r for r in listed if {r["first_id"], r["second_id"]} == {first["id"], second["id"]}]
    return first, second, review


def _status(api: Api, review: dict[str, Any]) -> str:
    detail = api.get(f"{DUPLICATES}/{review['id']}", "identitovigilance").json()
    return str(detail["status"])


def _decide(browser: Browser, review: dict[str, Any], **form: str) -> Any:
    """Both steps: the confirmation page, then the confirmed decision."""
    url = f"/doublons/{review['id']}/decision"
    confirm = browser.post(url, form)
    assert confirm.status_code == 200, confirm.text
    assert "Confirmez-vous la décision" in confirm.text
    return browser.post(url, {**form, "confirmer": "1"})


def test_every_review_status_and_source_has_a_french_label() -> None:
    assert all(status.label for status in ReviewStatus)
    assert ReviewStatus.DUPLICATE.label.startswith("Doublon avéré")
    assert all(source.label for source in Source)


def test_the_menu_shows_the_pending_count_to_reviewers_only(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _pair(api)
    pending = api.get(DUPLICATES, "identitovigilance").json()["total"]

    vigilance = browser_for("identitovigilance").get("/recherche").text
    admission = browser_for("admission").get("/recherche").text

    count = _MENU_COUNT.search(vigilance)
    assert count and int(count.group(1)) == pending >= 1
    assert 'href="/collisions"' in vigilance
    assert 'href="/doublons"' not in admission and 'href="/collisions"' not in admission


def test_the_worklist_lists_pending_pairs_best_first_with_a_link_to_examine(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _, _, review = _pair(api, used_name="Martin")

    page = browser_for("identitovigilance").get("/doublons")

    assert page.status_code == 200
    assert "<h1>Doublons à examiner</h1>" in page.text
    assert re.search(r'href="/doublons\?statut=pending" aria-current="page"', page.text)
    assert f'href="/doublons/{review["id"]}"' in page.text
    assert "Nom de naissance, Nom utilisé" in page.text  # the differing traits
    assert re.search(r"\d+,\d %", page.text) and "création" in page.text
    scores = [float(s.replace(",", ".")) for s in re.findall(r"<strong>([\d,]+) %", page.text)]
    assert scores == sorted(scores, reverse=True)


def test_the_worklist_filters_by_status_and_pages(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    vigilance = browser_for("identitovigilance")
    _, _, review = _pair(api)
    _decide(vigilance, review, decision="not_duplicate")

    decided = vigilance.get("/doublons?statut=not_duplicate").text
    pending = vigilance.get("/doublons?statut=pending").text
    unknown = vigilance.get("/doublons?statut=ouvert")
    paged = vigilance.get("/doublons?statut=all&page=999")

    assert f'href="/doublons/{review["id"]}"' in decided
    assert f'href="/doublons/{review["id"]}"' not in pending
    assert unknown.status_code == 422 and "Statut inconnu" in html.unescape(unknown.text)
    assert paged.status_code == 200 and "Aucune paire." in paged.text


def test_the_review_page_shows_both_identities_side_by_side_and_the_decisions(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, second, review = _pair(api)

    page = browser_for("identitovigilance").get(f"/doublons/{review['id']}")

    assert page.status_code == 200
    assert "Traits côte à côte" in page.text and "Explication du score" in page.text
    assert re.search(r'<tr class="differs" data-field="birth_name">', page.text)
    assert re.search(r'<tr class="same" data-field="birth_date">', page.text)
    for identity in (first, second):
        assert f'href="/identites/{identity["id"]}"' in page.text
    for label in ("Doublon avéré (DOUA)…", "Pas un doublon…", "Homonymes (HOMA)…",
                  "Collision potentielle (COLP)…", "Collision avérée (COLV)…"):  # fmt: skip
        assert label in page.text, label
    assert 'name="note"' in page.text and "Fusionner ces deux identités" not in page.text


def test_only_reviewers_see_the_worklist_and_a_review(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _, _, review = _pair(api)
    for role in ("admission", "care", "statistics"):
        browser = browser_for(role)
        for url in ("/doublons", f"/doublons/{review['id']}", "/collisions"):
            assert browser.get(url).status_code == 403, (role, url)
        refused = browser.post(f"/doublons/{review['id']}/decision", {"decision": "duplicate"})
        assert refused.status_code == 403
    assert _status(api, review) == "pending"


def test_a_decision_is_confirmed_first_with_its_consequences_and_saves_nothing(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _, _, review = _pair(api)
    url = f"/doublons/{review['id']}/decision"

    page = browser_for("identitovigilance").post(url, {"decision": "homonym", "note": "Jumeaux"})

    assert page.status_code == 200
    assert "Confirmez-vous la décision « Homonymes (HOMA) » ?" in html.unescape(page.text)
    assert "attribut « Homonyme » (HOMA)" in html.unescape(page.text)
    assert 'name="confirmer" value="1"' in page.text and ">Jumeaux</textarea>" in page.text
    assert _status(api, review) == "pending"


def test_a_confirmed_duplicate_offers_the_merge_with_the_survivor_preselected(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, _, review = _pair(api)
    vigilance = browser_for("identitovigilance")

    done = _decide(vigilance, review, decision="duplicate", note="Même patient")

    assert done.status_code == 303
    assert done.headers["location"] == f"/doublons/{review['id']}?message=duplicate#fusion"
    page = vigilance.get(done.headers["location"].split("#")[0]).text
    assert "Doublon avéré (DOUA) enregistré" in page
    assert "Fusionner ces deux identités" in page and "Même patient" in page
    preselected = re.search(r'name="survivor_id" value="([^"]+)"[^>]* checked', page)
    assert preselected and preselected.group(1) == first["id"]  # same status: the first
    assert _status(api, review) == "duplicate"
    assert f'action="/doublons/{review["id"]}/fusion"' in page  # merged from the review
    form = {"survivor_id": first["id"], "confirmer": "1"}
    assert vigilance.post(f"/doublons/{review['id']}/fusion", form).status_code == 303
    assert _status(api, review) == "merged"
    closed = vigilance.get(f"/doublons/{review['id']}").text
    assert "Fusionné" in closed and "Doublon avéré (DOUA)…" not in closed


def test_not_a_duplicate_closes_the_pair_and_a_second_decision_is_refused_in_french(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _, _, review = _pair(api)
    vigilance = browser_for("identitovigilance")

    done = _decide(vigilance, review, decision="not_duplicate", note="Deux sœurs")
    again = vigilance.post(
        f"/doublons/{review['id']}/decision", {"decision": "duplicate", "confirmer": "1"}
    )

    assert done.status_code == 303 and _status(api, review) == "not_duplicate"
    page = vigilance.get(done.headers["location"]).text
    assert "Décision enregistrée : pas un doublon" in page and "Deux sœurs" in page
    assert "Doublon avéré (DOUA)…" not in page  # closed: no decision buttons
    assert again.status_code == 409
    assert "Cette paire est déjà close (pas un doublon)" in html.unescape(again.text)


def test_homonyms_give_both_identities_the_homa_attribute(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, second, review = _pair(api, birth_place_code="69383")

    done = _decide(browser_for("identitovigilance"), review, decision="homonym")

    assert done.status_code == 303 and _status(api, review) == "homonym"
    for identity in (first, second):
        assert api.get(f"/api/v1/identities/{identity['id']}").json()["attributes"] == ["HOMA"]


def test_a_collision_names_the_identity_concerned_or_is_refused(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, second, review = _pair(api)
    vigilance = browser_for("identitovigilance")
    url = f"/doublons/{review['id']}/decision"

    missing = vigilance.post(url, {"decision": "collision_confirmed"})
    done = _decide(vigilance, review, decision="collision_confirmed",
                   identite_collision=second["id"])  # fmt: skip

    assert missing.status_code == 422
    assert "Choisissez l'identité concernée par la collision" in html.unescape(missing.text)
    assert done.status_code == 303 and _status(api, review) == "collision"
    assert api.get(f"/api/v1/identities/{second['id']}").json()["collision"] == "COLV"
    assert api.get(f"/api/v1/identities/{first['id']}").json()["collision"] is None


def test_a_potential_collision_on_both_identities(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, second, review = _pair(api)

    done = _decide(
        browser_for("admin"), review, decision="collision", identite_collision="les_deux"
    )

    assert done.status_code == 303
    for identity in (first, second):
        assert api.get(f"/api/v1/identities/{identity['id']}").json()["collision"] == "COLP"


def test_an_unknown_decision_or_review_is_refused(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    _, _, review = _pair(api)
    vigilance = browser_for("identitovigilance")

    unknown = vigilance.post(f"/doublons/{review['id']}/decision", {"decision": "peut-etre"})
    missing = vigilance.get("/doublons/00000000-0000-4000-8000-000000000000")

    assert unknown.status_code == 422 and "Choisissez une décision." in unknown.text
    assert missing.status_code == 404


def test_the_sheet_lists_the_open_reviews_of_the_identity_for_reviewers(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first, _, review = _pair(api)
    url = f"/identites/{first['id']}"

    vigilance = browser_for("identitovigilance").get(url).text
    admission = browser_for("admission").get(url).text

    assert "Doublons à examiner pour cette identité" in vigilance
    assert f'href="/doublons/{review["id"]}"' in vigilance
    other = "LEFEVRE SAINT AUBIN / DUPRE HELENE MARIE, né(e) le"  # names / used name
    assert other in vigilance.split('id="doublons-a-examiner"')[1]
    assert "Doublons à examiner pour cette identité" not in admission
