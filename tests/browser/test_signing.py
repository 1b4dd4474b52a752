"""Signing in real Chromium: the secretary sends, leaders sign on phones, the clerk seals.

The final PDF is checked by poppler's ``pdfsig`` and by ``meeting-server verify``; the return
path, a wrong PIN, two Sign presses at once and a batch are driven through the pages too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from meeting_server.demo.documents import build_demo_documents
from tests.support.browser import (
    ARTIFACTS,
    PHONE,
    TABLET,
    answer_yes,
    cli,
    live_server,
    poll,
    screenshot,
    sign_in,
    signed_in,
)
from tests.support.pdf_samples import edited_afterwards

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
DEMO_PIN = "123456"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("signing-ui")) as running:
        yield running


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signing-doc") / "quyet-dinh.pdf"
    path.write_bytes(build_demo_documents()[2].data)  # a real Vietnamese decision, 4+ pages
    return path


def page_for(chromium, base: str, username: str, errors: list[str], viewport=PHONE):
    page = chromium.new_context(viewport=viewport, locale="vi-VN").new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, username)
    return page


def send(chromium, base: str, document: Path, title: str, errors: list[str], place=False) -> str:
    """As ``thuky`` on a desktop, send ``document`` for chủ tịch → phó chủ tịch → seal."""
    desk = page_for(chromium, base, "thuky", errors, viewport=TABLET)
    desk.goto(base + "/signing/new")
    desk.set_input_files("#file-input", str(document))
    desk.fill("input[name=title]", title)
    choose(desk, "[data-testid=signer-0]", "Trần Văn Minh")
    choose(desk, "[data-testid=signer-1]", "Lê Thị Hoa")
    if place:  # the chair's stamp where the secretary clicks on page 2
        desk.wait_for_selector("#page-canvas", state="visible", timeout=WAIT_MS)
        desk.locator(".route-row[data-row='signer'][data-index='0'] .js-place").click()
        desk.locator("#page-canvas").click(position={"x": 80, "y": 120})
        assert desk.locator("input[name=signer_box]").first.input_value() != ""
        screenshot(desk, "signing-new-placed")
    desk.click("[data-testid=send]")
    desk.wait_for_selector("[data-testid=route]", timeout=WAIT_MS)
    url = desk.url
    desk.context.close()
    return url


def choose(page, select: str, name: str) -> None:
    value = page.locator(f"{select} option", has_text=name).first.get_attribute("value")
    page.select_option(select, value=value)


def sign_with_pin(page, pin: str) -> None:
    """Type the PIN and press Sign once show.js handles the form (it draws the preview first).

    Pressed earlier, the form is posted without the script (it still signs, then redirects to
    the inbox) and the page never shows the step as signed: seen under two test workers.
    """
    page.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    page.fill("#pin", pin)
    page.click("[data-testid=sign]")


def test_leaders_sign_in_order_on_phones_and_the_clerk_seals(chromium, server, document, tmp_path):
    base, env = server
    errors: list[str] = []
    vice = page_for(chromium, base, "phochutich", errors)
    vice.goto(base + "/signing/")
    vice.wait_for_selector("#live-status[data-state='online']", timeout=WAIT_MS)
    url = send(chromium, base, document, "Quyết định phê duyệt kế hoạch 2027", errors, place=True)

    chair = page_for(chromium, base, "chutich", errors)
    chair.goto(base + "/signing/")
    chair.click("text=Quyết định phê duyệt kế hoạch 2027")
    chair.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    sign_with_pin(chair, "000000")
    chair.wait_for_selector(".sign-message.error", timeout=WAIT_MS)
    assert "PIN" in chair.locator("#sign-message").inner_text()
    screenshot(chair, "signing-wrong-pin-phone")
    assert all("403" in error for error in errors), errors  # the refused PIN's answer, logged
    errors.clear()
    sign_with_pin(chair, DEMO_PIN)
    chair.wait_for_selector(".step-signed", timeout=WAIT_MS)
    screenshot(chair, "signing-signed-phone")

    # The vice-chair's open inbox shows the document without a reload (inbox_changed).
    vice.wait_for_selector("text=Quyết định phê duyệt kế hoạch 2027", timeout=WAIT_MS)
    screenshot(vice, "signing-inbox-phone")
    vice.click("text=Quyết định phê duyệt kế hoạch 2027")
    sign_with_pin(vice, DEMO_PIN)
    vice.wait_for_selector(".step-signed >> nth=1", timeout=WAIT_MS)

    clerk = page_for(chromium, base, "vanthu", errors, viewport=TABLET)
    clerk.goto(url)
    sign_with_pin(clerk, DEMO_PIN)
    clerk.wait_for_selector("[data-testid=request-status].badge-request-completed", timeout=WAIT_MS)
    screenshot(clerk, "signing-completed")

    pdf = tmp_path / "signed.pdf"
    with clerk.expect_download() as download:
        clerk.click("[data-testid=download]")
    download.value.save_as(pdf)
    check_with_pdfsig(pdf)
    report = cli(env, "verify", "--lang", "en", str(pdf))
    assert report.count("Valid:") == 3, report
    check_the_public_page(
        chromium, base, clerk.get_attribute("[data-testid=verify-link]", "href"), pdf
    )
    assert errors == [], errors


def check_the_public_page(chromium, base: str, address: str, pdf: Path) -> None:
    """Anyone (no login, on a phone) sees three valid signatures, then an edit after signing."""
    visitor = chromium.new_context(viewport=PHONE, locale="vi-VN").new_page()
    visitor.goto(address)
    verdicts = visitor.locator("[data-verdict]").evaluate_all(
        "els => els.map(e => e.dataset.verdict)"
    )
    assert verdicts == ["valid"] * 3, verdicts
    screenshot(visitor, "verify-valid-phone")
    edited = pdf.with_name("edited.pdf")
    edited.write_bytes(edited_afterwards(pdf.read_bytes()))
    visitor.goto(base + "/verify")
    visitor.set_input_files("input[name=pdf]", str(edited))
    visitor.locator(".verify-upload button").click()
    visitor.wait_for_selector("[data-verdict=changed_after_signing]", timeout=WAIT_MS)
    assert "thay đổi sau khi ký" in visitor.locator("main").inner_text()
    screenshot(visitor, "verify-changed-phone")
    visitor.context.close()


def check_with_pdfsig(pdf: Path) -> None:
    """Poppler agrees: three valid signatures, then the archive's document timestamp (B-LTA:
    pdfsig lists it but does not check RFC 3161 tokens; the DSS of its own chain follows it)."""
    done = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
    output = done.stdout
    assert output.count("Signature Validation: Signature is Valid.") == 3, output
    assert output.count("Signature #") == 4, output
    last = output.split("Signature #4")[1]
    assert "Field Name: Timestamp" in last and "TSA" in last, output


def test_a_leader_returns_a_document_with_a_comment(chromium, server, document):
    base, _env = server
    errors: list[str] = []
    url = send(chromium, base, document, "Tờ trình cần bổ sung", errors)
    chair = page_for(chromium, base, "chutich", errors)
    chair.goto(url)
    chair.locator(".return-box summary").click()
    chair.fill("[data-testid=return-comment]", "Đề nghị bổ sung số liệu quý III.")
    chair.click("[data-testid=return]")
    chair.wait_for_url(re.compile(r"/signing/$"), timeout=WAIT_MS)
    desk = page_for(chromium, base, "thuky", errors, viewport=TABLET)
    desk.goto(url)
    assert "Đề nghị bổ sung số liệu quý III." in desk.locator("[data-testid=route]").inner_text()
    assert desk.locator(".badge-request-returned").count() == 1
    screenshot(desk, "signing-returned")
    assert errors == [], errors


def test_two_presses_on_sign_at_once_make_one_signature(chromium, server, document):
    base, _env = server
    errors: list[str] = []
    url = send(chromium, base, document, "Văn bản bấm ký hai lần", errors)
    phone, desktop = (page_for(chromium, base, "chutich", errors, v) for v in (PHONE, TABLET))
    for page in (phone, desktop):
        page.goto(url)
        page.fill("#pin", DEMO_PIN)
    phone.click("[data-testid=sign]", no_wait_after=True)
    desktop.click("[data-testid=sign]", no_wait_after=True)
    assert poll(lambda: _settled(phone) and _settled(desktop), 30)
    http = signed_in(base, "thuky")
    request_id = int(url.rstrip("/").split("/")[-1])
    page = http.get(f"{base}/signing/{request_id}", timeout=10).text
    assert page.count("badge-step-signed") == 1  # one signature, the vice-chair's turn next
    versions = re.findall(r"version=(\d+)&amp;download=1", page)
    assert sorted(set(versions)) == ["0", "1"], versions


def _settled(page) -> bool:
    """The press either reloaded to the signed page or showed the refusal."""
    try:
        return (
            page.locator(".step-signed").count() > 0
            or page.locator(".sign-message.error").count() > 0
        )
    except Exception:  # noqa: BLE001 - the page is reloading
        return False


def test_a_leader_signs_several_documents_in_one_batch(chromium, server, document):
    base, _env = server
    errors: list[str] = []
    for title in ("Lô ký A", "Lô ký B"):
        send(chromium, base, document, title, errors)
    chair = page_for(chromium, base, "chutich", errors)
    chair.goto(base + "/signing/")
    for title in ("Lô ký A", "Lô ký B"):
        chair.locator(".inbox-item", has_text=title).locator(".batch-pick").check()
    chair.click("[data-testid=batch-open]")
    chair.fill("#batch-pin", DEMO_PIN)
    chair.click("[data-testid=batch-start]")
    chair.wait_for_selector("#batch-status[data-finished='true']", timeout=60_000)
    assert "2" in chair.locator("#batch-status").inner_text()
    screenshot(chair, "signing-batch-phone")
    chair.click("#batch-close")
    assert chair.locator(".inbox-item", has_text="Lô ký A").count() == 1  # now under "done"
    assert errors == [], errors


DEMO_REQUEST = "Quyết định ban hành Quy chế làm việc của UBND thành phố"  # chủ tịch's turn
PAINTED = """canvas => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128) inked += 1;
  return inked;
}"""


def test_a_leader_sees_the_whole_document_before_the_pin_on_a_phone(chromium, server):
    """Sign what you see: the pages at the phone's width, every one reachable, then the PIN."""
    base, _env = server
    errors: list[str] = []
    the_desk_beside(chromium, base, errors)
    chair = page_for(chromium, base, "chutich", errors)
    chair.goto(base + "/signing/")
    chair.click(f"text={DEMO_REQUEST}")
    chair.wait_for_selector("canvas.pdf-page[data-page='1'][data-drawn='true']", timeout=WAIT_MS)
    viewer, pin = (chair.locator(s).bounding_box() for s in ("#pdf-preview", "#pin"))
    assert viewer["y"] < pin["y"] and viewer["y"] + viewer["height"] <= pin["y"]
    first = chair.locator("canvas.pdf-page").first.bounding_box()
    assert first["width"] >= 0.9 * PHONE["width"], first
    assert chair.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(chair, "phone-sign-what-you-see")

    pages = chair.locator("canvas.pdf-page")
    total = int(chair.get_attribute("#pdf-preview", "data-pages"))
    assert total >= 2 and pages.count() == total
    pages.last.scroll_into_view_if_needed()
    last = chair.locator(f"canvas.pdf-page[data-page='{total}'][data-drawn='true']")
    last.wait_for(timeout=WAIT_MS)
    assert last.evaluate(PAINTED) > 1000  # text drawn, not an empty sheet
    assert last.bounding_box()["y"] < chair.locator("#pin").bounding_box()["y"]
    chair.locator(".pdf-sheet").last.screenshot(path=str(ARTIFACTS / "phone-sign-last-page.png"))

    sign_with_pin(chair, DEMO_PIN)
    chair.wait_for_selector(".step-signed", timeout=WAIT_MS)
    assert chair.locator("#pin").count() == 0  # signed: the form is gone
    chair.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    screenshot(chair, "phone-sign-what-you-see-signed")
    assert errors == [], errors


def the_desk_beside(chromium, base: str, errors: list[str]) -> None:
    """On a tablet the demo request shows its pages wide, the signing form beside them."""
    desk = page_for(chromium, base, "chutich", errors, viewport=TABLET)
    desk.goto(base + "/signing/")
    desk.click(f"text={DEMO_REQUEST}")
    desk.wait_for_selector("canvas.pdf-page[data-page='1'][data-drawn='true']", timeout=WAIT_MS)
    page, panel = (desk.locator(s).bounding_box() for s in ("canvas[data-page='1']", "#sign-panel"))
    assert page["x"] + page["width"] <= panel["x"] and panel["y"] < desk.viewport_size["height"]
    assert page["width"] >= 700, page  # about the width of a printed page
    assert desk.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(desk, "tablet-sign-what-you-see")
    desk.context.close()


def test_a_leader_makes_a_new_certificate_on_a_phone_and_signs_with_its_pin(
    chromium, server, document
):
    """Runs last: chủ tịch's new key (new PIN) replaces the demo one, which no longer signs."""
    base, _env = server
    errors: list[str] = []
    chair = page_for(chromium, base, "chutich", errors)
    chair.goto(base + "/certificates/")
    chair.locator("#enrol summary").click()
    form = chair.locator("form[action$='/certificates/enrol']")
    form.locator("input[name=password]").fill("demo12345")
    form.locator("input[name=pin]").fill("975310")
    form.locator("input[name=pin_again]").fill("975310")
    form.locator("[data-testid=enrol]").click()
    answer_yes(chair)  # "replaces your certificate?", asked in the page
    chair.wait_for_selector(".flash-ok", timeout=WAIT_MS)
    screenshot(chair, "certificate-enrolled-phone")

    url = send(chromium, base, document, "Ký bằng chứng thư mới", errors)
    chair.goto(url)
    sign_with_pin(chair, DEMO_PIN)  # the old PIN opened the old key, now revoked
    chair.wait_for_selector(".sign-message.error", timeout=WAIT_MS)
    errors.clear()  # the refused PIN's 403, logged by the browser
    sign_with_pin(chair, "975310")
    chair.wait_for_selector(".step-signed", timeout=WAIT_MS)

    desk = page_for(chromium, base, "thuky", errors)
    desk.goto(base + "/signing/dashboard/")
    desk.wait_for_selector("svg", timeout=WAIT_MS)
    screenshot(desk, "signing-dashboard-phone")
    assert errors == [], errors
