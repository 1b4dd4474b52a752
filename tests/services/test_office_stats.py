"""The leaders' dashboard's office figures: meetings per room and month, attendance and late
arrivals, paper saved, documents signed (Vietnam months)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from meeting_server.extensions import db
from meeting_server.models import (
    AttendanceStatus,
    MeetingStatus,
    RequestStatus,
    SigningRequest,
    SigningStep,
    StepStatus,
)
from meeting_server.services.office_stats import PaperFigures, office_board, paper_of
from meeting_server.services.rooms import create_room
from tests.support.office_rows import Held, add_meeting
from tests.support.people import actor
from tests.support.signing_setup import english

NOW = datetime(2025, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 on 10/03/2025 in Vietnam
JANUARY = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 10, 2, 0, tzinfo=UTC)
PEOPLE = {"an": "Sở Tài chính", "binh": "Sở Tài chính", "cuong": "Sở Y tế", "dung": "Sở Y tế"}


@pytest.fixture
def rooms(app, secretary, chair, create_user) -> Iterator[tuple[int, int]]:
    """Two rooms and four people in two units; yields the rooms' ids in an English context."""
    for username, unit in PEOPLE.items():
        create_user(username, full_name=username.title(), unit=unit)
    for extra in ("giang", "hai", "khoa"):
        create_user(extra, unit="Sở Xây dựng")
    with english(app):
        big = create_room(None, name="Hội trường", location="", seat_count=200)
        small = create_room(None, name="Phòng họp số 1", location="", seat_count=30)
        db.session.commit()
        yield big.id, small.id


def test_meetings_held_count_per_room_in_the_vietnam_month_of_their_start(rooms):
    big, small = rooms
    add_meeting(Held(big, JANUARY))
    add_meeting(Held(big, datetime(2025, 1, 31, 18, 0, tzinfo=UTC)))  # 01:00 on 01/02 in Vietnam
    add_meeting(Held(small, FEBRUARY))
    add_meeting(Held(small, datetime(2024, 12, 31, 17, 0, tzinfo=UTC)))  # 00:00 on 01/01: January
    add_meeting(Held(small, datetime(2024, 12, 31, 16, 0, tzinfo=UTC)))  # 23:00 on 31/12: before
    add_meeting(Held(small, NOW - timedelta(days=2), status=MeetingStatus.PUBLISHED))  # not held
    board = office_board(3, now=NOW)
    assert [(p.label, p.figures) for p in board.months] == [
        ("01/2025", 2),
        ("02/2025", 2),
        ("03/2025", 0),
    ]
    per_room = {row.name: (row.per_month, row.total) for row in board.rooms}
    assert per_room == {"Hội trường": ((1, 1, 0), 2), "Phòng họp số 1": ((1, 1, 0), 2)}
    assert board.meetings_held == 4


def test_attendance_counts_check_ins_and_late_arrivals_after_the_actual_start(rooms):
    big, _small = rooms
    held = Held(
        big,
        FEBRUARY,
        started_late_by=10,  # the chair opened 10 minutes after the scheduled time
        arrivals={
            "an": -8,  # before the actual start (2 minutes after the scheduled one)
            "binh": 5,  # within the 5 minutes' grace
            "cuong": 6,  # late
            "dung": None,  # nothing recorded
            "giang": None,  # absent with a reason
            "hai": 20,  # a deputy arrived, late
            "khoa": 0,  # came, then left before the end
        },
        statuses={
            "giang": AttendanceStatus.ABSENT,
            "hai": AttendanceStatus.DELEGATED,
            "khoa": AttendanceStatus.LEFT,
        },
    )
    add_meeting(held)
    board = office_board(3, now=NOW)
    february = board.attendance[1].figures
    assert (february.meetings, february.invited, february.attended, february.late) == (1, 7, 5, 2)
    assert february.rate == pytest.approx(5 / 7) and february.late_rate == pytest.approx(2 / 5)
    assert board.attendance[0].figures.rate is None  # no meeting in January
    assert board.attendance_total == february


def test_the_unit_filter_keeps_the_units_invitees(rooms):
    big, _small = rooms
    add_meeting(Held(big, FEBRUARY, arrivals={"an": 0, "binh": None, "cuong": 30, "dung": 0}))
    health = office_board(3, unit="Sở Y tế", now=NOW).attendance_total
    assert (health.invited, health.attended, health.late) == (2, 2, 1)
    finance = office_board(3, unit="Sở Tài chính", now=NOW).attendance_total
    assert (finance.invited, finance.attended, finance.late) == (2, 1, 0)
    assert office_board(3, unit="Sở Y tế", now=NOW).meetings_held == 1  # the office's


def test_paper_counts_every_version_for_every_invitee_double_sided(rooms):
    big, small = rooms
    three = {"an": 0, "binh": 0, "cuong": None}
    add_meeting(Held(big, FEBRUARY, arrivals=three, documents=[[5, 4], [1]]))
    add_meeting(Held(small, FEBRUARY, status=MeetingStatus.IN_PROGRESS, documents=[[50]]))
    paper = office_board(3, now=NOW).paper[1].figures
    # 10 pages; a copy is ceil(5/2) + ceil(4/2) + ceil(1/2) = 6 sheets; 3 invitees
    assert paper == PaperFigures(meetings=1, versions=3, pages=10, page_copies=30, sheets=18)
    assert paper.kilograms == pytest.approx(18 * 4.99 / 1000)
    assert paper.reams == pytest.approx(18 / 500)


def test_the_paper_arithmetic_of_one_meeting():
    one = paper_of(versions=2, pages=7, sheets=4, invitees=25)  # 3 + 4 pages: 2 + 2 sheets
    assert (one.page_copies, one.sheets) == (175, 100)
    assert one.kilograms == pytest.approx(0.499)
    assert (one + one).sheets == 200


def _request(status: RequestStatus, finished_at: datetime | None, acted_at: datetime) -> None:
    request = SigningRequest(
        title="Quyết định",
        sender_id=actor().id,
        file_name="qd.pdf",
        source_sha256="0" * 64,
        due_at=acted_at + timedelta(hours=1),
        status=status,
        finished_at=finished_at,
        code=secrets.token_hex(4).upper(),
    )
    step = SigningStep(
        position=0,
        field_name="signer1",
        box_x=0,
        box_y=0,
        box_w=100,
        box_h=50,
        signer_id=actor("chutich").id,
        status=StepStatus.SIGNED,
        pending_since=acted_at - timedelta(hours=3),
        acted_at=acted_at,
    )
    request.steps.append(step)
    db.session.add(request)
    db.session.commit()


def test_documents_signed_count_completed_routes_beside_the_signing_steps(rooms):
    _request(RequestStatus.COMPLETED, FEBRUARY, FEBRUARY)
    _request(RequestStatus.IN_PROGRESS, None, FEBRUARY)
    board = office_board(3, now=NOW)
    february = board.signed[1].figures
    assert (february.documents, february.handled, february.on_time) == (1, 2, 2)
    assert february.rate == 1.0 and board.documents_signed == 1
    assert board.signing.totals.average_hours == pytest.approx(3.0)


def test_the_board_reads_the_same_queries_for_one_meeting_or_many(rooms):
    big, small = rooms

    def statements() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            office_board(3, now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    add_meeting(Held(big, JANUARY, arrivals={"an": 0}, documents=[[3]]))
    one = statements()
    for day in range(1, 6):
        add_meeting(Held(small, FEBRUARY + timedelta(days=day), arrivals={"an": 9, "binh": 0}))
    assert statements() == one <= 16
