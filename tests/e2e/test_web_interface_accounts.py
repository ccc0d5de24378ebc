"""The administration page of the interface accounts (web): listed, disabled, enabled again."""

from __future__ import annotations

from collections.abc import Callable

from api_support import Api
from web_support import Browser

A28 = "\r".join(
    [
        "MSH|^~\\&|DPI|CHU-Y|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|WEB-1|P|2.5",
        "EVN||20260306111154",
        "PID|1||IPP-W^^^CHU-Y&1.2.3&ISO^PI||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M"
        "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||PROV",
    ]
)


def test_an_administrator_sees_the_senders_and_a_disabled_one_is_refused_at_once(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    admin = browser_for("admin")
    page = admin.get("/admin/interfaces")
    assert page.status_code == 200
    assert "Comptes d&#39;interface" in page.text and "127.0.0.1/32" in page.text
    assert 'href="/admin/interfaces"' in page.text  # in the menu

    response = admin.post("/admin/interfaces/interface", {"action": "desactiver"})

    assert response.status_code == 303
    assert "<strong>désactivé</strong>" in admin.get("/admin/interfaces").text
    refused = api.post("/api/v1/hl7v2", "interface", content=A28)
    assert refused.status_code == 403 and "MSA|AR|WEB-1" in refused.text
    admin.post("/admin/interfaces/interface", {"action": "reactiver"})
    assert "MSA|AA|WEB-1" in api.post("/api/v1/hl7v2", "interface", content=A28).text


def test_only_an_administrator_of_users_reaches_the_interface_accounts(
    browser_for: Callable[[str], Browser],
) -> None:
    civ = browser_for("identitovigilance")

    assert civ.get("/admin/interfaces").status_code == 403
    assert civ.post("/admin/interfaces/interface", {"action": "desactiver"}).status_code == 403
