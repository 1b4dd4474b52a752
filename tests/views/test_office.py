"""The leaders' dashboard page: who may see it, its CSV files and workbook, the target form."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from meeting_server.extensions import db
from meeting_server.i18n import to_local
from meeting_server.models import OfficeSetting, Role, utcnow
from meeting_server.services.rooms import create_room
from meeting_server.services.task_stats import TARGET_KEY
from tests.support.clients import fetch, signed_in
from tests.support.office_rows import Held, add_meeting, add_task
from tests.support.signing_setup import english

SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FORMULA_UNIT = '=HYPERLINK("http://x")'


@pytest.fixture
def office(app, secretary, chair, participant, admin, create_user) -> Iterator[None]:
    """A meeting held today in "Hội trường" with a 4-page document for 3 invitees (one late,
    one absent), and tasks: Sở Tài chính one on time and one overdue, a unit whose name looks
    like a formula one done late."""
    create_user("binh", full_name="Hoàng Thị Bình", unit="Sở Tài chính")
    now = utcnow()
    with english(app):
        today = to_local(now).date()
        room = create_room(None, name="Hội trường", location="", seat_count=200)
        db.session.commit()
        arrivals = {"daibieu1": 0, "binh": 30, "chutich": None}
        meeting = add_meeting(Held(room.id, now - timedelta(hours=3), arrivals, [[4]]))
        due = today.replace(day=1)
        add_task(
            meeting.id,
            deadline=due,
            assignee="binh",
            reported_at=now - timedelta(days=40),
            done_at=now,
        )
        if today.day > 1:
            add_task(meeting.id, deadline=due)  # overdue since the 2nd
        else:
            add_task(meeting.id, deadline=due - timedelta(days=1))  # overdue since yesterday
        late = due - timedelta(days=1)
        add_task(meeting.id, deadline=late, unit=FORMULA_UNIT, reported_at=now, done_at=now)
        yield


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> dict[str, list[list[str]]]:
    """Return each sheet's rows of cell texts, read from the workbook's XML (no library)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    names = [
        s.get("name")
        for s in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(f"{SHEET}sheet")
    ]
    shared = [
        "".join(t.text or "" for t in item.iter(f"{SHEET}t"))
        for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{SHEET}si")
    ]
    sheets = {}
    for number, name in enumerate(names, 1):
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{number}.xml"))
        assert not list(root.iter(f"{SHEET}f")), f"a formula in {name}"
        sheets[name] = [
            [_text(cell, shared) for cell in row.iter(f"{SHEET}c")]
            for row in root.iter(f"{SHEET}row")
        ]
    return sheets


def _text(cell: ElementTree.Element, shared: list[str]) -> str:
    value = cell.find(f"{SHEET}v")
    if value is None:
        return ""
    return shared[int(value.text)] if cell.get("t") == "s" else value.text


# --- who may see it -----------------------------------------------------------------------------


PATHS = ("/office/", "/office/nhiem-vu-theo-don-vi.csv", "/office/workbook.xlsx")


def test_a_participant_is_refused_and_a_visitor_sent_to_sign_in(app, office):
    http = signed_in(app, "daibieu1")
    for path in PATHS:
        assert fetch(http, path).status_code == 403
    assert http.post("/office/target", data={"target": "90"}).status_code == 403
    visitor = app.test_client().get("/office/")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]


@pytest.mark.parametrize("username", ["chutich", "thuky", "admin"])
def test_leaders_the_office_and_admins_see_the_page(app, office, username):
    http = signed_in(app, username)
    html = http.get("/office/").get_data(as_text=True)
    assert "Leaders' dashboard" in html and 'data-testid="nav-office"' in html
    assert html.count("<svg") == 6  # tasks per month, per unit, rooms, attendance, paper, signed
    assert "Target 85%" in html and "css/office.css" in html
    for path in PATHS[1:]:
        assert fetch(http, path).status_code == 200
    assert ('id="target"' in html) == (username == "admin")


def test_the_page_shows_the_figures_and_says_how_they_are_counted(app, office):
    html = signed_in(app, "chutich").get("/office/").get_data(as_text=True)
    tile = re.search(r'data-testid="tile-task-rate">(.*?)</strong>', html, re.S).group(1)
    assert "33.3%" in tile  # 1 on time of 3 done or overdue
    assert re.search(r'data-testid="tile-overdue">\s*1\s*<', html)
    assert re.search(r'data-testid="tile-meetings">\s*1\s*<', html)
    assert "66.7%" in html  # attendance: 2 of 3
    assert "1 late arrivals of 2" in html
    assert "0.0 kg" in html and "6 A4 sheets" in html  # 2 sheets for each of 3 invitees
    assert "An overdue task counts against the rate at once" in html
    assert "=HYPERLINK(&#34;http://x&#34;)" in html  # escaped, never live


def test_the_page_takes_a_filter_and_ignores_nonsense(app, office):
    http = signed_in(app, "thuky")
    page = http.get("/office/?unit=Sở Tài chính&months=60")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Showing unit: Sở Tài chính" in html
    assert "50.0%" in html  # the unit's tasks: 1 on time of 2
    assert http.get("/office/?months=abc&unit=").status_code == 200
    assert http.get("/office/?months=-4").status_code == 200


# --- CSV and the workbook -----------------------------------------------------------------------


def test_the_units_csv_has_the_counts_and_no_live_formula(app, office):
    http = signed_in(app, "chutich")
    rows = read_csv(fetch(http, "/office/nhiem-vu-theo-don-vi.csv"))
    by_unit = {row["Đơn vị chủ trì"]: row for row in rows}
    finance = by_unit["Sở Tài chính"]
    assert (finance["Tổng số nhiệm vụ"], finance["Hoàn thành đúng hạn"]) == ("2", "1")
    assert (finance["Quá hạn chưa hoàn thành"], finance["Tỷ lệ đúng hạn (%)"]) == ("1", "50.0")
    assert by_unit["'" + FORMULA_UNIT]["Hoàn thành trễ hạn"] == "1"


def test_each_table_has_its_csv_and_an_unknown_one_is_not_found(app, office):
    http = signed_in(app, "chutich")
    paper = read_csv(fetch(http, "/office/giay.csv"))
    assert paper[-1]["Tháng"] == "Cả kỳ" and paper[-1]["Số tờ A4 (in hai mặt)"] == "6"
    rooms = read_csv(fetch(http, "/office/phong-hop.csv?months=3"))
    assert rooms[0]["Phòng họp"] == "Hội trường" and rooms[0]["Tổng"] == "1"
    attendance = read_csv(fetch(http, "/office/du-hop.csv"))
    assert attendance[-1]["Lượt dự họp"] == "2" and attendance[-1]["Lượt đến muộn"] == "1"
    response = fetch(http, "/office/du-hop.csv")
    assert "bao-cao-lanh-dao-du-hop-" in response.headers["Content-Disposition"]
    assert fetch(http, "/office/khong-co.csv").status_code == 404


def test_the_workbook_has_a_sheet_per_table_with_the_figures(app, office):
    response = fetch(signed_in(app, "thuky"), "/office/workbook.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith(".sheet")
    assert ".xlsx" in response.headers["Content-Disposition"]
    sheets = read_xlsx(response.data)
    assert list(sheets) == [
        "Nhiệm vụ theo tháng",
        "Nhiệm vụ theo đơn vị",
        "Tỷ lệ đúng hạn đơn vị-tháng",
        "Nhiệm vụ theo người phụ trách",
        "Nhiệm vụ theo lãnh đạo giao",
        "Nhiệm vụ theo cuộc họp",
        "Cuộc họp theo phòng",
        "Dự họp",
        "Tiết kiệm giấy",
        "Ký số",
    ]
    units = sheets["Nhiệm vụ theo đơn vị"]
    assert units[0][:3] == ["STT", "Đơn vị chủ trì", "Tổng số nhiệm vụ"]
    finance = next(row for row in units if row[1] == "Sở Tài chính")
    assert finance[2:5] == ["2", "1", "0"] and finance[-1] == "50"
    assert any(row[1] == FORMULA_UNIT for row in units)  # text, as typed
    people = {row[1]: row[2] for row in sheets["Nhiệm vụ theo người phụ trách"][1:]}
    assert people == {"Hoàng Thị Bình": "1", "(chưa giao người phụ trách)": "2"}


# --- the target ---------------------------------------------------------------------------------


def test_an_admin_sets_the_target_and_the_page_follows(app, office):
    http = signed_in(app, "admin")
    answer = http.post("/office/target", data={"target": "90", "months": "6"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/office/?months=6")
    html = http.get("/office/?months=6").get_data(as_text=True)
    assert "The on-time target for tasks is now 90%." in html and "Target 90%" in html
    assert (
        fetch(http, "/office/nhiem-vu-theo-thang.csv").data.decode("utf-8-sig").count(",90.0") >= 12
    )


@pytest.mark.parametrize("typed", ["abc", "150", "0", "85.5", ""])
def test_a_wrong_target_is_refused_with_a_clear_message(app, office, typed):
    answer = signed_in(app, "admin").post("/office/target", data={"target": typed})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "Enter the on-time target as a whole percentage from 1 to 100." in html
    assert 'class="field-error"' in html and "Target 85%" in html
    with app.app_context():
        assert db.session.get(OfficeSetting, TARGET_KEY) is None


def test_only_an_admin_sets_the_target(app, office, create_user):
    create_user("phochutich", Role.LEADER, Role.SECRETARY)
    for username in ("chutich", "thuky", "phochutich"):
        assert (
            signed_in(app, username).post("/office/target", data={"target": "50"}).status_code
            == 403
        )
    with app.app_context():
        assert db.session.get(OfficeSetting, TARGET_KEY) is None
