"""Safe confirmations and labels as wards print them (issue 16 §4 and §5), as rendered.

Each test makes its own synthetic qualified identity (the demo persons are shared with
the other journeys, which change them). PDFs are not shown by headless Chromium: the
page fetches them as a user's click would, and PDFium renders them for the screenshot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pypdfium2 as pdfium
import pytest
import zxingcpp
from browser_support import SCREENSHOTS, csp_reports, login, shot
from playwright.sync_api import Page, expect
from stdnum.fr import nir

from identito.bootstrap import Container
from identito.domain.identifiers import Ins, Oid
from identito.messages import datamatrix
from identito.services.auth import SYSTEM
from identito.services.diffusion import read_for_diffusion
from identito.services.identities import create_identity, validate_identity

pytestmark = pytest.mark.browser

_serial = iter(range(100, 1000))


def _qualified(container: Container, birth_name: str, year: int) -> str:
    """A synthetic QUAL identity: created, INS retrieved (as INSi would), document checked."""
    data = {
        "birth_name": birth_name, "birth_first_names": ["ROSE", "MARIE"],
        "first_birth_first_name": "ROSE", "birth_date": f"{year}-02-11", "sex": "F",
        "birth_place_code": "63220",
    }  # fmt: skip
    kwargs = {"actor": SYSTEM, "rules": container.rules}
    created = create_identity(data, uow=container.uow_factory(), anyway=True, **kwargs)
    body = f"2{year % 100:02d}0263220{next(_serial):03d}"
    ins = Ins.parse(body + nir.calc_check_digits(body), Oid.NIR_TEST.value, allow_test_oids=True)
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        identity = uow.identities.get(created.id)
        identity.record_ins_retrieval(ins, now=now)
        uow.identities.update(identity)
        uow.commit(SYSTEM, now)
    validate_identity(
        created.id, document_type="CN", document_expiry=date(2033, 1, 1),
        uow=container.uow_factory(), **kwargs,
    )  # fmt: skip
    return str(created.id)


def _pdf_shot(pdf: bytes, name: str, dpi: int = 200, crop_mm: float | None = None) -> bytes:
    """Render the first page of ``pdf`` as ``screenshots/<name>.png``; return the PNG."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    if crop_mm is not None:  # the top of an A4 sheet is enough to see its labels
        image = image.crop((0, 0, image.width, int(crop_mm / 25.4 * dpi)))
    path = SCREENSHOTS / f"{name}.png"
    image.save(path)
    return path.read_bytes()


def _scanned(pdf: bytes) -> list[bytes]:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=400 / 72).to_pil().convert("L")
    finally:
        document.close()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
    return [code.bytes for code in found]


def test_a_downgrade_shows_old_and_new_asks_a_reason_and_focuses_cancel(
    page: Page, demo_container: Container
) -> None:
    target = _qualified(demo_container, "BOUVRAY", 1961)
    reports = csp_reports(page)
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{target}/modifier")
    page.locator("#birth_name").fill("Bouvrais")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Confirmez-vous cette modification ?")).to_be_visible()
    row = page.locator("#changements tbody tr").filter(has_text="Nom de naissance")
    expect(row.locator("td.before")).to_have_text("BOUVRAY")
    expect(row.locator("td.after")).to_have_text("BOUVRAIS")
    expect(page.get_by_text("au statut « Identité provisoire »")).to_be_visible()
    cancel = page.locator("#confirmation").get_by_role("link", name="Annuler")
    expect(cancel).to_be_focused()  # the default is the safe choice
    shot(page, "40-confirmation-motif")
    page.keyboard.press("Enter")  # Enter on the focused default: nothing is changed
    expect(page).to_have_url(f"{page.url.split('/identites/')[0]}/identites/{target}")
    expect(page.locator(".badge.status-QUAL")).to_have_text("Identité qualifiée")

    page.goto(f"/identites/{target}/modifier")
    page.locator("#birth_name").fill("Bouvrais")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Confirmer et dégrader le statut").click()
    expect(page.locator("#reason")).to_be_focused()  # required: the browser asks for it
    page.get_by_label("Motif de la modification").fill("Nom de naissance mal orthographié")
    page.get_by_role("button", name="Confirmer et dégrader le statut").click()
    expect(page.locator(".badge.status-PROV")).to_have_text("Identité provisoire")
    traced = page.locator("tr").filter(has_text="Nom de naissance mal orthographié").first
    traced.scroll_into_view_if_needed()
    expect(traced).to_be_visible()
    shot(page, "41-modification-motif-trace")
    assert reports == []


def test_the_html_label_is_styled_by_its_stylesheet_with_ipp_and_datamatrix(
    page: Page, demo_container: Container
) -> None:
    target = _qualified(demo_container, "ETIQUETTE", 1962)
    reports = csp_reports(page)
    login(page, "soignant", "cle-demo-soins")
    answer = page.goto(f"/identites/{target}/exports/label.html")
    assert answer is not None and answer.ok
    assert "'sha256-" not in answer.headers["content-security-policy"]
    label = page.locator(".label")
    expect(label).to_have_css("display", "flex")
    expect(label).to_have_css("border-top-width", "1px")
    expect(page.locator("th").first).to_have_css("font-weight", "400")
    expect(page.locator("tr").filter(has_text="IPP")).to_contain_text(target)
    expect(page.get_by_alt_text("DataMatrix INS")).to_be_visible()
    label.screenshot(path=str(SCREENSHOTS / "42-etiquette-html.png"))
    assert reports == []


def test_the_wristband_carries_ipp_matricule_and_a_datamatrix_that_scans(
    page: Page, demo_container: Container
) -> None:
    target = _qualified(demo_container, "BRACELET", 1963)
    login(page, "soignant", "cle-demo-soins")
    page.goto(f"/identites/{target}")
    page.get_by_label("Modèle").select_option("bracelet")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Imprimer", exact=True).click()
    url = popup.value.url
    assert url.endswith(f"/identites/{target}/imprimer?modele=bracelet&nombre=24")
    pdf = page.request.get(url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    _pdf_shot(pdf.body(), "43-bracelet", dpi=220)
    view, _ = read_for_diffusion(
        UUID(target), uow=demo_container.uow_factory(), actor=SYSTEM,
        rules=demo_container.rules, fmt="test", destination="test",
    )  # fmt: skip
    assert _scanned(pdf.body()) == [datamatrix.payload(view).encode()]


def test_an_a4_sheet_of_the_chosen_number_of_labels(page: Page, demo_container: Container) -> None:
    target = _qualified(demo_container, "PLANCHE", 1964)
    login(page, "soignant", "cle-demo-soins")
    page.goto(f"/identites/{target}")
    page.get_by_label("Modèle").select_option("planche")
    page.get_by_label("Nombre (planche)").fill("5")
    shot(page, "44-impression-choix")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Imprimer", exact=True).click()
    pdf = page.request.get(popup.value.url)
    assert pdf.ok
    _pdf_shot(pdf.body(), "45-planche-etiquettes", dpi=150, crop_mm=80)
    assert len(_scanned(pdf.body())) == 5
