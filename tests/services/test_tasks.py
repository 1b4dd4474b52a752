"""Tasks from a conclusion notice: every step, every refusal, extensions and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import (
    ConclusionItem,
    ConclusionNotice,
    Meeting,
    Task,
    TaskEventKind,
    TaskNotice,
    TaskNoticeKind,
    TaskStatus,
    User,
    utcnow,
)
from meeting_server.services import tasks as service
from meeting_server.services.errors import NotAllowed, ServiceError, UploadRefused
from meeting_server.services.outbox import TasksChanged, pending
from meeting_server.services.task_files import Upload
from meeting_server.services.task_reminders import remind_tasks
from tests.support.pdf_samples import simple_pdf

RESULT = Upload("Báo cáo kết quả.pdf", simple_pdf())


@pytest.fixture
def participant(create_user) -> User:
    """Someone of "Sở Tài chính", the unit the task goes to."""
    return create_user("ketoan", full_name="Lê Thị Kế Toán", unit="Sở Tài chính")


@pytest.fixture
def task(published_meeting: Meeting, participant: User, chair: User, secretary: User) -> Task:
    """A task for "Sở Tài chính" (the participant's unit), due in ten days, by the chair."""
    notice = ConclusionNotice(
        meeting_id=published_meeting.id, concluded_by_id=chair.id, created_by_id=secretary.id
    )
    item = ConclusionItem(
        position=0,
        text="Rà soát dự toán ngân sách quý IV",
        owner_unit="Sở Tài chính",
        deadline=service.vietnam_today() + timedelta(days=10),
        expected_result="Báo cáo rà soát",
    )
    notice.items.append(item)
    db.session.add(notice)
    db.session.flush()
    opened = service.open_task(item, db.session.get(User, chair.id), published_meeting.id, utcnow())
    db.session.commit()
    return opened


def unit_member(participant: User) -> User:
    return db.session.get(User, participant.id)


def leader(chair: User) -> User:
    return db.session.get(User, chair.id)


def test_opening_a_task_tells_everyone_of_the_unit(task, participant, chair):
    notices = db.session.scalars(select(TaskNotice).where(TaskNotice.task_id == task.id)).all()
    assert {(n.user_id, n.kind) for n in notices} == {(participant.id, TaskNoticeKind.ASSIGNED)}
    assert [e.kind for e in task.events] == [TaskEventKind.ASSIGNED]
    assert task.status == TaskStatus.ASSIGNED and task.original_deadline == task.deadline


def test_the_whole_life_of_a_task(task, participant, chair):
    worker, boss = unit_member(participant), leader(chair)
    service.accept_task(worker, task)
    service.report_progress(worker, task, percent=40, text="Đã thu thập số liệu")
    assert task.progress == 40
    service.report_done(worker, task, text="Hoàn thành", files=[RESULT])
    assert task.status == TaskStatus.REPORTED and task.reported_at is not None
    service.confirm_task(boss, task)
    assert task.status == TaskStatus.DONE and task.done_at == task.reported_at
    kinds = [e.kind for e in task.events]
    assert kinds == [
        TaskEventKind.ASSIGNED, TaskEventKind.ACCEPTED, TaskEventKind.PROGRESS,
        TaskEventKind.REPORTED, TaskEventKind.CONFIRMED,
    ]  # fmt: skip
    assert task.events[3].attachments[0].file_name == "Báo cáo kết quả.pdf"


def test_a_returned_result_goes_back_to_work_with_its_reason(task, participant, chair):
    worker, boss = unit_member(participant), leader(chair)
    service.accept_task(worker, task)
    service.report_progress(worker, task, percent=60, text="Một nửa")
    service.report_done(worker, task, text="", files=[RESULT])
    with pytest.raises(ServiceError):
        service.return_task(boss, task, reason="  ")
    service.return_task(boss, task, reason="Thiếu phụ lục số liệu")
    assert task.status == TaskStatus.IN_PROGRESS and task.reported_at is None
    assert task.progress == 60
    assert task.events[-1].text == "Thiếu phụ lục số liệu"


@pytest.mark.parametrize(
    ("step", "state"),
    [
        ("progress", TaskStatus.ASSIGNED),
        ("done", TaskStatus.ASSIGNED),
        ("confirm", TaskStatus.IN_PROGRESS),
        ("return", TaskStatus.IN_PROGRESS),
        ("accept", TaskStatus.IN_PROGRESS),
    ],
)
def test_steps_out_of_order_are_refused(task, participant, chair, step, state):
    worker, boss = unit_member(participant), leader(chair)
    if state == TaskStatus.IN_PROGRESS:
        service.accept_task(worker, task)
    run = {
        "progress": lambda: service.report_progress(worker, task, percent=10, text="x"),
        "done": lambda: service.report_done(worker, task, text="", files=[RESULT]),
        "confirm": lambda: service.confirm_task(boss, task),
        "return": lambda: service.return_task(boss, task, reason="x"),
        "accept": lambda: service.accept_task(worker, task),
    }[step]
    with pytest.raises(NotAllowed):
        run()
    assert task.status == state


def test_done_needs_a_result_file_of_a_known_kind(task, participant):
    worker = unit_member(participant)
    service.accept_task(worker, task)
    with pytest.raises(ServiceError, match="Attach the result"):
        service.report_done(worker, task, text="", files=[])
    with pytest.raises(UploadRefused, match="not really"):
        service.report_done(worker, task, text="", files=[Upload("ket-qua.pdf", b"<html>")])
    with pytest.raises(UploadRefused, match="attach a PDF"):
        service.report_done(worker, task, text="", files=[Upload("x.html", b"<html>")])
    assert task.status == TaskStatus.IN_PROGRESS


def test_progress_is_a_percentage_below_done(task, participant):
    worker = unit_member(participant)
    service.accept_task(worker, task)
    for bad in (-1, 100, 250):
        with pytest.raises(ServiceError):
            service.report_progress(worker, task, percent=bad, text="x")


def test_an_approved_extension_moves_the_deadline_and_keeps_the_first(task, participant, chair):
    worker, boss = unit_member(participant), leader(chair)
    first = task.deadline
    service.request_extension(worker, task, until=first + timedelta(days=7), reason="Chờ số liệu")
    with pytest.raises(NotAllowed, match="already waiting"):
        service.request_extension(worker, task, until=first + timedelta(days=9), reason="x")
    service.decide_extension(boss, task, approve=True, reason="")
    assert task.deadline == first + timedelta(days=7) and task.original_deadline == first
    assert task.extension_until is None


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(task, participant, chair):
    worker, boss = unit_member(participant), leader(chair)
    first = task.deadline
    service.request_extension(worker, task, until=first + timedelta(days=3), reason="Bận")
    with pytest.raises(ServiceError):
        service.decide_extension(boss, task, approve=False, reason="")
    service.decide_extension(boss, task, approve=False, reason="Thời hạn là bắt buộc")
    assert task.deadline == first and task.extension_until is None
    assert task.events[-1].kind == TaskEventKind.EXTENSION_REFUSED
    with pytest.raises(NotAllowed):
        service.decide_extension(boss, task, approve=True, reason="")


@pytest.mark.parametrize("days", [0, -2, 400])
def test_an_extension_must_be_later_and_within_a_year(task, participant, days):
    with pytest.raises(ServiceError):
        service.request_extension(
            unit_member(participant), task, until=task.deadline + timedelta(days=days), reason="x"
        )


def test_changes_reach_the_other_side_after_the_commit(task, participant, chair):
    db.session.commit()
    service.accept_task(unit_member(participant), task)
    messages = [m for m in pending(db.session()) if isinstance(m, TasksChanged)]
    assert messages == [TasksChanged(frozenset({chair.id}), task.id)]


def at_vietnam(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def test_reminders_come_once_a_day_before_and_after_the_deadline(task, participant, chair):
    deadline = task.deadline
    assert remind_tasks(at_vietnam(deadline - timedelta(days=3), 9)) == {}
    eve = at_vietnam(deadline - timedelta(days=1), 8)
    assert remind_tasks(eve) == {task.id: TaskNoticeKind.DUE_SOON}
    assert remind_tasks(eve + timedelta(hours=10)) == {}  # the same Vietnam day
    assert remind_tasks(at_vietnam(deadline, 9)) == {}  # the day before said it
    late = at_vietnam(deadline + timedelta(days=1), 8)
    assert remind_tasks(late) == {task.id: TaskNoticeKind.OVERDUE}
    assert remind_tasks(late + timedelta(hours=3)) == {}
    assert remind_tasks(late + timedelta(days=1)) == {task.id: TaskNoticeKind.OVERDUE}
    kinds = db.session.scalars(
        select(TaskNotice.kind).where(TaskNotice.task_id == task.id, TaskNotice.user_id == chair.id)
    ).all()
    assert kinds.count(TaskNoticeKind.OVERDUE) == 2  # the assigner hears of overdue only


def test_a_done_task_is_not_reminded(task, participant, chair):
    worker = unit_member(participant)
    service.accept_task(worker, task)
    service.report_done(worker, task, text="", files=[RESULT])
    service.confirm_task(leader(chair), task)
    assert remind_tasks(at_vietnam(task.deadline + timedelta(days=2), 9)) == {}


def test_a_named_person_who_left_hands_the_news_to_the_unit(task, participant, create_user):
    colleague = create_user("thuquy", full_name="Thủ Quỹ", unit="Sở Tài chính")
    worker = unit_member(participant)
    task.assignee = worker
    db.session.flush()
    assert service.unit_people(task) == {worker.id}
    worker.active = False
    db.session.flush()
    assert service.unit_people(task) == {colleague.id}


def test_a_step_out_of_turn_says_where_the_task_stands(task, participant, chair):
    worker = unit_member(participant)
    service.accept_task(worker, task)
    service.report_done(worker, task, text="", files=[RESULT])
    with pytest.raises(NotAllowed, match="already reported done"):
        service.report_done(worker, task, text="", files=[RESULT])
    with pytest.raises(NotAllowed, match="already reported done"):
        service.request_extension(worker, task, until=task.deadline + timedelta(days=3), reason="x")
    service.confirm_task(leader(chair), task)
    with pytest.raises(NotAllowed, match="already done"):
        service.accept_task(worker, task)
