"""The secretary's whole preparation flow in real headless Chromium against a live server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import pdf_samples
from tests.support.browser import PHONE, TABLET, live_server, poll, screenshot, sign_in

pytestmark = pytest.mark.browser

# Records the browser's own upload progress events in sessionStorage (the page reloads after).
RECORD_UPLOAD_PROGRESS = """
const send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (body) {
  this.upload.addEventListener("progress", (e) => {
    const seen = JSON.parse(sessionStorage.getItem("uploadProgress") || "[]");
    seen.push(e.loaded / e.total);
    sessionStorage.setItem("uploadProgress", JSON.stringify(seen));
  });
  return send.call(this, body);
};
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live")) as running:
        yield running


def tomorrow_at(hour: int) -> str:
    vietnam_now = datetime.now(UTC) + timedelta(hours=7)
    return (vietnam_now + timedelta(days=1)).strftime(f"%Y-%m-%dT{hour:02d}:00")


def test_secretary_prepares_publishes_and_only_invitees_see_it(chromium, server, tmp_path):
    base, _env = server
    secretary = chromium.new_context(viewport=TABLET, locale="vi-VN")
    secretary.add_init_script(RECORD_UPLOAD_PROGRESS)
    page = secretary.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "thuky")
    screenshot(page, "secretary-schedule-tablet")

    # Create the meeting in room 2 tomorrow, chaired by the chair.
    page.click("a[href='/meetings/new']")
    page.fill("input[name=title]", "Họp chuyên đề chuyển đổi số")
    room_value = page.eval_on_selector(
        "select[name=room_id]",
        "s => [...s.options].find(o => o.text.startsWith('Phòng họp số 2')).value",
    )
    page.select_option("select[name=room_id]", room_value)
    page.fill("input[name=starts_at]", tomorrow_at(9))
    page.fill("input[name=ends_at]", tomorrow_at(11))
    chair_value = page.eval_on_selector(
        "select[name=chair_id]",
        "s => [...s.options].find(o => o.text.startsWith('Trần Văn Minh')).value",
    )
    page.select_option("select[name=chair_id]", chair_value)
    page.click("form button.primary")
    page.wait_for_selector("#participants")
    meeting_url = page.url

    # Invite two participants picked from the list (using the filter box).
    for name in ("Đỗ Văn An", "Hoàng Thị Bình"):
        page.fill("input.js-filter", name.split()[-1].lower())
        page.locator("label.person", has_text=name).locator("input").check()
    page.fill("input.js-filter", "")
    page.click("form.picker button.primary")
    page.wait_for_load_state()
    participants = page.locator("#participants table").inner_text()
    assert "Đỗ Văn An" in participants and "Hoàng Thị Bình" in participants

    # Two agenda items.
    for title in ("Báo cáo tiến độ chuyển đổi số", "Kế hoạch năm 2027"):
        details = page.locator("details.add-item")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        page.fill("details.add-item input[name=title]", title)
        page.click("details.add-item button.primary")
        page.wait_for_load_state()
    items = page.locator("li[data-item-id]")
    assert items.count() == 2

    # Drag the second item above the first; the order is saved and survives a reload.
    with (
        page.expect_navigation(),  # the page reloads itself once the order is saved
        page.expect_response(lambda r: r.url.endswith("/items/order")) as saved,
    ):
        items.nth(1).locator(".handle").drag_to(items.nth(0).locator(".agenda-title"))
    assert saved.value.ok
    titles = page.locator("li[data-item-id] .agenda-title").all_inner_texts()
    assert titles == ["Kế hoạch năm 2027", "Báo cáo tiến độ chuyển đổi số"]
    page.locator("li[data-item-id]").nth(1).locator("button[title]").first.click()  # ▲ back up
    page.wait_for_load_state()
    titles = page.locator("li[data-item-id] .agenda-title").all_inner_texts()
    assert titles == ["Báo cáo tiến độ chuyển đổi số", "Kế hoạch năm 2027"]
    first_item = items.first.get_attribute("data-item-id")

    # Upload a PDF over a throttled link so the progress bar really moves.
    cdp = secretary.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": 400 * 1024,
        },
    )
    pdf = tmp_path / "bao-cao-tien-do.pdf"
    pdf.write_bytes(pdf_samples.bulky_pdf(kilobytes=900, pages=4))
    page.set_input_files(f"input[data-testid=upload-{first_item}]", str(pdf))
    page.locator(f"li[data-item-id='{first_item}'] form.upload-form button").click()
    bar = f"li[data-item-id='{first_item}'] form.upload-form progress"
    # Polled from Python: our Content-Security-Policy forbids the eval behind wait_for_function.
    moving = "p => !p.hidden && p.value > 0 && p.value < 100"
    assert poll(lambda: page.locator(bar).evaluate(moving), seconds=10), "the bar never moved"
    screenshot(page, "secretary-upload-progress")
    page.wait_for_selector(f"li[data-item-id='{first_item}'] .document", timeout=30000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('uploadProgress') || '[]')")
    assert any(0 < fraction < 1 for fraction in seen) and seen[-1] == 1, seen
    document = page.locator(f"li[data-item-id='{first_item}'] .document").first
    assert "bao-cao-tien-do.pdf" in document.inner_text() and "v1" in document.inner_text()

    # Replace it: a new version, the old one kept and listed.
    replacement = tmp_path / "bao-cao-tien-do-sua.pdf"
    replacement.write_bytes(pdf_samples.simple_pdf(pages=6, text="Ban sua"))
    page.set_input_files("input[data-testid^=replace-]", str(replacement))
    page.wait_for_selector(".document .badge:text('v2')", timeout=15000)
    assert page.locator("details.versions").count() == 1
    page.click("details.versions summary")
    earlier = page.locator("details.versions").inner_text()
    assert "v1" in earlier and "bao-cao-tien-do.pdf" in earlier

    page.click("[data-testid=publish]")
    page.wait_for_load_state()
    assert page.locator("h1 .badge-published").count() == 1
    screenshot(page, "secretary-meeting-published-tablet")
    assert console_errors == []  # no script errors, no Content-Security-Policy violations

    # An invited participant on a phone sees the meeting, agenda and document.
    phone = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    participant = phone.new_page()
    sign_in(participant, base, "daibieu1")
    assert "Họp chuyên đề chuyển đổi số" in participant.content()
    participant.goto(meeting_url)
    text = participant.locator("main").inner_text()
    assert "Báo cáo tiến độ chuyển đổi số" in text and "Kế hoạch năm 2027" in text
    link = participant.locator("a.doc-title").first.get_attribute("href")
    pdf_response = participant.request.get(base + link)
    assert pdf_response.status == 200 and pdf_response.body() == replacement.read_bytes()
    screenshot(participant, "participant-meeting-phone")

    # Someone not invited gets a clear refusal.
    outsider = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    sign_in(outsider, base, "daibieu3")
    response = outsider.goto(meeting_url)
    assert response.status == 403
    assert "Họp chuyên đề" not in outsider.content()
    assert outsider.request.get(base + link).status == 403
    screenshot(outsider, "outsider-refused")
