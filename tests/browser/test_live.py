"""Live updates in real Chromium: a participant's open meeting page follows the secretary."""

from __future__ import annotations

import time

import pytest

from tests.support import pdf_samples
from tests.support.browser import TABLET, live_server, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live-ui")) as running:
        yield running


def test_a_new_document_appears_on_the_tablet_without_a_reload(chromium, server, tmp_path):
    base, _env = server
    tablet = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    errors = []
    tablet.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(tablet, base, "daibieu1")
    tablet.locator("a.meeting-card").first.click()
    tablet.wait_for_selector(".live-status[data-state='online']", timeout=10000)
    tablet.evaluate("window.__sameDocument = true")  # disappears if the page reloads
    before = tablet.locator(".document").count()

    desk = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    sign_in(desk, base, "thuky")
    desk.goto(base + tablet.url.removeprefix(base))
    item = desk.locator("li[data-item-id]").first.get_attribute("data-item-id")
    pdf = tmp_path / "phu-luc-moi.pdf"
    pdf.write_bytes(pdf_samples.simple_pdf(pages=2, text="Phu luc moi"))
    desk.set_input_files(f"input[data-testid=upload-{item}]", str(pdf))
    with desk.expect_response(lambda r: r.url.endswith("/documents")) as uploaded:
        desk.locator(f"li[data-item-id='{item}'] form.upload-form button").click()
    assert uploaded.value.status == 201
    started = time.monotonic()

    tablet.wait_for_selector(".document .badge-new", timeout=2000)
    elapsed = time.monotonic() - started
    assert tablet.locator(".document").count() == before + 1
    assert tablet.evaluate("window.__sameDocument === true"), "the tablet page was reloaded"
    assert "phu-luc-moi" in tablet.locator("#agenda-live").inner_text()
    screenshot(tablet, "tablet-live-new-document")
    assert errors == []
    print(f"document visible on the tablet {elapsed * 1000:.0f} ms after the upload answered")
