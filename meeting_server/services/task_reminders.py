"""Reminders of tasks: the day before the deadline, and every day after it while open (none on
the deadline day itself, which the day before announced).

At most one reminder a day per task (``Task.reminded_on`` holds the Vietnam day), claimed by a
conditional update so several serving processes send it once. "Due soon" goes to the unit's
side (the person in charge, else the unit's people); "overdue" to them and to the assigner,
or only to the assigner once the unit has reported the result.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import Task, TaskEventKind, TaskNoticeKind, TaskStatus, utcnow
from .signing_requests import changed_rows
from .tasks import add_event, tell, unit_people, vietnam_today

__all__ = ["remind_tasks"]


def remind_tasks(now: datetime | None = None) -> dict[int, TaskNoticeKind]:
    """Send today's reminders; return the tasks reminded and of what."""
    today = vietnam_today(now or utcnow())
    tomorrow = today + timedelta(days=1)
    due = db.session.scalars(
        select(Task).where(
            Task.status != TaskStatus.DONE,
            or_(Task.deadline < today, Task.deadline == tomorrow),
            or_(Task.reminded_on.is_(None), Task.reminded_on < today),
        )
    ).all()
    reminded: dict[int, TaskNoticeKind] = {}
    for task in due:
        if task.status == TaskStatus.REPORTED and task.deadline >= today:
            continue  # reported in time: nothing for the unit to hurry, nothing late yet
        claimed = changed_rows(
            update(Task)
            .where(Task.id == task.id, or_(Task.reminded_on.is_(None), Task.reminded_on < today))
            .values(reminded_on=today)
        )
        if claimed != 1:
            continue
        overdue = task.deadline < today
        kind = TaskNoticeKind.OVERDUE if overdue else TaskNoticeKind.DUE_SOON
        people = unit_people(task) | ({task.assigned_by_id} if overdue else set())
        if task.status == TaskStatus.REPORTED:  # waiting for the assigner, not the unit
            people = {task.assigned_by_id}
        tell(task, people, kind)
        add_event(task, TaskEventKind.REMINDED, None, text=kind.value)
        reminded[task.id] = kind
    db.session.flush()
    return reminded
