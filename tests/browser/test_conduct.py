"""Running a meeting in real Chromium: three tablets check in, vote live, the quorum alarm."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from tests.support.browser import (
    PHONE,
    TABLET,
    answer_yes,
    live_server,
    open_tablet,
    poll,
    screenshot,
    sign_in,
    signed_in,
)

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
#: Finalising renders the minutes and their extract in sandboxed children, one after the other;
#: on a CI machine whose other worker is signing, that alone has taken more than 10 s.
RENDER_WAIT_MS = 45_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("conduct-ui")) as running:
        yield running


def roll_call_present(base: str, meeting_id: int, count: int) -> None:
    """As ``thuky``, mark ``count`` invitees who have not checked in as present (roll call)."""
    desk = signed_in(base, "thuky")
    page = desk.get(f"{base}/meetings/{meeting_id}/attendance", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    state = desk.get(f"{base}/meetings/{meeting_id}/attendance/state", timeout=10).json()
    waiting = [
        p for p in state["people"] if p["status"] == "not_arrived" and p["counts_toward_quorum"]
    ]
    for person in waiting[:count]:
        reply = desk.post(
            f"{base}/meetings/{meeting_id}/attendance/{person['invitation_id']}",
            json={"action": "present"},
            headers={"X-CSRFToken": token},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text[:300]


def quorum_text(page) -> str:
    return page.locator("#quorum-line").inner_text()


def test_three_tablets_check_in_vote_live_and_the_quorum_alarm_rings(chromium, server):
    base, _env = server
    errors: list[str] = []
    chair = open_tablet(chromium, base, "chutich", errors)
    meeting_id = int(re.search(r"/meetings/(\d+)", chair.url).group(1))
    chair.click("#start-meeting")
    chair.wait_for_selector("#end-meeting:visible", timeout=WAIT_MS)
    first = open_tablet(chromium, base, "daibieu1", errors, meeting_url=chair.url)
    second = open_tablet(chromium, base, "daibieu2", errors, chair.url, viewport=PHONE)

    for tablet in (chair, first, second):
        tablet.click("#check-in")
        tablet.wait_for_selector("#my-attendance[data-status='present']", timeout=WAIT_MS)
    assert poll(lambda: quorum_text(chair).startswith("Có mặt: 3/"), 5), quorum_text(chair)
    assert chair.locator("#quorum-alarm").is_visible()  # 3 of 23 members: no quorum yet
    # the chair's controls (end, alarm, vote form, speakers) never squeeze the agenda
    assert chair.locator(".agenda-title").first.bounding_box()["width"] >= 250
    assert chair.locator("#agenda-live").bounding_box()["height"] >= 250
    required = int(re.search(r"cần (\d+)", quorum_text(chair)).group(1))
    roll_call_present(base, meeting_id, required - 3)  # exactly the quorum
    assert poll(lambda: not chair.locator("#quorum-alarm").is_visible(), 5)

    chair.click("#tab-conduct")  # the chair's vote form shares a tab with speaking
    chair.locator("#vote-form summary").click()
    chair.fill("#vote-question-input", "Thông qua dự thảo kế hoạch?")
    chair.locator("#vote-form button[type=submit]").click()
    for tablet in (first, second):
        tablet.wait_for_selector("#vote-box:visible", timeout=WAIT_MS)
        assert "Thông qua dự thảo kế hoạch?" in tablet.locator("#vote-question").inner_text()
    assert poll(lambda: count_of(chair) == f"Đã biểu quyết: 0/{required}", 5), count_of(chair)

    first.locator(".vote-option", has_text="Đồng ý").first.click()
    assert "Đồng ý" in first.locator("#ask-text").inner_text()  # asked in the page, not confirm()
    screenshot(first, "conduct-ballot-confirm")
    answer_yes(first)
    assert poll(lambda: count_of(chair).startswith("Đã biểu quyết: 1"), 5), count_of(chair)
    assert poll(lambda: count_of(second).startswith("Đã biểu quyết: 1"), 5)
    second.locator(".vote-option", has_text="Không đồng ý").click()
    answer_yes(second)
    assert poll(lambda: count_of(chair).startswith("Đã biểu quyết: 2"), 5), count_of(chair)
    assert first.locator(".vote-option").first.is_disabled()  # a ballot is final
    screenshot(chair, "conduct-vote-open-chair")
    screenshot(second, "conduct-vote-phone")

    chair.click("#close-vote")
    answer_yes(chair)
    for tablet in (chair, first, second):
        tablet.wait_for_selector("#vote-results:visible", timeout=WAIT_MS)
        counts = tablet.locator(".result-count").all_inner_texts()
        assert counts == ["1", "1", "0"], counts
        verdict = tablet.locator("#results-verdict").inner_text()  # 1 of 2 ballots: a tie
        assert verdict.startswith("Không thông qua: 1/2") and "cần 2" in verdict, verdict
    screenshot(first, "conduct-vote-results")

    second.click("#check-out")
    answer_yes(second)
    second.wait_for_selector("#my-attendance[data-status='left']", timeout=WAIT_MS)
    chair.wait_for_selector("#quorum-alarm:visible", timeout=WAIT_MS)
    assert "Không đủ" in chair.locator("#quorum-alarm").inner_text()
    assert not first.locator("#quorum-alarm").is_visible()  # the alarm is for the conductors
    screenshot(chair, "conduct-quorum-alarm")
    assert errors == [], errors


def count_of(page) -> str:
    return page.locator("#vote-count").inner_text()


def test_a_participant_asks_to_speak_and_the_chair_gives_the_floor(chromium, server):
    base, _env = server
    errors: list[str] = []
    chair = open_tablet(chromium, base, "chutich", errors)
    member = open_tablet(chromium, base, "daibieu3", errors, meeting_url=chair.url)
    for page in (chair, member):
        page.click("#tab-conduct")
    member.fill("#speak-topic", "Ý kiến về tiến độ giải ngân")
    member.click("#raise-hand")
    chair.wait_for_selector(".speaker-waiting:has-text('Ý kiến về tiến độ')", timeout=WAIT_MS)
    chair.locator(".speaker-waiting button.primary").click()
    member.wait_for_selector(".speaker-speaking", timeout=WAIT_MS)
    screenshot(chair, "conduct-speaking-queue")
    chair.locator(".speaker-speaking button").click()
    member.wait_for_selector("#speaking-empty:visible", timeout=WAIT_MS)
    assert errors == [], errors


def test_a_state_read_before_a_vote_opened_does_not_hide_the_vote(chromium, server):
    """A slow state read that left before ``vote_opened`` and answers after it keeps the vote.

    The member's own check-in names them in its notice: their tablet reads its state again;
    the vote notice arrives meanwhile and is applied after that (older) read.
    """
    base, _env = server
    errors: list[str] = []
    chair = open_tablet(chromium, base, "chutich", errors)
    member = open_tablet(
        chromium, base, "daibieu4", errors, meeting_url=chair.url, service_workers="block"
    )
    held = []  # (route, response): state reads answered only when the test says so
    member.route("**/state", lambda route: held.append((route, route.fetch())))
    # checking in or out: its notice names the member, whose tablet reads its state again
    if member.locator("#check-in").is_visible():
        member.click("#check-in")
    else:
        member.click("#check-out")
        answer_yes(member)
    for _ in range(250):
        if held:
            break
        member.wait_for_timeout(20)
    assert held, "the attendance notice did not make the tablet read its state"

    chair.click("#tab-conduct")
    chair.locator("#vote-form summary").click()
    chair.fill("#vote-question-input", "Thông qua kế hoạch vốn?")
    chair.locator("#vote-form button[type=submit]").click()
    chair.wait_for_selector("#vote-box:visible", timeout=WAIT_MS)
    member.wait_for_timeout(500)  # the vote notice has reached the member, who is reading
    for route, response in held:  # the old state arrives after the vote notice
        route.fulfill(response=response)
    member.unroute("**/state")
    member.wait_for_selector("#vote-box:visible", timeout=WAIT_MS)
    assert member.locator("#vote-box").is_visible()
    assert "Thông qua kế hoạch vốn?" in member.locator("#vote-question").inner_text()

    chair.click("#close-vote")
    answer_yes(chair)
    member.wait_for_selector("#vote-results:visible", timeout=WAIT_MS)
    assert errors == [], errors


def test_the_secretary_finalises_the_minutes_after_the_meeting(chromium, server):
    """Runs after the vote: end the meeting, write the conclusions, finalise, read the PDF."""
    base, _env = server
    errors: list[str] = []
    chair = open_tablet(chromium, base, "chutich", errors)
    meeting_id = int(re.search(r"/meetings/(\d+)", chair.url).group(1))
    chair.click("#end-meeting")
    answer_yes(chair)
    chair.wait_for_selector("#meeting-status .badge-ended", timeout=WAIT_MS)

    desk = chromium.new_context(viewport=TABLET, locale="vi-VN").new_page()
    desk.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(desk, base, "thuky")
    desk.goto(f"{base}/meetings/{meeting_id}")
    desk.click("[data-testid=minutes-link]")
    desk.fill("#conclusions", "Thông qua dự thảo kế hoạch.\n\nGiao Văn phòng hoàn thiện hồ sơ.")
    desk.click("[data-testid=save-draft]")
    desk.wait_for_load_state()
    preview = desk.context.request.get(f"{base}/meetings/{meeting_id}/minutes/preview.pdf")
    assert preview.ok and preview.body().startswith(b"%PDF")
    desk.click("[data-testid=finalise]")
    answer_yes(desk, WAIT_MS)  # "Finalise the minutes?": the PDFs are made before it closes
    digest = desk.wait_for_selector(
        "[data-testid=minutes-sha256]", timeout=RENDER_WAIT_MS
    ).inner_text()
    screenshot(desk, "minutes-final")

    final = desk.context.request.get(f"{base}/meetings/{meeting_id}/minutes.pdf")
    assert final.ok and hashlib.sha256(final.body()).hexdigest() == digest
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(final.body())).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "BIÊN BẢN" in flat and "Thông qua dự thảo kế hoạch?" in flat  # the vote
    assert "KHÔNG THÔNG QUA: 1/2 đồng ý, cần 2" in flat  # and its verdict
    assert "Rời cuộc họp" in flat  # daibieu2 left early
    assert "Giao Văn phòng hoàn thiện hồ sơ." in flat
    hashes = re.findall(r"[0-9a-f]{64}", text.replace("\n", ""))
    assert hashes, "no document SHA-256 in the minutes"
    assert errors == [], errors
