"""Exports: the attendance sheet (CSV, PDF) and the vote results (CSV) for the secretariat."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from meeting_server.extensions import db
from meeting_server.i18n import to_local
from meeting_server.models import CheckInMethod
from meeting_server.services import attendance, votes
from meeting_server.services.participants import invite_users
from meeting_server.services.presentations import end_meeting, start_meeting
from tests.support.clients import fetch, signed_in
from tests.support.people import actor, invitation

BOM = "\ufeff".encode()


@pytest.fixture(autouse=True)
def english(published_meeting):
    """Read the pages in English (the msgids)."""
    with force_locale("en"):
        yield


@pytest.fixture
def voted_meeting(published_meeting, create_user):
    """The meeting ended after an open and a secret vote; one invitee typed a formula as a name
    and another gave a formula as the reason for their absence."""
    meeting, desk, chair = published_meeting, actor(), actor("chutich")
    trickster = create_user("tinhnghich", full_name='=HYPERLINK("http://x","Bấm")')
    invite_users(desk, meeting, [actor(trickster.username)])
    attendance.record_absence(desk, invitation(meeting, "daibieu3"), "@SUM(1+1)")
    start_meeting(desk, meeting)
    for name in ("chutich", "daibieu1", "daibieu2"):
        attendance.check_in(desk, invitation(meeting, name), method=CheckInMethod.TABLET)
    item = meeting.agenda_items[0]
    named = votes.open_vote(chair, item, "Thông qua báo cáo?")
    for name, choice in (("chutich", 0), ("daibieu1", 0), ("daibieu2", 2)):
        votes.cast_ballot(actor(name), named, choice)
    votes.close_vote(chair, named)
    secret = votes.open_vote(chair, item, "-Bầu tổ trưởng?", secret=True)
    for name, choice in (("chutich", 1), ("daibieu1", 0)):
        votes.cast_ballot(actor(name), secret, choice)
    votes.close_vote(chair, secret)
    end_meeting(chair, meeting)
    db.session.commit()
    return meeting


def csv_rows(response) -> list[dict[str, str]]:
    """Parse a CSV download (after checking its byte-order mark) into rows by header."""
    assert response.data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_attendance_csv_is_utf8_with_bom_vietnamese_headers_and_local_times(app, voted_meeting):
    response = fetch(signed_in(app, "thuky"), f"/meetings/{voted_meeting.id}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="diem-danh-cuoc-hop-{voted_meeting.id}-'
    )
    rows = csv_rows(response)
    by_name = {row["Họ và tên"]: row for row in rows}
    assert len(rows) == len(voted_meeting.invitations)
    chair = by_name["Trần Văn Minh"]
    assert (chair["Vai trò"], chair["Trạng thái"], chair["Hình thức điểm danh"]) == (
        "Chủ trì",
        "Có mặt",
        "Máy tính bảng",
    )
    record = attendance.attendance_of(invitation(voted_meeting, "chutich"))
    assert chair["Giờ đến"] == to_local(record.checked_in_at).strftime("%d/%m/%Y %H:%M")
    assert by_name["Daibieu3"]["Trạng thái"] == "Vắng mặt"
    assert by_name["Khach"]["Trạng thái"] == "Không điểm danh"
    assert by_name["Khach"]["Tính túc số"] == "Không"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(app, voted_meeting):
    desk = signed_in(app, "thuky")
    rows = csv_rows(fetch(desk, f"/meetings/{voted_meeting.id}/attendance.csv"))
    names = [row["Họ và tên"] for row in rows]
    assert '\'=HYPERLINK("http://x","Bấm")' in names
    assert {row["Lý do"] for row in rows} >= {"'@SUM(1+1)"}
    questions = {
        row["Câu hỏi"] for row in csv_rows(fetch(desk, f"/meetings/{voted_meeting.id}/votes.csv"))
    }
    assert questions == {"Thông qua báo cáo?", "'-Bầu tổ trưởng?"}


def test_vote_csv_names_voters_of_open_votes_only(app, voted_meeting):
    response = fetch(signed_in(app, "chutich"), f"/meetings/{voted_meeting.id}/votes.csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    named = [row for row in rows if row["Biểu quyết số"] == "1"]
    results = {row["Phương án"]: row["Số phiếu"] for row in named if row["Loại dòng"] == "Kết quả"}
    assert results == {"Đồng ý": "2", "Không đồng ý": "0", "Không biểu quyết": "1"}
    ballots = {
        row["Người biểu quyết"]: row["Phương án"] for row in named if row["Loại dòng"] == "Phiếu"
    }
    assert ballots == {
        "Trần Văn Minh": "Đồng ý",
        "Daibieu1": "Đồng ý",
        "Daibieu2": "Không biểu quyết",
    }
    assert {(row["Số đã biểu quyết"], row["Số có quyền biểu quyết"]) for row in named} == {
        ("3", "3")
    }
    secret = [row for row in rows if row["Biểu quyết số"] == "2"]
    assert {row["Loại dòng"] for row in secret} == {"Kết quả"}
    assert all(row["Người biểu quyết"] == "" for row in secret)
    assert [row["Số phiếu"] for row in secret] == ["1", "1", "0"]
    assert secret[0]["Hình thức"] == "Bỏ phiếu kín"


def test_attendance_pdf_lists_everyone_with_status_and_quorum(app, voted_meeting):
    response = fetch(signed_in(app, "thuky"), f"/meetings/{voted_meeting.id}/attendance.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "DANH SÁCH ĐIỂM DANH" in text and "DỰ THẢO" not in text
    for expected in ("Trần Văn Minh", "Daibieu2", "Có mặt", "Vắng mặt", "@SUM(1+1)"):
        assert expected in text
    # The invitee with the formula for a name is a member too: 3 of 6 are not enough.
    assert "3/6 thành viên tính túc số có mặt (cần tối thiểu 4) - không đủ túc số" in text


def test_exports_are_for_the_secretariat_and_the_chair(app, voted_meeting):
    urls = [
        f"/meetings/{voted_meeting.id}/{name}"
        for name in ("attendance.csv", "attendance.pdf", "votes.csv")
    ]
    member, outsider = signed_in(app, "daibieu1"), signed_in(app, "phogiamdoc")
    for url in urls:
        assert fetch(member, url).status_code == 403
        assert fetch(outsider, url).status_code == 403
    assert fetch(signed_in(app, "chutich"), urls[0]).status_code == 200


def test_the_meeting_pages_link_to_the_record(app, voted_meeting):
    page = signed_in(app, "thuky").get(f"/meetings/{voted_meeting.id}").text
    assert f'href="/meetings/{voted_meeting.id}/minutes"' in page
    assert f'href="/meetings/{voted_meeting.id}/attendance"' in page  # the attendance board
    for name in ("attendance.csv", "attendance.pdf", "votes.csv"):
        assert f"/meetings/{voted_meeting.id}/{name}" in page
    member_page = signed_in(app, "daibieu1").get(f"/meetings/{voted_meeting.id}").text
    assert "/minutes" not in member_page and "attendance.csv" not in member_page
