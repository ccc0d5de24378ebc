"""Safe confirmations (issue 16 §4): a downgrading change shows old → new and its
consequences, asks for a reason traced in the audit, and its default button is the
safe one; the API's PATCH takes an optional reason."""

from __future__ import annotations

import re
from collections.abc import Callable

from api_support import Api, qualify
from web_support import Browser, distinct_person, edit_form

from identito.bootstrap import Container
from identito.domain.change_reason import REASON_MAX_LENGTH

IDENTITIES = "/api/v1/identities"
#: The one element of a page that carries ``autofocus``, tag and text.
_AUTOFOCUS = re.compile(r"<(a|button|select|input|textarea)\b[^>]*\bautofocus\b[^>]*>([^<]*)")


def _focused(html: str) -> list[tuple[str, str]]:
    return [(tag, text.strip()) for tag, text in _AUTOFOCUS.findall(html)]


def _traits_changed(api: Api, identity_id: str) -> list[dict[str, object]]:
    items = api.get(f"{IDENTITIES}/{identity_id}/audit").json()["items"]
    return [e for e in items if e["action"] == "identity.traits_changed"]


def test_the_downgrade_confirmation_shows_old_and_new_asks_a_reason_and_focuses_cancel(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create(**distinct_person(birth_name="Garnier"))["id"])
    browser = browser_for("identitovigilance")
    page = browser.post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, birth_name="Garnyer")
    )
    assert page.status_code == 200
    row = re.search(r"<tr><th scope=\"row\">Nom de naissance</th>(.*?)</tr>", page.text)
    assert row is not None
    assert "<del>GARNIER</del>" in row.group(1) and "<ins>GARNYER</ins>" in row.group(1)
    assert "« Identité qualifiée » au statut « Identité provisoire »" in page.text
    assert re.search(r'<textarea id="reason" name="reason"[^>]*required', page.text)
    assert f'maxlength="{REASON_MAX_LENGTH}"' in page.text
    assert _focused(page.text) == [("a", "Annuler")]


def test_confirming_a_downgrade_without_a_reason_is_refused_on_the_same_step(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    browser = browser_for("identitovigilance")
    url = f"/identites/{identity['id']}/modifier"
    refused = browser.post(url, edit_form(identity, birth_name="Dufresne", confirmer="1",
                                          reason="   "))  # fmt: skip
    assert refused.status_code == 422
    assert "Indiquez le motif de cette modification" in refused.text
    assert "Confirmez-vous cette modification" in refused.text  # still the confirmation
    after = api.get(f"{IDENTITIES}/{identity['id']}").json()
    assert (after["status"], after["version"]) == ("QUAL", identity["version"])


def test_the_reason_of_a_confirmed_downgrade_is_traced_trimmed_in_the_audit(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    browser = browser_for("identitovigilance")
    url = f"/identites/{identity['id']}/modifier"
    form = edit_form(identity, birth_name="Dufresne", confirmer="1",
                     reason="  Nom mal orthographié\r\n à l'accueil ")  # fmt: skip
    assert browser.post(url, form).status_code == 303
    [row] = _traits_changed(api, identity["id"])
    assert row["reason"] == "Nom mal orthographié à l'accueil"
    assert row["details"] == {"fields": ["birth_name"], "reason": row["reason"]}


def test_a_change_without_consequence_needs_no_reason_in_the_web(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    browser = browser_for("admission")
    saved = browser.post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, used_name="Perrin")
    )
    assert saved.status_code == 303
    assert _traits_changed(api, identity["id"])[-1]["reason"] is None


def test_every_destructive_confirmation_focuses_its_safe_button(
    browser_for: Callable[[str], Browser], container: Container, api: Api
) -> None:
    qualified = qualify(container, api, api.create(**distinct_person())["id"])
    browser = browser_for("identitovigilance")
    url = f"/identites/{qualified['id']}"
    attributes = browser.post(f"{url}/attributs", {"DOUT": "1", "reason": "Pièce illisible"})
    collision = browser.post(f"{url}/collision", {"niveau": "COLP", "note": ""})
    assert "Confirmez-vous la déclaration" in collision.text
    for page in (attributes, collision):
        assert page.status_code == 200
        assert _focused(page.text) == [("a", "Annuler")], page.text[:200]


def test_the_api_patch_traces_an_optional_reason_trimmed(api: Api, container: Container) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    url = f"{IDENTITIES}/{identity['id']}"
    headers = {"If-Match": str(identity["version"])}
    body = {"birth_name": "Marchal", "reason": "  Erreur de saisie  "}
    response = api.patch(url, "identitovigilance", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "PROV" and "reason" not in response.json()
    [row] = _traits_changed(api, identity["id"])
    assert (row["reason"], row["details"]["reason"]) == ("Erreur de saisie", "Erreur de saisie")


def test_the_api_patch_still_downgrades_without_a_reason(api: Api, container: Container) -> None:
    identity = qualify(container, api, api.create(**distinct_person())["id"])
    headers = {"If-Match": str(identity["version"])}
    response = api.patch(f"{IDENTITIES}/{identity['id']}", "identitovigilance",
                         json={"birth_name": "Marchal"}, headers=headers)  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == "PROV"
    assert _traits_changed(api, identity["id"])[0]["reason"] is None


def test_the_api_patch_refuses_a_reason_too_long_naming_the_field(api: Api) -> None:
    identity = api.create(**distinct_person())
    headers = {"If-Match": str(identity["version"])}
    body = {"used_name": "Roux", "reason": "x" * (REASON_MAX_LENGTH + 1)}
    response = api.patch(f"{IDENTITIES}/{identity['id']}", json=body, headers=headers)
    assert response.status_code == 422
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
        ("reason", "reason_too_long")
    ]
    assert api.get(f"{IDENTITIES}/{identity['id']}").json()["version"] == identity["version"]
