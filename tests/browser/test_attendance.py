"""The live attendance board in real Chromium: live check-ins, roll call, door codes, quorum."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import (
    PHONE,
    TABLET,
    first_meeting_of,
    live_server,
    poll,
    screenshot,
    sign_in,
)
from tests.support.browser import signed_in as signed_in_http

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
ARRIVED = ":is([data-status='present'], [data-status='late'])"  # late after 14:05 (demo start)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("attendance-ui")) as running:
        base, _env = running
        yield base, first_meeting_of(base, "daibieu1")


def browser_page(chromium, base, username, errors, viewport=TABLET, **options):
    """Sign ``username`` in (English) in a fresh browser context."""
    page = chromium.new_context(viewport=viewport, locale="en-GB", **options).new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/lang/en?next=/login")
    sign_in(page, base, username)
    return page


def open_board(page, base, meeting_id):
    page.goto(f"{base}/meetings/{meeting_id}/attendance")
    page.wait_for_selector("#live-status[data-state='online']", timeout=WAIT_MS)


def tile(page, name):
    return page.locator(".att-tile", has_text=name)


def csrf_token(http, base) -> str:
    page = http.get(base + "/my", timeout=10).text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def api(http, base, path, body=None) -> dict:
    """POST JSON like the pages do (CSRF token in the X-CSRFToken header)."""
    reply = http.post(
        base + path,
        json=body or {},
        timeout=10,
        headers={"X-CSRFToken": csrf_token(http, base), "Accept": "application/json"},
    )
    assert reply.status_code == 200, reply.text[:300]
    return reply.json()


def test_the_board_follows_check_ins_live_and_takes_the_roll(chromium, server):
    base, meeting_id = server
    errors: list[str] = []
    board = browser_page(chromium, base, "thuky", errors)
    open_board(board, base, meeting_id)
    board.evaluate("window.__sameBoard = true")  # gone if the page reloads
    assert tile(board, "Đỗ Văn An").get_attribute("data-status") == "not_arrived"
    has_detector = board.evaluate("'BarcodeDetector' in window")
    assert board.locator("#scan-camera").is_hidden() == (not has_detector)

    # Another person checks in on their own phone: the board shows it without a reload.
    phone = browser_page(chromium, base, "daibieu1", errors, PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{base}/meetings/{meeting_id}/my-qr")
    assert phone.locator(".att-qr svg.qr").is_visible()
    screenshot(phone, "attendance-my-qr-phone")
    answer = phone.evaluate(
        """async (url) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const reply = await fetch(url, {method: "POST", body: JSON.stringify({online: false}),
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}});
            return reply.json();
        }""",
        f"{base}/tablet/meetings/{meeting_id}/check-in",
    )
    assert answer["ok"] and answer["present"]
    board.wait_for_selector(f".att-tile{ARRIVED}:has-text('Đỗ Văn An')", timeout=5_000)
    assert board.evaluate("window.__sameBoard === true"), "the board was reloaded"

    # Roll call in the browser: absent with a reason, online, a delegation to a typed name.
    tile(board, "Hoàng Thị Bình").click()
    refuse = board.locator("#absent-form button")
    refuse.click()  # no reason: the browser asks for it, nothing is sent
    assert board.locator("#person-panel").is_visible()
    board.fill("#absent-form input[name=reason]", "Nghỉ phép")
    refuse.click()
    board.wait_for_selector(".att-tile[data-status='absent']:has-text('Hoàng Thị Bình')")
    assert "Nghỉ phép" in tile(board, "Hoàng Thị Bình").inner_text()
    tile(board, "Vũ Đức Cường").click()
    board.click("#person-panel [data-action='online']")
    board.wait_for_selector(
        ".att-tile:has-text('Vũ Đức Cường'):is([data-status='online'], [data-status='late'])"
    )
    tile(board, "Ngô Thị Dung").click()
    board.fill("#delegate-form input[name=deputy_name]", "Ông Trần Phó")
    board.fill("#delegate-form input[name=reason]", "Đi công tác")
    board.click("#delegate-form button")
    board.wait_for_selector(".att-tile[data-status='delegated']:has-text('Ngô Thị Dung')")
    assert "Ông Trần Phó" in tile(board, "Ngô Thị Dung").inner_text()

    # The door: a personal code typed by a USB scanner (then Enter), twice.
    code_page = signed_in_http(base, "daibieu5").get(f"{base}/meetings/{meeting_id}/my-qr").text
    code = re.search(r'data-code="([^"]+)"', code_page).group(1)
    board.fill("#scan-code", code)
    board.press("#scan-code", "Enter")
    board.wait_for_selector("#scan-result[data-outcome='ok']", timeout=5_000)
    board.wait_for_selector(f".att-tile{ARRIVED}:has-text('Bùi Quang Huy')")
    board.fill("#scan-code", code)
    board.press("#scan-code", "Enter")
    board.wait_for_selector("#scan-result[data-outcome='already']", timeout=5_000)
    assert "already checked in at" in board.locator("#scan-result").inner_text()
    assert board.locator("#quorum").inner_text().count("/23") == 1
    screenshot(board, "attendance-board")
    assert board.evaluate("window.__sameBoard === true")
    assert errors == []


def test_the_room_code_brings_a_phone_through_sign_in_to_its_check_in(chromium, server):
    base, meeting_id = server
    errors: list[str] = []
    screen = browser_page(chromium, base, "thuky", errors)
    screen.goto(f"{base}/meetings/{meeting_id}/attendance/room-qr")
    assert screen.locator(".att-room-figure svg.qr").is_visible()
    assert screen.locator(".topbar").is_hidden()
    screenshot(screen, "attendance-room-qr")
    url = screen.locator(".att-room-url code").inner_text()
    assert url.startswith(f"{base}/meetings/{meeting_id}/check-in/")

    phone = chromium.new_context(viewport=PHONE, locale="en-GB", is_mobile=True).new_page()
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(url)  # what the phone's camera opens
    assert "/login" in phone.url
    phone.fill("input[name=username]", "daibieu6")
    phone.fill("input[name=password]", "demo12345")
    phone.click("form button.primary")
    phone.wait_for_load_state()
    assert phone.url == url
    phone.click(".att-door-button")
    phone.wait_for_selector(".flash-ok")
    screenshot(phone, "attendance-door-phone")
    assert errors == []


def test_the_quorum_alarm_appears_when_someone_leaves(chromium, server):
    base, meeting_id = server
    errors: list[str] = []
    board = browser_page(chromium, base, "thuky", errors)
    open_board(board, base, meeting_id)
    desk = signed_in_http(base, "thuky")
    state = desk.get(f"{base}/meetings/{meeting_id}/attendance/state", timeout=10).json()
    missing = state["quorum"]["required"] - state["quorum"]["present"]
    waiting = [
        p for p in state["people"] if p["status"] == "not_arrived" and p["counts_toward_quorum"]
    ]
    for row in waiting[:missing]:
        api(
            desk,
            base,
            f"/meetings/{meeting_id}/attendance/{row['invitation_id']}",
            {"action": "present"},
        )
    board.wait_for_selector("#quorum.met", timeout=5_000)
    api(desk, base, f"/tablet/meetings/{meeting_id}/start")
    board.wait_for_selector("#meeting-status .badge-in_progress", timeout=5_000)
    assert board.locator("#quorum-alarm").is_hidden()

    leaving = waiting[0]
    api(
        desk,
        base,
        f"/meetings/{meeting_id}/attendance/{leaving['invitation_id']}",
        {"action": "leave"},
    )
    board.wait_for_selector("#quorum-alarm:not([hidden])", timeout=5_000)
    assert board.locator("#quorum-alarm").get_attribute("role") == "alert"
    assert (
        board.locator(f".att-tile[data-invitation-id='{leaving['invitation_id']}']").get_attribute(
            "data-status"
        )
        == "left"
    )
    screenshot(board, "attendance-board-alarm")

    phone = browser_page(chromium, base, "chutich", errors, PHONE, is_mobile=True, has_touch=True)
    open_board(phone, base, meeting_id)
    assert phone.locator("#quorum-alarm").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the board is {width}px wide on a phone"
    screenshot(phone, "attendance-board-phone")
    assert poll(lambda: errors == [], 0.1), errors
