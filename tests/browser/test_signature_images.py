"""Stamp images in a real browser: a signer photographs their signature on a phone, sees the
preview and saves it; on a tablet a bad photo is refused in place; the admin sets the seal."""

from __future__ import annotations

import pytest

from tests.support.browser import PHONE, TABLET, live_server, poll, screenshot, sign_in
from tests.support.ink_pictures import blank_photo, seal_scan, signature_photo

pytestmark = pytest.mark.browser

# Loaded with a picture in it: waits for a picture still loading (a busy machine is slow to
# draw the preview), answers at once for one already there or broken.
LOADED = """img => img.complete ? img.naturalWidth > 0 : new Promise(done => {
  img.addEventListener("load", () => done(img.naturalWidth > 0));
  img.addEventListener("error", () => done(false));
})"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("signature-images")) as running:
        yield running


@pytest.fixture
def pictures(tmp_path):
    """The files a person picks: a phone photo of a signature, plain paper, a seal scan."""
    files = {
        "signature": signature_photo("vanthu"),
        "blank": blank_photo(),
        "seal": seal_scan(),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / (f"{name}.png" if name == "seal" else f"{name}.jpg")
        paths[name].write_bytes(data)
    return paths


def open_page(chromium, base, username, viewport, path):
    context = chromium.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, username)
    page.goto(base + path)
    return context, page, errors


def fits(page, viewport) -> bool:
    """Nothing wider than the screen once the page has settled (images decoded, laid out)."""
    width = viewport["width"]
    return poll(lambda: page.evaluate("document.documentElement.scrollWidth") <= width, 5)


def test_a_signer_uploads_previews_and_saves_their_signature_on_a_phone(chromium, server, pictures):
    base, _env = server
    context, page, errors = open_page(chromium, base, "vanthu", PHONE, "/certificates/#signature")
    card = page.locator("#signature")
    assert card.get_by_test_id("signature-saved").count() == 0  # the clerk has none yet
    card.get_by_test_id("signature-file").set_input_files(pictures["signature"])
    card.get_by_test_id("signature-upload").click()
    preview = page.get_by_test_id("signature-preview")
    preview.wait_for(timeout=15_000)
    for image in preview.locator("img").all():
        assert image.evaluate(LOADED)
    assert fits(page, PHONE)
    preview.scroll_into_view_if_needed()
    screenshot(page, "phone-signature-preview")

    page.get_by_test_id("signature-save").click()
    saved = page.get_by_test_id("signature-saved")
    saved.wait_for(timeout=10_000)
    assert saved.locator("img").evaluate(LOADED)
    assert page.locator(".flash-ok").first.is_visible()
    assert fits(page, PHONE)
    screenshot(page, "phone-signature-saved")
    assert errors == []
    context.close()


def test_on_a_tablet_a_bad_photo_is_refused_in_place_and_a_good_one_replaces_the_signature(
    chromium, server, pictures
):
    base, _env = server
    context, page, errors = open_page(chromium, base, "chutich", TABLET, "/certificates/#signature")
    saved = page.get_by_test_id("signature-saved")  # the demo gave the chair one
    assert saved.locator("img").evaluate(LOADED)
    before = saved.locator("img").get_attribute("src")
    screenshot(page, "tablet-signature-demo")

    card = page.locator("#signature")
    card.locator("summary").click()  # "Replace it"
    card.get_by_test_id("signature-file").set_input_files(pictures["blank"])
    card.get_by_test_id("signature-upload").click()
    alert = page.locator("#signature .field-error")
    alert.wait_for(timeout=15_000)
    assert alert.is_visible() and alert.inner_text().strip()
    screenshot(page, "tablet-signature-refused")

    page.locator("#signature").get_by_test_id("signature-file").set_input_files(
        pictures["signature"]
    )
    page.locator("#signature").get_by_test_id("signature-upload").click()
    page.get_by_test_id("signature-preview").wait_for(timeout=15_000)
    screenshot(page, "tablet-signature-preview")
    page.get_by_test_id("signature-save").click()
    page.get_by_test_id("signature-saved").wait_for(timeout=10_000)
    after = page.get_by_test_id("signature-saved").locator("img").get_attribute("src")
    assert after != before
    assert errors == []
    context.close()


def test_the_administrator_sets_the_seal_image_at_real_size(chromium, server, pictures):
    base, _env = server
    context, page, errors = open_page(chromium, base, "admin", TABLET, "/certificates/all")
    page.get_by_test_id("seal-link").click()
    page.get_by_test_id("seal-drawn").wait_for()
    page.get_by_test_id("seal-file").set_input_files(pictures["seal"])
    page.fill("input[name=diameter_mm]", "38")
    page.get_by_test_id("seal-upload").click()
    preview = page.get_by_test_id("seal-preview")
    preview.wait_for(timeout=15_000)
    image = preview.locator("img")
    assert image.evaluate(LOADED)
    assert image.bounding_box()["width"] == pytest.approx(38 * 96 / 25.4, abs=1.5)
    screenshot(page, "desktop-seal-preview")
    page.get_by_test_id("seal-save").click()
    page.get_by_test_id("seal-saved").wait_for(timeout=10_000)
    screenshot(page, "desktop-seal-saved")
    context.close()

    context, page, _ = open_page(chromium, base, "admin", PHONE, "/admin/seal")
    assert page.get_by_test_id("seal-saved").locator("img").evaluate(LOADED)
    assert fits(page, PHONE)
    screenshot(page, "phone-seal-saved")
    assert errors == []
    context.close()
