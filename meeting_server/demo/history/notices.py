"""The conclusion notice of a past meeting: drafted, signed by the chair, sealed, tasks opened.

The secretary starts the notice from the minutes and writes its items (the meeting's general
conclusions, then the tasks with their unit, person in charge and deadline); the chair signs
and the clerk seals, which opens the tasks (``services.conclusions.notice_issued``). A notice
cannot be sent with a deadline before its sign-by day, so the items go out with the later of
their deadline and that day; once the tasks are open, the item and the task take the story's
deadline and every row its day.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from ...extensions import db
from ...i18n import to_local
from ...models import (
    ConclusionItem,
    ConclusionNotice,
    InboxNotice,
    Meeting,
    Task,
    TaskEvent,
    TaskNotice,
    utcnow,
)
from ...services.conclusions import ItemInput, save_notice, send_notice, start_notice
from .calendar import Plan
from .catalogue import TaskLine
from .clock import days_later, newest_id, restamp
from .people import Cast
from .routes import DUE_AFTER, sign_route

EXPECTED = (
    "Báo cáo kết quả bằng văn bản gửi UBND thành phố (qua Văn phòng UBND thành phố).",
    "Văn bản tham mưu trình UBND thành phố xem xét, quyết định.",
    "Báo cáo kết quả thực hiện, kèm danh mục và số liệu cụ thể.",
)


def draft_notice(meeting: Meeting, plan: Plan, cast: Cast, today: date) -> ConclusionNotice:
    """Start the meeting's notice and write its items, as the secretary does the next day."""
    secretary, chair = cast.secretary, meeting.chair
    assert chair is not None  # noqa: S101 — every past meeting has its chair
    notice = start_notice(secretary, meeting)
    items = [ItemInput(text) for text in plan.conclusions]
    items += [_task_item(plan, line, cast, today, n) for n, line in enumerate(plan.tasks)]
    save_notice(
        secretary, notice, concluded_by=chair, preamble=notice.preamble, recipients="",
        items=items,
    )  # fmt: skip
    notice.created_at = days_later(plan.day, 1, 14, 0)
    notice.updated_at = notice.created_at + timedelta(minutes=40)
    db.session.flush()
    return notice


def issue_notice(
    meeting: Meeting, plan: Plan, cast: Cast, today: date, rnd: random.Random
) -> list[tuple[Task, TaskLine]]:
    """Draft, send, sign and seal the meeting's notice; return its tasks with their lines."""
    notice = draft_notice(meeting, plan, cast, today)
    sent = days_later(plan.day, 2, 9, rnd.randint(0, 50))
    inbox, events, lines = newest_id(InboxNotice), newest_id(TaskEvent), newest_id(TaskNotice)
    outcome = send_notice(cast.secretary, notice, clerk=cast.clerk, due_at=utcnow() + DUE_AFTER)
    issued = sign_route(outcome.request, sent, inbox, rnd)
    restamp(TaskEvent, events, at=issued)
    restamp(TaskNotice, lines, created_at=issued)
    notice.updated_at = notice.finalised_at = sent
    notice.issued_at = issued
    tasks = _tasks_of(notice)
    for task, line in zip(tasks, plan.tasks, strict=True):
        task.assigned_at = issued
        task.deadline = task.original_deadline = _deadline(plan, line)
        db.session.get_one(ConclusionItem, task.item_id).deadline = task.deadline
    db.session.flush()
    return list(zip(tasks, plan.tasks, strict=True))


def _task_item(plan: Plan, line: TaskLine, cast: Cast, today: date, number: int) -> ItemInput:
    """Return the item assigning ``line``'s task (its deadline no earlier than the day the
    notice is to be signed by: the service refuses an earlier one)."""
    person = cast.in_charge(line.unit, line.who)
    first_day = max(today, to_local(utcnow() + DUE_AFTER).date())
    return ItemInput(
        text=line.text,
        owner_unit=cast.unit(line.unit),
        assignee_id=person.id if person else None,
        deadline=max(_deadline(plan, line), first_day),
        expected_result=EXPECTED[number % len(EXPECTED)],
    )


def _deadline(plan: Plan, line: TaskLine) -> date:
    """Return the task's deadline: ``line.days`` after the meeting."""
    return plan.day + timedelta(days=line.days)


def _tasks_of(notice: ConclusionNotice) -> list[Task]:
    """Return the tasks the notice opened, in the order of its items."""
    return list(
        db.session.scalars(
            select(Task)
            .join(ConclusionItem, ConclusionItem.id == Task.item_id)
            .where(ConclusionItem.notice_id == notice.id)
            .order_by(ConclusionItem.position)
        )
    )
