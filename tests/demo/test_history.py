"""The demo's last four months: meetings held in every room, minutes signed, tasks in every state.

The whole demo is seeded once for the module (about a minute and a half: every meeting's
minutes are rendered, fifteen routes are signed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from meeting_server import create_app
from meeting_server.demo import seed_demo
from meeting_server.demo.history import SIGNED_MINUTES, history_wanted
from meeting_server.extensions import db
from meeting_server.i18n import to_local
from meeting_server.models import (
    Attendance,
    AttendanceStatus,
    ConclusionNotice,
    DocumentKind,
    Invitation,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeStatus,
    RegisterEntry,
    RequestStatus,
    Room,
    SigningRequest,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskNotice,
    TaskStatus,
    Vote,
    VoteStatus,
    utcnow,
)
from meeting_server.services.attendance import is_late
from meeting_server.services.task_stats import load_facts, task_board, vietnam_today

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_db: Path) -> Iterator[Flask]:
    """An app whose database holds the whole demo, history included (seeded once)."""
    folder = tmp_path_factory.mktemp("demo-history")
    database = folder / "meeting.sqlite3"
    database.write_bytes(migrated_db.read_bytes())
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{database}",
            "STORAGE_DIR": str(folder / "storage"),
            "CA_DIR": str(folder / "ca"),
            "CA_PASSPHRASE_FILE": str(folder / "ca-passphrase"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.delenv("MEETING_DEMO_HISTORY", raising=False)
        assert seed_demo("demo12345")
        db.session.commit()
    with app.app_context():
        yield app
    db.engine.dispose()


def past_meetings() -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.status == MeetingStatus.ENDED).order_by(Meeting.starts_at)
        )
    )


def test_past_meetings_fill_the_last_months_in_every_room_on_working_days(demo):
    meetings = past_meetings()
    today = vietnam_today(utcnow())
    days = [to_local(meeting.starts_at).date() for meeting in meetings]
    assert len(meetings) >= 18
    assert all(day < today and day.weekday() < 5 for day in days)
    assert today - days[0] >= timedelta(days=100)  # about four months back
    assert len({(day.year, day.month) for day in days}) >= 4
    assert {meeting.room_id for meeting in meetings} == set(db.session.scalars(select(Room.id)))
    assert {meeting.chair.username for meeting in meetings} == {"chutich", "phochutich"}
    sample = db.session.scalars(select(Meeting).where(Meeting.status != MeetingStatus.ENDED))
    assert [m.title for m in sample] == ["Phiên họp thường kỳ UBND thành phố tháng 11/2026"]


def test_each_meeting_was_held_on_its_day_with_documents_and_final_minutes(demo):
    for meeting in past_meetings():
        assert meeting.starts_at <= meeting.started_at < meeting.starts_at + timedelta(minutes=10)
        assert meeting.started_at < meeting.ended_at < meeting.ends_at + timedelta(hours=1)
        assert meeting.published_at < meeting.starts_at
        assert any(item.documents for item in meeting.agenda_items)
        assert all(
            document.current.page_count >= 1
            for item in meeting.agenda_items
            for document in item.documents
        )
        minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
        assert minutes.status == MinutesStatus.FINAL and minutes.pdf_sha256
        assert meeting.ended_at < minutes.finalised_at < utcnow()


def test_most_came_on_time_some_late_a_few_absent_or_sent_a_deputy(demo):
    records = db.session.scalars(select(Attendance).join(Invitation)).all()
    by_status = {status: 0 for status in AttendanceStatus}
    for record in records:
        by_status[record.status] += 1
    late = [r for r in records if is_late(r, r.invitation.meeting)]
    arrived = [r for r in records if r.checked_in_at is not None]
    assert len(late) >= 10 and len(late) < len(arrived) / 3
    assert by_status[AttendanceStatus.ABSENT] >= 3
    assert all(r.reason for r in records if r.status == AttendanceStatus.ABSENT)
    deputies = [r for r in records if r.status == AttendanceStatus.DELEGATED]
    assert deputies and all(r.deputy is not None and r.checked_in_at for r in deputies)
    assert by_status[AttendanceStatus.LEFT] >= 1
    for record in arrived:
        meeting = record.invitation.meeting
        assert meeting.starts_at - timedelta(hours=1) < record.checked_in_at < meeting.ended_at


def test_questions_were_voted_and_closed_with_their_results(demo):
    closed = db.session.scalars(select(Vote).where(Vote.status == VoteStatus.CLOSED)).all()
    assert len(closed) >= 5
    for vote in closed:
        assert vote.snapshot["cast"] == sum(t.count for t in vote.tallies) > 0
        assert vote.meeting.started_at < vote.opened_at < vote.closed_at < vote.meeting.ended_at


def test_the_latest_minutes_are_signed_sealed_and_numbered_in_order(demo):
    requests = db.session.scalars(
        select(SigningRequest)
        .where(SigningRequest.document_kind == DocumentKind.MINUTES)
        .order_by(SigningRequest.id)
    ).all()
    assert len(requests) == SIGNED_MINUTES
    numbers = []
    for request in requests:
        assert request.status == RequestStatus.COMPLETED
        assert [step.acted_by.username for step in request.steps][1:] == ["thuky", "vanthu"]
        assert len(request.versions) == len(request.steps) + 1
        entry = db.session.scalar(
            select(RegisterEntry).where(RegisterEntry.signing_request_id == request.id)
        )
        assert entry.notation.endswith("/BB-UBND")
        assert request.minutes.finalised_at < request.created_at < entry.issued_at
        assert entry.issued_at == request.steps[-1].acted_at == request.finished_at
        numbers.append(entry.number)
    assert numbers == list(range(1, SIGNED_MINUTES + 1))
    final = db.session.scalars(select(Minutes).where(Minutes.status == MinutesStatus.FINAL))
    assert len(final.all()) > 2 * SIGNED_MINUTES  # the older ones stay finalised, unsigned


def test_conclusion_notices_were_issued_by_the_seal_and_one_is_being_written(demo):
    notices = db.session.scalars(select(ConclusionNotice)).all()
    issued = [n for n in notices if n.status == NoticeStatus.ISSUED]
    assert len(issued) >= 8
    assert [n.status for n in notices if n not in issued] == [NoticeStatus.DRAFT]
    for notice in issued:
        assert notice.signing_request.status == RequestStatus.COMPLETED
        assert notice.issued_at == notice.signing_request.finished_at
        assert notice.meeting.ended_at < notice.finalised_at < notice.issued_at
        assert any(not item.assigns_task for item in notice.items)
        assert any(item.assigns_task for item in notice.items)


def test_tasks_are_in_every_state_with_their_history_in_the_past(demo):
    tasks = db.session.scalars(select(Task)).all()
    today = vietnam_today(utcnow())
    assert {task.status for task in tasks} == set(TaskStatus)
    open_tasks = [t for t in tasks if t.status != TaskStatus.DONE]
    assert any(t.deadline < today for t in open_tasks)  # overdue open
    assert any(t.extension_until is not None for t in open_tasks)  # waiting for the leader
    assert any(t.status == TaskStatus.REPORTED for t in open_tasks)
    kinds = set(db.session.scalars(select(TaskEvent.kind)))
    assert {TaskEventKind.EXTENSION_REFUSED, TaskEventKind.RETURNED} <= kinds
    for task in tasks:
        moments = [event.at for event in task.events]
        assert moments == sorted(moments) and moments[-1] < utcnow()
        assert task.meeting.ended_at < task.assigned_at == moments[0]
        assert task.deadline >= task.original_deadline


def test_done_tasks_include_extended_on_time_and_late(demo):
    facts = load_facts()
    done = [fact for fact in facts if fact.done_day is not None]
    assert any(fact.extended and fact.done_day <= fact.deadline for fact in done)
    assert any(fact.done_day > fact.deadline for fact in done)
    assert any(fact.done_day <= fact.deadline and not fact.extended for fact in done)


def test_the_units_differ_and_the_months_show_a_trend(demo):
    board = task_board(6)
    rates = {group.label: group.counts.on_time_rate for group in board.units}
    assert len(rates) == 5 and all(rate is not None for rate in rates.values())
    assert rates["Sở Tài chính"] >= 0.9
    assert rates["Sở Xây dựng"] <= 0.6
    rated = [month.counts.on_time_rate for month in board.months if month.counts.rated]
    assert len(rated) >= 3 and len(set(rated)) >= 3
    assert board.totals.overdue_open >= 1 and board.totals.extended >= 1


def test_the_inbox_keeps_only_the_last_days_unread(demo):
    unread = db.session.scalars(select(TaskNotice).where(TaskNotice.read_at.is_(None))).all()
    assert all(notice.created_at > utcnow() - timedelta(days=5) for notice in unread)
    count = db.session.scalar(select(func.count(TaskNotice.id)))
    assert len(unread) < count / 5


def test_the_history_can_be_left_out(monkeypatch):
    monkeypatch.setenv("MEETING_DEMO_HISTORY", "0")
    assert not history_wanted()
    monkeypatch.setenv("MEETING_DEMO_HISTORY", "1")
    assert history_wanted()
