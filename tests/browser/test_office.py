"""The leaders' dashboard in real Chromium: a leader opens it on a phone and on a tablet
after a year of meetings and tasks; nothing is wider than the screen, the charts draw, and
the pages are saved (tests/artifacts/office-*.png) for a person to look at."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.browser import ARTIFACTS, PHONE, TABLET, live_server, screenshot, sign_in

pytestmark = pytest.mark.browser

UNITS = ("Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Xây dựng", "Sở Y tế")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("office")) as running:
        seed_a_year(running[1])
        yield running


def seed_a_year(env: dict[str, str]) -> None:
    """Write a year of meetings held (with check-ins and documents) and their tasks."""
    from meeting_server import create_app
    from meeting_server.extensions import db
    from meeting_server.models import Room
    from tests.support.office_rows import Held, add_meeting, add_task

    keys = ("DATABASE_URL", "STORAGE_DIR", "SECRET_KEY")
    app = create_app({key: env[f"MEETING_{key}"] for key in keys})
    rng = random.Random(16)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        rooms = list(db.session.scalars(select(Room.id)))
        for week in range(1, 50, 2):
            start = now - timedelta(weeks=week, hours=2)
            arrivals = {f"daibieu{n}": rng.choice((-10, 0, 3, 12, None)) for n in range(1, 11)}
            documents = [[rng.randint(2, 30)] for _ in range(3)]
            meeting = add_meeting(Held(rng.choice(rooms), start, arrivals, documents))
            for number in range(4):
                due = start.date() + timedelta(days=rng.randint(7, 45))
                add_task(meeting.id, **_task(rng, due, now, number))


def _task(rng: random.Random, due: date, now: datetime, number: int) -> dict:
    """A task due ``due``: done on time or late, reported, or open, for one of four units."""
    fields: dict = {"deadline": due, "unit": UNITS[number], "assignee": f"daibieu{number + 1}"}
    reported = datetime(due.year, due.month, due.day, 3, tzinfo=UTC)
    reported += timedelta(days=rng.choice((-5, -1, 0, 2, 9)))
    if reported < now - timedelta(days=1) and rng.random() < 0.85:
        fields.update(reported_at=reported, done_at=reported + timedelta(days=1))
    if rng.random() < 0.1:
        fields["first_deadline"] = due - timedelta(days=10)
    return fields


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("tablet", TABLET)])
def test_a_leader_reads_the_dashboard(chromium, server, name, viewport):
    base, _env = server
    context = chromium.new_context(viewport=viewport, locale="vi-VN", is_mobile=name == "phone")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "chutich")
    page.goto(base + "/office/")
    assert page.locator("h1").count() == 1
    assert page.locator("svg.chart").count() == 6
    assert page.locator(".chart .bar").count() > 40
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], (
        f"the page is {width} px wide on a {viewport['width']} px screen"
    )
    screenshot(page, f"office-{name}")
    page.locator("details.chart-data").first.locator("summary").click()
    assert page.locator("details.chart-data[open] table tbody tr").count() == 12
    assert errors == []
    context.close()


def test_an_admin_sets_the_target_on_a_phone(chromium, server):
    base, _env = server
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    sign_in(page, base, "admin")
    page.goto(base + "/office/?months=6")
    form = page.locator("form.office-target")
    form.locator("input[name=target]").fill("120")
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".office-target .field-error").count() == 1
    assert page.locator("input[name=target]").input_value() == "120"
    page.locator("#target").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "office-target-refused.png"))
    page.locator("input[name=target]").fill("90")
    page.locator("form.office-target button").click()
    page.wait_for_load_state()
    assert "/office/?months=6" in page.url
    assert page.locator(".flash-ok").count() == 1
    assert "90" in page.locator("#task-months text.target-label").text_content()
    context.close()
