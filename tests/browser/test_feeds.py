"""Calendar feeds in a real browser: a participant makes their address on a phone, copies it,
and a calendar client reads it; an admin makes and turns off a room's on a tablet."""

from __future__ import annotations

import pytest
import requests
from icalendar import Calendar

from tests.support.browser import (
    PHONE,
    TABLET,
    answer_yes,
    first_meeting_of,
    live_server,
    poll,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

CLIPBOARD = ["clipboard-read", "clipboard-write"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("calendar-feeds")) as running:
        yield running


def open_page(chromium, base, username, viewport):
    context = chromium.new_context(viewport=viewport, locale="vi-VN", permissions=CLIPBOARD)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, username)
    return context, page, errors


def fits(page, viewport) -> bool:
    width = viewport["width"]
    return poll(lambda: page.evaluate("document.documentElement.scrollWidth") <= width, 5)


def calendar_at(address: str) -> Calendar:
    """Read the address as a calendar app does (no cookies) and parse it."""
    answer = requests.get(address, timeout=10)
    assert answer.status_code == 200, answer.status_code
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(answer.content)


def test_a_participant_makes_copies_and_subscribes_to_their_address_on_a_phone(chromium, server):
    base, _env = server
    context, page, errors = open_page(chromium, base, "daibieu1", PHONE)
    page.click("#menu-toggle")
    page.get_by_test_id("nav-calendar").click()
    page.get_by_test_id("feed-none").wait_for()
    page.get_by_test_id("feed-create").click()

    field = page.get_by_test_id("feed-address")
    field.wait_for()
    address = field.input_value()
    assert address.startswith(base + "/feeds/") and address.endswith(".ics")
    webcal = page.get_by_test_id("feed-webcal").get_attribute("href")
    assert webcal == "webcal://" + address.split("://", 1)[1]
    page.get_by_test_id("feed-copy").click()
    assert poll(lambda: page.get_by_test_id("feed-copied").inner_text() != "", 5)
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert fits(page, PHONE)
    screenshot(page, "phone-calendar-address")

    calendar = calendar_at(page.evaluate("navigator.clipboard.readText()"))
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert f"meeting-{first_meeting_of(base, 'daibieu1')}@127.0.0.1" in uids

    page.get_by_test_id("feed-create").click()  # a new address: asked first, the old one stops
    with page.expect_navigation():
        answer_yes(page)
    assert page.get_by_test_id("feed-address").input_value() != address
    assert requests.get(address, timeout=10).status_code == 404
    page.goto(base + "/my/calendar")  # shown once: later, when it was made, not the address
    assert page.get_by_test_id("feed-address").count() == 0
    assert page.get_by_test_id("feed-status").is_visible()
    assert fits(page, PHONE)
    screenshot(page, "phone-calendar-later")
    assert errors == []
    context.close()


def test_an_admin_makes_and_turns_off_a_rooms_address_on_a_tablet(chromium, server):
    base, _env = server
    context, page, errors = open_page(chromium, base, "admin", TABLET)
    page.goto(base + "/admin/rooms")
    page.get_by_test_id("room-calendar").first.click()
    page.get_by_test_id("feed-create").click()
    address = page.get_by_test_id("feed-address").input_value()
    assert calendar_at(address).walk("VCALENDAR")
    assert fits(page, TABLET)
    screenshot(page, "tablet-room-calendar")

    page.get_by_test_id("feed-revoke").click()
    with page.expect_navigation():
        answer_yes(page)
    page.locator(".flash-ok").wait_for()
    assert page.get_by_test_id("feed-none").is_visible()
    assert requests.get(address, timeout=10).status_code == 404
    screenshot(page, "tablet-room-calendar-off")
    assert errors == []
    context.close()
