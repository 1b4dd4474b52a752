"""Tasks assigned by a conclusion notice: the unit accepts, reports, asks for more time, reports
done; the assigner decides extensions and confirms or returns the result.

Every step checks the task's state, writes a ``TaskEvent`` (the history the page shows) and an
audit event, puts a line in the inbox of the other side (``TaskNotice``) and tells their open
pages after the commit (``outbox.TasksChanged``). A step that does not fit the state is refused
with what to do instead; two people acting at once on the same task: one wins (the state is
changed by a conditional ``UPDATE``), the other is told to reload.

docs/decisions.md → "After the meeting" has the states and the on-time arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..i18n import to_local
from ..models import (
    ConclusionItem,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskNotice,
    TaskNoticeKind,
    TaskStatus,
    User,
    utcnow,
)
from . import outbox, webhooks
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .task_files import Upload, attach, check_files

MAX_TEXT = 4000
#: How far an extension may reach past the deadline in force (a year: a longer one is a new task).
MAX_EXTENSION = timedelta(days=366)


def vietnam_today(now: datetime | None = None) -> date:
    """Return today's date in Vietnam (deadlines are Vietnam days)."""
    return to_local(now or utcnow()).date()


def open_task(item: ConclusionItem, assigner: User, meeting_id: int, now: datetime) -> Task:
    """Make the task an issued notice's item assigns, and tell the unit."""
    assert item.deadline is not None  # noqa: S101 — the item's CHECK constraint holds it
    task = Task(
        item_id=item.id,
        meeting_id=meeting_id,
        title=item.text,
        expected_result=item.expected_result,
        owner_unit=item.owner_unit,
        assignee_id=item.assignee_id,
        assigned_by_id=assigner.id,
        assigned_at=now,
        deadline=item.deadline,
        original_deadline=item.deadline,
    )
    db.session.add(task)
    db.session.flush()
    add_event(task, TaskEventKind.ASSIGNED, assigner, until=item.deadline)
    tell(task, unit_people(task), TaskNoticeKind.ASSIGNED)
    webhooks.record(webhooks.TASK_CHANGED, task)
    record_event(
        assigner,
        "task.assign",
        "task",
        task.id,
        unit=task.owner_unit,
        deadline=task.deadline.isoformat(),
    )
    return task


def accept_task(actor: User, task: Task) -> Task:
    """Take the task on: it is in progress from now."""
    _require(task, (TaskStatus.ASSIGNED,), _l("This task is already accepted."))
    _move(task, (TaskStatus.ASSIGNED,), TaskStatus.IN_PROGRESS, accepted_at=utcnow())
    add_event(task, TaskEventKind.ACCEPTED, actor)
    tell(task, {task.assigned_by_id}, TaskNoticeKind.CHANGED)
    record_event(actor, "task.accept", "task", task.id)
    return task


def report_progress(
    actor: User, task: Task, *, percent: int, text: str, files: Sequence[Upload] = ()
) -> TaskEvent:
    """Record how far the work is, with a note and files."""
    _require(task, (TaskStatus.IN_PROGRESS,), _l("Accept the task before reporting progress."))
    if not 0 <= percent <= 99:
        raise ServiceError(
            _l(
                "Give the progress as a percentage from 0 to 99; report the task done when "
                "it is finished."
            ),
            field="percent",
        )
    text = _text(text, required=not files, field="text")
    checked = check_files(files)
    _move(task, (TaskStatus.IN_PROGRESS,), TaskStatus.IN_PROGRESS, progress=percent)
    event = add_event(task, TaskEventKind.PROGRESS, actor, text=text, progress=percent)
    attach(event, checked)
    tell(task, {task.assigned_by_id}, TaskNoticeKind.CHANGED)
    record_event(actor, "task.progress", "task", task.id, percent=percent, files=len(files))
    return event


def request_extension(actor: User, task: Task, *, until: date, reason: str) -> TaskEvent:
    """Ask the assigner for a later deadline, with a reason (one request at a time)."""
    _require(
        task,
        (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS),
        _l("More time can be asked for only while the task is open."),
    )
    if task.extension_until is not None:
        raise NotAllowed(_l("An extension is already waiting for the assigner's decision."))
    if until <= task.deadline:
        raise ServiceError(_l("Ask for a day after the current deadline."), field="until")
    if until - task.deadline > MAX_EXTENSION:
        raise ServiceError(_l("Ask for at most a year more."), field="until")
    reason = _text(reason, required=True, field="reason")
    _move(
        task,
        (task.status,),
        task.status,
        no_extension=True,
        extension_until=until,
        extension_reason=reason,
    )
    event = add_event(task, TaskEventKind.EXTENSION_REQUESTED, actor, text=reason, until=until)
    tell(task, {task.assigned_by_id}, TaskNoticeKind.CHANGED)
    record_event(actor, "task.extension_request", "task", task.id, until=until.isoformat())
    return event


def decide_extension(actor: User, task: Task, *, approve: bool, reason: str) -> TaskEvent:
    """Approve (the deadline moves) or refuse (a reason is required) the pending extension."""
    until = task.extension_until
    if until is None or task.status not in (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS):
        raise NotAllowed(_l("No extension is waiting for a decision. Reload the page."))
    reason = _text(reason, required=not approve, field="reason")
    kind = TaskEventKind.EXTENSION_APPROVED if approve else TaskEventKind.EXTENSION_REFUSED
    deadline = until if approve else task.deadline
    _move(
        task,
        (task.status,),
        task.status,
        expect_extension=until,
        deadline=deadline,
        extension_until=None,
        extension_reason="",
    )
    event = add_event(task, kind, actor, text=reason, until=until)
    tell(task, unit_people(task), TaskNoticeKind.CHANGED)
    record_event(
        actor,
        f"task.extension_{'approve' if approve else 'refuse'}",
        "task",
        task.id,
        until=until.isoformat(),
    )
    return event


def report_done(actor: User, task: Task, *, text: str, files: Sequence[Upload]) -> TaskEvent:
    """Report the work finished, with the result document; the assigner confirms it."""
    _require(task, (TaskStatus.IN_PROGRESS,), _l("Accept the task before reporting it done."))
    if not files:
        raise ServiceError(_l("Attach the result document."), field="files")
    text = _text(text, required=False, field="text")
    checked = check_files(files)
    now = utcnow()
    _move(
        task,
        (TaskStatus.IN_PROGRESS,),
        TaskStatus.REPORTED,
        reported_at=now,
        progress=100,
        extension_until=None,
        extension_reason="",
    )
    event = add_event(task, TaskEventKind.REPORTED, actor, text=text, progress=100)
    attach(event, checked)
    tell(task, {task.assigned_by_id}, TaskNoticeKind.CHANGED)
    record_event(actor, "task.report_done", "task", task.id, files=len(files))
    return event


def confirm_task(actor: User, task: Task, *, text: str = "") -> TaskEvent:
    """Accept the reported result: the task is done, on the day it was reported."""
    _require(task, (TaskStatus.REPORTED,), _l("Only a task reported done can be confirmed."))
    text = _text(text, required=False, field="text")
    _move(task, (TaskStatus.REPORTED,), TaskStatus.DONE, done_at=task.reported_at)
    event = add_event(task, TaskEventKind.CONFIRMED, actor, text=text)
    tell(task, unit_people(task), TaskNoticeKind.CHANGED)
    record_event(actor, "task.confirm", "task", task.id)
    return event


def return_task(actor: User, task: Task, *, reason: str) -> TaskEvent:
    """Send the reported result back to the unit, with what is missing."""
    _require(task, (TaskStatus.REPORTED,), _l("Only a task reported done can be returned."))
    reason = _text(reason, required=True, field="reason")
    before = max(
        (
            e.progress
            for e in task.events
            if e.kind == TaskEventKind.PROGRESS and e.progress is not None
        ),
        default=0,
    )
    _move(task, (TaskStatus.REPORTED,), TaskStatus.IN_PROGRESS, reported_at=None, progress=before)
    event = add_event(task, TaskEventKind.RETURNED, actor, text=reason)
    tell(task, unit_people(task), TaskNoticeKind.CHANGED)
    record_event(actor, "task.return", "task", task.id)
    return event


def unit_people(task: Task) -> set[int]:
    """Return who is told about the unit's side: the person in charge while they are active
    and still in the unit, else the unit's active people."""
    person = task.assignee
    if person is not None and person.active and person.unit == task.owner_unit:
        return {person.id}
    return set(db.session.scalars(select(User.id).where(User.unit == task.owner_unit, User.active)))


# --- helpers ------------------------------------------------------------------------------------


def _require(task: Task, states: tuple[TaskStatus, ...], message: object) -> None:
    """Refuse a step the task's state does not allow, saying where it stands when that helps."""
    if task.status in states:
        return
    if task.status == TaskStatus.DONE:
        raise NotAllowed(_l("This task is already done: its result was confirmed."))
    if task.status == TaskStatus.REPORTED and TaskStatus.REPORTED not in states:
        raise NotAllowed(
            _l(
                "This task is already reported done: the leader who assigned it confirms the "
                "result or returns it."
            )
        )
    raise NotAllowed(str(message))


def _move(
    task: Task,
    states: tuple[TaskStatus, ...],
    to: TaskStatus,
    *,
    expect_extension: date | None = None,
    no_extension: bool = False,
    **values: object,
) -> None:
    """Change the task's state only if nobody changed it since it was read."""
    condition = [Task.id == task.id, Task.status.in_(states)]
    if expect_extension is not None:
        condition.append(Task.extension_until == expect_extension)
    if no_extension:
        condition.append(Task.extension_until.is_(None))
    result = db.session.execute(
        update(Task)
        .where(*condition)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed(_l("Someone changed this task at the same moment. Reload the page."))
    db.session.refresh(task)
    webhooks.record(webhooks.TASK_CHANGED, task)


def add_event(
    task: Task,
    kind: TaskEventKind,
    actor: User | None,
    *,
    text: str = "",
    progress: int | None = None,
    until: date | None = None,
) -> TaskEvent:
    """Write a line of the task's history."""
    event = TaskEvent(
        task_id=task.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        text=text,
        progress=progress,
        until=until,
    )
    db.session.add(event)
    db.session.flush()
    return event


def tell(task: Task, people: Iterable[int], kind: TaskNoticeKind) -> None:
    """Put a line about ``task`` in these people's inboxes; their pages hear after the commit."""
    people = frozenset(people)
    for user_id in people:
        db.session.add(TaskNotice(user_id=user_id, task_id=task.id, kind=kind))
    if people:
        outbox.record(outbox.TasksChanged(people, task.id))
    db.session.flush()


def _text(value: str, *, required: bool, field: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ServiceError(_l("Write a few words: this is required."), field=field)
    if len(text) > MAX_TEXT:
        raise ServiceError(_l("Keep it under %(n)s characters.", n=MAX_TEXT), field=field)
    return text
