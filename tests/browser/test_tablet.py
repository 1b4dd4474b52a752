"""The tablet in real Chromium: following the presenter, reading tools, notes, restarts."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from tests.support import pdf_samples
from tests.support.browser import (
    PHONE,
    TABLET,
    answer_yes,
    free_port,
    live_server,
    open_tablet,
    poll,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("tablet-ui")) as running:
        yield running


def page_number(page) -> int:
    return int(page.locator("#page-number").input_value())


def test_the_tablet_follows_the_presenter_page_by_page(chromium, server):
    base, _env = server
    errors: list[str] = []
    chair = open_tablet(chromium, base, "chutich", errors)
    chair.click("#start-meeting")
    chair.wait_for_selector("#end-meeting:visible", timeout=WAIT_MS)
    reader = open_tablet(chromium, base, "daibieu1", errors, meeting_url=chair.url)
    assert reader.locator("#meeting-status .badge-in_progress").count() == 1

    chair.locator(".doc-open").first.click()
    chair.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    title = chair.locator("#doc-title").inner_text()
    chair.click("#present")
    assert poll(lambda: reader.locator("#doc-title").inner_text() == title, 5)
    reader.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    assert reader.locator("#sync-text").inner_text() != ""  # "following the presenter"

    for expected in (2, 3):
        chair.click("#next-page")
        started = time.monotonic()
        assert poll(lambda expected=expected: page_number(reader) == expected, 2), (
            f"the tablet stayed on page {page_number(reader)}"
        )
        print(f"page {expected} followed in {(time.monotonic() - started) * 1000:.0f} ms")
    chair.click("#zoom-in")
    assert poll(lambda: reader.locator("#zoom-label").inner_text() == "125%", 2)
    screenshot(chair, "tablet-presenter")
    screenshot(reader, "tablet-following")

    reader.click("#stop-following")
    chair.click("#prev-page")
    assert poll(lambda: page_number(chair) == 2, 2)
    time.sleep(0.8)
    assert page_number(reader) == 3, "a reader who stopped following was moved"
    assert reader.locator("#catch-up").is_visible()
    screenshot(reader, "tablet-reading-alone")
    reader.click("#catch-up")
    assert poll(lambda: page_number(reader) == 2, 2)
    assert errors == []


def test_reading_tools_search_thumbnails_and_private_notes(chromium, server):
    base, _env = server
    errors: list[str] = []
    reader = open_tablet(chromium, base, "daibieu2", errors)
    reader.locator(".doc-open").first.click()
    reader.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)

    reader.fill("#search-input", "giai ngan")  # without accents, finds "giải ngân"
    reader.click("#search-next")
    # "2/8": a match of several (counted from the page shown) once the text is searched
    assert poll(lambda: re.fullmatch(r"\d+/\d+", reader.locator("#search-result").inner_text()), 5)
    assert poll(lambda: reader.locator(".textLayer .highlight").count() > 0, 5)
    print("search:", reader.locator("#search-result").inner_text())

    reader.click("#toggle-thumbs")
    first_thumb = reader.locator(".thumb img").first
    assert poll(lambda: first_thumb.evaluate("img => img.complete && img.naturalWidth") == 160, 10)
    reader.locator(".thumb").nth(2).click()
    assert poll(lambda: page_number(reader) == 3, 2)

    reader.click("#toggle-notes")
    reader.fill("#note-text", "Hỏi lại Sở Tài chính về số liệu giải ngân")
    reader.locator("#note-text").blur()
    assert poll(lambda: reader.locator("#note-status").inner_text() != "", 5)
    screenshot(reader, "tablet-notes-thumbnails")
    reader.reload()
    reader.wait_for_selector("#live-status[data-state='online']", timeout=WAIT_MS)
    reader.locator(".doc-open").first.click()
    reader.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    reader.locator("#page-number").fill("3")
    reader.locator("#page-number").dispatch_event("change")
    assert poll(lambda: page_number(reader) == 3, 2)
    assert poll(lambda: reader.locator("#note-text").input_value().startswith("Hỏi lại"), 5)
    assert errors == []


def test_the_meeting_screen_reads_on_a_phone(chromium, server):
    base, _env = server
    errors: list[str] = []
    phone = chromium.new_context(
        viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True
    ).new_page()
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(phone, base, "daibieu4")
    phone.goto(base + "/tablet")
    phone.locator("a.tablet-card").first.click()
    phone.wait_for_selector("#live-status[data-state='online']", timeout=WAIT_MS)
    topbar = phone.locator(".topbar").bounding_box()
    assert topbar["height"] <= 64, "the top bar takes more than one line on a phone"
    assert "Ngô Thị Dung" in phone.locator("#menu-toggle").inner_text()  # who is signed in
    phone.click("#tab-agenda")  # (the document tab shows first while someone presents)
    phone.locator(".doc-open").first.click()
    phone.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    assert phone.locator("#tab-reader").get_attribute("aria-selected") == "true"
    assert not phone.locator("#agenda-live").is_visible()  # one tab at a time
    phone.click("#more-tools")  # the other tools wait behind "⋯"
    phone.click("#zoom-fit")  # the presenter may be zoomed in; fit the phone's width
    assert poll(lambda: phone.locator("#zoom-label").inner_text() == "100%", 2)
    phone.click("#more-tools")
    page_box = phone.locator(".pdfViewer .page").first.bounding_box()
    assert page_box["width"] <= PHONE["width"], "the page does not fit the phone's width"
    shown = phone.locator(".viewer-wrap").bounding_box()
    assert shown["height"] >= 0.6 * PHONE["height"], f"the document gets {shown['height']} px"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "phone-meeting-screen")

    reading = page_number(phone)
    phone.click("#tab-agenda")
    assert phone.locator("#agenda-live .agenda-item").first.is_visible()
    assert not phone.locator(".viewer-wrap").is_visible()
    screenshot(phone, "phone-meeting-agenda")
    phone.click("#tab-conduct")
    assert phone.locator("#conduct-panel").is_visible()
    screenshot(phone, "phone-meeting-conduct")
    phone.click("#tab-reader")
    assert phone.locator(".viewer-wrap").is_visible()
    assert page_number(phone) == reading  # the document stayed open behind the other tabs
    assert errors == []


def add_document_elsewhere(env: dict[str, str], pdf_path: str) -> None:
    """Add a PDF to the sample meeting's first item from another process (another worker)."""
    script = (
        "from meeting_server import create_app\n"
        "from meeting_server.extensions import db\n"
        "from meeting_server.models import Meeting, User\n"
        "from meeting_server.services.documents import add_document\n"
        "from sqlalchemy import select\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    meeting = db.session.scalars(select(Meeting)).first()\n"
        "    actor = db.session.scalars(select(User).where(User.username == 'thuky')).one()\n"
        f"    with open({pdf_path!r}, 'rb') as f:\n"
        "        add_document(actor, meeting.agenda_items[0], stream=f, filename='bo-sung.pdf')\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)


def test_after_a_server_restart_the_tablet_resyncs_with_nothing_lost(
    chromium, tmp_path_factory, tmp_path
):
    instance, port = tmp_path_factory.mktemp("tablet-restart"), free_port()
    errors: list[str] = []
    with live_server(instance, port=port) as (base, env):
        reader = open_tablet(chromium, base, "daibieu1", errors)
        reader.evaluate("window.__sameDocument = true")  # gone if the page reloads
        before = reader.locator(".document").count()
    assert poll(lambda: reader.locator("#live-status").get_attribute("data-state") == "offline", 5)
    screenshot(reader, "tablet-server-down")
    pdf = tmp_path / "bo-sung.pdf"
    pdf.write_bytes(pdf_samples.simple_pdf(pages=2, text="Bo sung"))
    add_document_elsewhere(env, str(pdf))  # changed while this tablet could not hear it

    with live_server(instance, port=port, seed_demo=False, name="restarted"):
        reader.wait_for_selector("#live-status[data-state='online']", timeout=15_000)
        reader.wait_for_selector(".document .badge-new", timeout=WAIT_MS)
        assert reader.locator(".document").count() == before + 1
        assert "bo-sung" in reader.locator("#agenda-live").inner_text()
        assert reader.evaluate("window.__sameDocument === true"), "the tablet page was reloaded"
        screenshot(reader, "tablet-resynced")
    errors = [e for e in errors if "ERR_CONNECTION_REFUSED" not in e and "WebSocket" not in e]
    assert errors == []


def cached_urls(page) -> list[str]:
    """Return what the tablet keeps for offline reading (every Cache Storage entry)."""
    return page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )


def cached_documents(page) -> int:
    return len([url for url in cached_urls(page) if url.endswith("/file")])


def test_a_document_once_opened_stays_readable_offline(chromium, server):
    base, _env = server
    errors: list[str] = []
    reader = open_tablet(chromium, base, "daibieu3", errors)
    reader.locator(".doc-open").first.click()
    reader.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    documents = reader.locator(".doc-open").count()
    assert poll(lambda: cached_documents(reader) >= documents, 10), "documents were not kept"

    reader.context.set_offline(True)
    assert poll(lambda: reader.locator("#live-status").get_attribute("data-state") == "offline", 10)
    reader.locator(".doc-open").nth(1).click()  # never opened before: read from the cache
    assert poll(lambda: reader.locator("#reader-empty").is_hidden(), 5)
    assert reader.locator("#page-count").inner_text() != "–"
    screenshot(reader, "tablet-offline")
    reader.context.set_offline(False)
    reader.wait_for_selector("#live-status[data-state='online']", timeout=15_000)
    errors = [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e and "WebSocket" not in e]
    assert errors == []


def test_a_revoked_tablet_is_disconnected_and_forgets_its_documents(chromium, server):
    base, _env = server
    admin = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    sign_in(admin, base, "admin")
    admin.goto(base + "/admin/devices")
    admin.select_option("select[name=room_id]", label="Phòng họp số 1")
    admin.fill("input[name=seat]", "4")  # daibieu1's seat in the sample meeting
    admin.fill("input[name=name]", "Máy tính bảng 4")
    admin.locator("form[action$='/admin/devices'] button.primary").click()
    admin.locator("form[action$='/code'] button").click()
    code = admin.locator(".pairing-code").get_attribute("data-code")
    screenshot(admin, "admin-device-pairing-code")

    errors: list[str] = []
    tablet = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    tablet.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tablet.goto(f"{base}/tablet/pair?code={code}")
    tablet.locator("button.pair-button").click()
    tablet.wait_for_url(f"{base}/tablet")
    tablet.locator("a.tablet-card").first.click()
    tablet.wait_for_selector("#live-status[data-state='online']", timeout=WAIT_MS)
    assert "Đỗ Văn An" in tablet.locator(".tablet-side-head").inner_text()  # daibieu1's seat
    tablet.locator(".doc-open").first.click()
    tablet.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    assert poll(lambda: cached_documents(tablet) > 0, 10)
    screenshot(tablet, "tablet-paired-device")

    admin.locator("form[action$='/revoke'] button").click()
    answer_yes(admin)  # "Remove this tablet?", asked in the page
    started = time.monotonic()
    # disconnected: offline, or already showing the server's "removed" page
    assert poll(lambda: tablet.locator("#live-status[data-state='online']").count() == 0, 5)
    tablet.wait_for_load_state()
    assert poll(lambda: tablet.locator("h1").first.inner_text() != "", 5)
    print(f"revoked tablet disconnected in {(time.monotonic() - started) * 1000:.0f} ms")
    assert poll(lambda: cached_urls(tablet) == [], 5), "the revoked tablet kept documents"
    assert tablet.evaluate("localStorage.length") == 0, tablet.evaluate("{...localStorage}")
    assert poll(lambda: tablet.locator("#tablet").count() == 0, 5)  # the "removed" page instead
    assert not [c for c in tablet.context.cookies() if c["name"] == "meeting_device"]
    screenshot(tablet, "tablet-revoked")


def test_an_upload_appears_on_the_tablet_within_two_seconds(chromium, server, tmp_path):
    base, _env = server
    errors: list[str] = []
    reader = open_tablet(chromium, base, "daibieu5", errors)
    reader.evaluate("window.__sameDocument = true")  # gone if the page reloads
    before = reader.locator(".document").count()
    desk = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    sign_in(desk, base, "thuky")
    desk.goto(reader.url.replace("/tablet/meetings/", "/meetings/"))
    item = desk.locator("li[data-item-id]").nth(1).get_attribute("data-item-id")
    pdf = tmp_path / "to-trinh-bo-sung.pdf"
    pdf.write_bytes(pdf_samples.simple_pdf(pages=2, text="To trinh bo sung"))
    desk.set_input_files(f"input[data-testid=upload-{item}]", str(pdf))
    with desk.expect_response(lambda r: r.url.endswith("/documents")) as uploaded:
        desk.locator(f"li[data-item-id='{item}'] form.upload-form button").click()
    assert uploaded.value.status == 201
    started = time.monotonic()
    reader.wait_for_selector(".document .badge-new", timeout=2000)
    print(f"upload shown on the tablet {(time.monotonic() - started) * 1000:.0f} ms after it")
    assert reader.locator(".document").count() == before + 1
    assert reader.evaluate("window.__sameDocument === true"), "the tablet page was reloaded"
    screenshot(reader, "tablet-new-document")
    assert errors == []


# Last in this module: it ends the sample meeting.
def test_ending_the_meeting_empties_the_tablets_cache(chromium, server):
    base, _env = server
    errors: list[str] = []
    reader = open_tablet(chromium, base, "daibieu6", errors)
    reader.locator(".doc-open").first.click()
    reader.wait_for_selector("#page-count:text('3')", timeout=WAIT_MS)
    assert poll(lambda: cached_documents(reader) > 0, 10)
    chair = open_tablet(chromium, base, "chutich", errors, meeting_url=reader.url)
    chair.click("#end-meeting")
    answer_yes(chair)
    reader.wait_for_selector("#meeting-status .badge-ended", timeout=WAIT_MS)
    assert reader.locator("#tablet-message").is_visible()
    assert poll(lambda: cached_documents(reader) == 0, 5), "documents stayed after the end"
    screenshot(reader, "tablet-meeting-ended")
    assert errors == []
