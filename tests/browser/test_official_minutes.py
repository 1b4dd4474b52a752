"""The demo's minutes become an official document in real Chromium: the secretary sends them,
the chair and the secretary sign on phones, the clerk sees the number the seal will give and
seals on a desktop; the final PDF shows the stamps in the THƯ KÝ and CHỦ TRÌ blocks with the
seal over the chair's, "Số: 01/BB-UBND" and the date of issue, is B-LTA, and poppler, pyHanko
and our validator all say valid. The rendered pages are saved for a person to look at."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.browser import (
    ARTIFACTS,
    PHONE,
    TABLET,
    cli,
    first_meeting_of,
    live_server,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
DEMO_PIN = "123456"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("official-minutes")) as running:
        yield running


def held_and_finalised(base: str, env: dict[str, str]) -> tuple[int, int]:
    """Hold the demo's meeting and finalise its minutes (the meeting itself is another test's
    story: tests/browser/test_conduct.py); return (meeting id, minutes id)."""
    from meeting_server import create_app
    from meeting_server.extensions import db
    from meeting_server.models import Meeting, User
    from meeting_server.services.minutes import finalise_minutes, save_draft
    from meeting_server.services.presentations import end_meeting, start_meeting

    meeting_id = first_meeting_of(base, "thuky")
    keys = ("DATABASE_URL", "STORAGE_DIR", "CA_DIR", "CA_PASSPHRASE_FILE", "PUBLIC_URL")
    app = create_app({key: env[f"MEETING_{key}"] for key in (*keys, "SECRET_KEY")})
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(select(User))}
        meeting = db.session.get_one(Meeting, meeting_id)
        start_meeting(people["chutich"], meeting)
        end_meeting(people["chutich"], meeting)
        save_draft(people["thuky"], meeting, "Thống nhất thông qua kế hoạch năm 2027.")
        minutes = finalise_minutes(people["thuky"], meeting)
        db.session.commit()
        return meeting_id, minutes.id


def page_for(chromium, base: str, username: str, errors: list[str], viewport=PHONE):
    page = chromium.new_context(viewport=viewport, locale="vi-VN").new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, username)
    return page


def sign_with_pin(page) -> None:
    page.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    page.fill("#pin", DEMO_PIN)
    page.click("[data-testid=sign]")


def test_the_demo_minutes_are_signed_numbered_and_sealed_as_decree_30_says(
    chromium, server, tmp_path
):
    base, env = server
    errors: list[str] = []
    _meeting_id, minutes_id = held_and_finalised(base, env)

    desk = page_for(chromium, base, "thuky", errors, viewport=TABLET)
    desk.goto(f"{base}/signing/new?minutes={minutes_id}")
    desk.click("[data-testid=send]")
    desk.wait_for_selector("[data-testid=route]", timeout=WAIT_MS)
    url = desk.url

    for signed, username in enumerate(("chutich", "thuky")):
        leader = page_for(chromium, base, username, errors)
        leader.goto(url)
        sign_with_pin(leader)  # then their own step shows signed, after the ones before it
        leader.wait_for_selector(f".step-signed >> nth={signed}", timeout=WAIT_MS)
        leader.context.close()

    clerk = page_for(chromium, base, "vanthu", errors, viewport=TABLET)
    clerk.goto(url)
    next_number = clerk.locator("[data-testid=register-next]").inner_text()
    assert "01/BB-UBND" in next_number, next_number
    sign_with_pin(clerk)
    clerk.wait_for_selector("[data-testid=request-status].badge-request-completed", timeout=WAIT_MS)
    assert "01/BB-UBND" in clerk.locator("[data-testid=register-number]").inner_text()
    pdf = tmp_path / "bien-ban.pdf"
    with clerk.expect_download() as download:
        clerk.click("[data-testid=download]")
    download.value.save_as(pdf)
    look_at_the_signed_pages(clerk, "official-minutes-desktop")

    phone = page_for(chromium, base, "thuky", errors)
    phone.goto(url)
    look_at_the_signed_pages(phone, "official-minutes-phone")

    first_page = pdftotext(pdf, 1)
    assert "Số: 01/BB-UBND" in first_page, first_page
    assert re.search(r"ngày \d\d tháng \d\d năm \d{4}", first_page), first_page
    check_every_validator(pdf, env)
    assert errors == [], errors


def look_at_the_signed_pages(page, name: str) -> None:
    """Screenshot the document's first and last page as the app shows them."""
    page.wait_for_selector("canvas.pdf-page[data-drawn='true']", timeout=WAIT_MS)
    sheets = page.locator(".pdf-sheet")
    for index, label in ((0, "first"), (sheets.count() - 1, "last")):
        sheet = sheets.nth(index)
        sheet.scroll_into_view_if_needed()
        page.wait_for_function(
            "el => el.querySelector('canvas.pdf-page[data-drawn=\"true\"]')",
            arg=sheet.element_handle(),
            timeout=WAIT_MS,
        )
        ARTIFACTS.mkdir(exist_ok=True)
        sheet.screenshot(path=str(ARTIFACTS / f"{name}-{label}-page.png"))
    screenshot(page, name)


def pdftotext(pdf: Path, page: int) -> str:
    number = str(page)
    text = subprocess.run(
        ["pdftotext", "-f", number, "-l", number, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return " ".join(text.split())


def check_every_validator(pdf: Path, env: dict[str, str]) -> None:
    """poppler, pyHanko's CLI (AdES, with the LTA's validation data) and ours: all valid."""
    pdfsig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
    assert pdfsig.stdout.count("Signature Validation: Signature is Valid.") == 3, pdfsig.stdout
    assert pdfsig.stdout.count("Signature #") == 4  # and the document timestamp (B-LTA)
    report = cli(env, "verify", "--lang", "en", str(pdf))
    assert report.count("Valid:") == 3 and "B-LTA" in report, report
    pyhanko = Path(sys.executable).with_name("pyhanko")
    root = Path(env["MEETING_CA_DIR"]) / "root.pem"
    answer = subprocess.run(
        [
            str(pyhanko),
            "sign",
            "adesverify",
            "--trust",
            str(root),
            "--trust-replace",
            "--pretty-print",
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert answer.count("The signature is judged VALID.") == 3, answer
