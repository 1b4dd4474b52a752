"""After the meeting, in real Chromium: the secretary drafts the conclusion notice from the
minutes and assigns two tasks; the chair signs on a phone and the clerk seals; the head of
one unit accepts, reports progress and reports done with the result on a phone; the chair
confirms; the leaders' dashboard counts the task done on time. Screenshots are kept."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.browser import (
    PHONE,
    TABLET,
    answer_yes,
    first_meeting_of,
    live_server,
    screenshot,
    sign_in,
)
from tests.support.pdf_samples import simple_pdf

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
DEMO_PIN = "123456"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("conclusion-tasks")) as running:
        yield running


def held_with_conclusions(base: str, env: dict[str, str]) -> tuple[int, str, list[tuple[str, str]]]:
    """Hold the demo's meeting and write its conclusions; return its id, a deadline, and the
    (unit, name) of daibieu1 and daibieu2, who will be in charge of the two tasks."""
    from meeting_server import create_app
    from meeting_server.extensions import db
    from meeting_server.models import Meeting, User
    from meeting_server.services.minutes import save_draft
    from meeting_server.services.presentations import end_meeting, start_meeting
    from meeting_server.services.tasks import vietnam_today

    meeting_id = first_meeting_of(base, "thuky")
    keys = ("DATABASE_URL", "STORAGE_DIR", "CA_DIR", "CA_PASSPHRASE_FILE", "PUBLIC_URL")
    app = create_app({key: env[f"MEETING_{key}"] for key in (*keys, "SECRET_KEY")})
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(select(User))}
        meeting = db.session.get_one(Meeting, meeting_id)
        start_meeting(people["chutich"], meeting)
        end_meeting(people["chutich"], meeting)
        conclusions = (
            "1. Rà soát, bố trí kinh phí sửa chữa trụ sở làm việc.\n"
            "2. Hoàn thành giải phóng mặt bằng tuyến đường Tôn Đức Thắng.\n"
            "3. Các đơn vị nghiêm túc thực hiện."
        )
        save_draft(people["thuky"], meeting, conclusions)
        db.session.commit()
        heads = [(people[n].unit, people[n].full_name) for n in ("daibieu1", "daibieu2")]
        return meeting_id, (vietnam_today() + timedelta(days=10)).isoformat(), heads


def page_for(chromium, base: str, username: str, errors: list[str], viewport=PHONE):
    page = chromium.new_context(viewport=viewport, locale="vi-VN").new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, username)
    return page


def assign(desk, row: int, unit: str, person: str, deadline: str, result: str) -> None:
    item = desk.locator("[data-testid=notice-item]").nth(row)
    item.locator("select[name=item_unit]").select_option(unit)
    item.locator("select[name=item_assignee]").select_option(label=person)
    item.locator("input[name=item_deadline]").fill(deadline)
    item.locator("input[name=item_result]").fill(result)


def issue_the_notice(chromium, base, errors, meeting_id, deadline, heads):
    desk = page_for(chromium, base, "thuky", errors, viewport=TABLET)
    desk.goto(f"{base}/meetings/{meeting_id}/conclusions")
    desk.click("[data-testid=start-notice]")
    assert (
        desk.locator("[data-testid=notice-item] textarea")
        .first.input_value()
        .startswith("Rà soát, bố trí kinh phí")
    )
    assign(desk, 0, *heads[0], deadline, "Báo cáo đề xuất phương án kinh phí")
    assign(desk, 1, *heads[1], deadline, "Bàn giao mặt bằng")
    desk.click("[data-testid=save-notice]")
    desk.wait_for_selector(".flash", timeout=WAIT_MS)
    screenshot(desk, "conclusion-notice-editor-desktop")
    desk.click("[data-testid=send-notice]")
    answer_yes(desk)
    desk.wait_for_selector("[data-testid=route]", timeout=WAIT_MS)
    url = desk.url
    chair = page_for(chromium, base, "chutich", errors)
    chair.goto(url)
    chair.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    chair.fill("#pin", DEMO_PIN)
    chair.click("[data-testid=sign]")
    chair.wait_for_selector(".step-signed >> nth=0", timeout=WAIT_MS)
    clerk = page_for(chromium, base, "vanthu", errors, viewport=TABLET)
    clerk.goto(url)
    assert re.search(r"\d\d/TB-UBND", clerk.locator("[data-testid=register-next]").inner_text())
    clerk.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    clerk.fill("#pin", DEMO_PIN)
    clerk.click("[data-testid=sign]")
    clerk.wait_for_selector("[data-testid=request-status].badge-request-completed", timeout=WAIT_MS)
    return chair


def test_a_notice_becomes_tasks_that_a_unit_finishes_on_a_phone(chromium, server, tmp_path):
    base, env = server
    errors: list[str] = []
    meeting_id, deadline, heads = held_with_conclusions(base, env)
    before = dashboard_rate(chromium, base, errors)
    chair = issue_the_notice(chromium, base, errors, meeting_id, deadline, heads)

    head = page_for(chromium, base, "daibieu1", errors)
    head.goto(f"{base}/tasks/")
    assert head.locator("[data-testid=menu-unread]").inner_text() == "1"  # on the menu button
    row = head.locator(".task-row", has_text="Rà soát, bố trí kinh phí")
    assert heads[0][0] in row.inner_text()
    screenshot(head, "tasks-list-phone")
    row.locator("a.task-title").click()
    head.click("[data-testid=accept-task]")
    head.fill("input[name=percent]", "50")
    head.fill("textarea[name=text] >> nth=0", "Đã khảo sát hiện trạng trụ sở.")
    head.click("[data-testid=report-progress]")
    head.wait_for_selector("[data-testid=task-progress]:has-text('50 %')", timeout=WAIT_MS)
    result = tmp_path / "bao-cao-ket-qua.pdf"
    result.write_bytes(simple_pdf(2, "Bao cao ket qua"))
    head.locator("summary", has_text=re.compile("Báo cáo hoàn thành|Report done")).click()
    head.set_input_files("[data-testid=result-files]", str(result))
    head.click("[data-testid=report-done]")
    head.wait_for_selector("[data-testid=task-status].task-reported", timeout=WAIT_MS)
    screenshot(head, "task-reported-phone")
    task_url = head.url

    chair.goto(task_url)
    chair.click("[data-testid=confirm-task]")
    chair.wait_for_selector("[data-testid=task-status].task-done", timeout=WAIT_MS)
    assert "bao-cao-ket-qua.pdf" in chair.locator("[data-testid=task-history]").inner_text()
    screenshot(chair, "task-done-phone")
    after = dashboard_rate(chromium, base, errors, unit=heads[0][0])
    assert before == "–" and "100" in after, (before, after)
    assert errors == [], errors


def dashboard_rate(chromium, base: str, errors: list[str], unit: str = "") -> str:
    """Return the tasks' on-time rate the leaders' dashboard shows (for ``unit``) on a phone."""
    leader = page_for(chromium, base, "phochutich", errors)
    leader.goto(f"{base}/office/" + (f"?unit={unit}" if unit else ""))
    rate = leader.locator("[data-testid=tile-task-rate]").inner_text().strip()
    if unit:
        screenshot(leader, "office-after-a-task-phone")
    leader.context.close()
    return rate
