"""Collisions in the web UI: the banner of the sheet, declaring, confirming, resolving, list."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from api_support import Api, qualify
from web_support import Browser

from identito.bootstrap import Container
from identito.domain.status import CollisionLevel
from identito.entrypoints.web.reviews_view import COLLISION_LABELS

_MENU_COUNT = re.compile(r'id="menu-collisions">Collisions <span class="menu-count">(\d+)')
_dates = iter(f"1963-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 28))


def _identity(api: Api) -> dict[str, Any]:
    return api.create(birth_date=next(_dates))


def _declare(browser: Browser, identity: dict[str, Any], level: str, note: str = "") -> Any:
    url = f"/identites/{identity['id']}/collision"
    confirm = browser.post(url, {"niveau": level, "note": note})
    assert confirm.status_code == 200, confirm.text
    assert "Confirmez-vous la déclaration" in confirm.text
    return browser.post(url, {"niveau": level, "note": note, "confirmer": "1"})


def _collision(api: Api, identity: dict[str, Any]) -> Any:
    return api.get(f"/api/v1/identities/{identity['id']}").json()["collision"]


def test_every_collision_level_has_a_french_label() -> None:
    assert set(COLLISION_LABELS) == set(CollisionLevel)


def test_a_reviewer_declares_a_potential_collision_after_a_confirmation(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = _identity(api)
    vigilance = browser_for("identitovigilance")
    sheet = vigilance.get(f"/identites/{identity['id']}").text
    assert f'id="declarer-collision" href="/identites/{identity["id"]}/collision"' in sheet
    form = vigilance.get(f"/identites/{identity['id']}/collision")
    assert form.status_code == 200 and 'name="niveau" value="COLP"' in form.text

    confirm = vigilance.post(f"/identites/{identity['id']}/collision", {"niveau": "COLP"})
    assert _collision(api, identity) is None  # nothing saved before the confirmation
    done = _declare(vigilance, identity, "COLP", note="Deux patients sur un dossier")

    assert "Collision potentielle (COLP)" in confirm.text and "INS n" in confirm.text
    assert done.status_code == 303
    assert done.headers["location"] == f"/identites/{identity['id']}?message=collision_declaree"
    assert _collision(api, identity) == "COLP"
    page = vigilance.get(done.headers["location"]).text
    assert 'id="collision"' in page and "Collision potentielle (COLP)" in page
    assert "L'INS n'est plus diffusé" in html.unescape(page)
    assert "Confirmer la collision (COLV)…" in page and "Résoudre la collision…" in page
    actions = [
        e["action"] for e in api.get(f"/api/v1/identities/{identity['id']}/audit").json()["items"]
    ]
    assert "identity.collision_declared" in actions


def test_a_potential_collision_is_confirmed_then_resolved(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = _identity(api)
    vigilance = browser_for("identitovigilance")
    _declare(vigilance, identity, "COLP")

    confirmed = _declare(vigilance, identity, "COLV")
    url = f"/identites/{identity['id']}/collision/resolution"
    confirm = vigilance.post(url, {"note": "Dossiers séparés"})
    assert _collision(api, identity) == "COLV"
    resolved = vigilance.post(url, {"note": "Dossiers séparés", "confirmer": "1"})

    assert confirmed.status_code == 303
    assert "Confirmez-vous la résolution de la collision" in confirm.text
    assert ">Dossiers séparés</textarea>" in html.unescape(confirm.text)
    assert resolved.status_code == 303
    assert resolved.headers["location"].endswith("?message=collision_resolue")
    assert _collision(api, identity) is None
    page = vigilance.get(resolved.headers["location"]).text
    assert "Collision résolue" in page and 'id="collision"' not in page


def test_the_sheet_shows_the_banner_to_everyone_and_the_buttons_to_reviewers_only(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = _identity(api)
    _declare(browser_for("identitovigilance"), identity, "COLV")
    url = f"/identites/{identity['id']}"

    care = browser_for("care").get(url).text

    assert 'id="collision"' in care and "Collision avérée (COLV)" in care
    assert "deux personnes partagent ce dossier" in care
    for hidden in ("Résoudre la collision", "Confirmer la collision", "Déclarer une collision"):
        assert hidden not in care, hidden
    admission = browser_for("admission")
    assert admission.get(f"{url}/collision").status_code == 403
    assert admission.post(f"{url}/collision/resolution", {"confirmer": "1"}).status_code == 403
    assert _collision(api, identity) == "COLV"


def test_domain_refusals_are_shown_in_french_before_any_confirmation(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = _identity(api)
    vigilance = browser_for("identitovigilance")
    url = f"/identites/{identity['id']}/collision"

    no_level = vigilance.post(url, {})
    nothing = vigilance.post(f"{url}/resolution", {})
    _declare(vigilance, identity, "COLV")
    downgrade = vigilance.post(url, {"niveau": "COLP"})

    assert no_level.status_code == 422 and "Choisissez le niveau" in no_level.text
    assert nothing.status_code == 409
    assert "ne porte pas de collision à résoudre" in html.unescape(nothing.text)
    assert downgrade.status_code == 409 and "déjà avérée" in html.unescape(downgrade.text)
    assert "Confirmez-vous" not in downgrade.text


def test_the_collisions_list_links_to_each_identity_and_withholds_the_matricule(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, _identity(api)["id"])
    number = identity["ins"]["number"]
    vigilance = browser_for("identitovigilance")
    _declare(vigilance, identity, "COLP")

    listed = vigilance.get("/collisions")
    exported = api.get(f"/api/v1/identities/{identity['id']}/exports/hl7v2")

    assert listed.status_code == 200 and "<h1>Collisions</h1>" in listed.text
    assert f'href="/identites/{identity["id"]}"' in listed.text
    assert f'href="/identites/{identity["id"]}/collision"' in listed.text
    assert "Collision potentielle (COLP)" in listed.text
    assert number not in exported.text


def test_the_collisions_menu_entry_counts_the_identities_in_collision_for_reviewers_only(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    vigilance, care = browser_for("identitovigilance"), browser_for("care")
    before = _MENU_COUNT.search(vigilance.get("/recherche").text)
    identity = _identity(api)
    _declare(vigilance, identity, "COLP")

    after = _MENU_COUNT.search(vigilance.get("/recherche").text)

    assert before and after and int(after.group(1)) == int(before.group(1)) + 1
    assert int(after.group(1)) == api.get("/api/v1/collisions", "identitovigilance").json()["total"]
    assert "menu-collisions" not in care.get("/recherche").text
