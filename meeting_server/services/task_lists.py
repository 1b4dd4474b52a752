"""The task lists people see: their unit's, those they assigned, everyone's; inbox lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Task, TaskNotice, TaskStatus, User, utcnow
from ..permissions import sees_every_task
from .tasks import vietnam_today

SHOWN = 200
NOTICES_SHOWN = 20
VIEWS = ("mine", "assigned", "all")
#: The status filter's choices: a stored status, or "overdue" / "open".
FILTERS = ("open", "overdue", *(s.value for s in TaskStatus))


@dataclass(frozen=True)
class TaskList:
    """One list of the tasks page, with what the tabs need."""

    view: str
    tasks: list[Task]
    views: tuple[str, ...]  # the tabs this person has
    notices: list[TaskNotice]
    unread: int
    today: date

    def overdue(self, task: Task) -> bool:
        """Tell whether ``task`` is open past its deadline."""
        return is_overdue(task, self.today)


def is_overdue(task: Task, today: date) -> bool:
    """Tell whether a task is not done and its deadline has passed (Vietnam days)."""
    return task.status != TaskStatus.DONE and task.deadline < today


def views_of(user: User) -> tuple[str, ...]:
    """Return the lists this person has: their unit's, those they assigned, and everyone's."""
    shown = ["mine"]
    if sees_every_task(user):
        shown += ["assigned", "all"]
    return tuple(shown)


def task_list(
    user: User, view: str, *, status: str = "", meeting_id: int | None = None
) -> TaskList:
    """Return one list, the most urgent first (overdue, then by deadline)."""
    views = views_of(user)
    view = view if view in views else views[0]
    query = _scope(select(Task), user, view)
    today = vietnam_today()
    if status == "open":
        query = query.where(Task.status != TaskStatus.DONE)
    elif status == "overdue":
        query = query.where(Task.status != TaskStatus.DONE, Task.deadline < today)
    elif status in TaskStatus.__members__.values():
        query = query.where(Task.status == status)
    if meeting_id is not None:
        query = query.where(Task.meeting_id == meeting_id)
    tasks = db.session.scalars(
        query.order_by((Task.status == TaskStatus.DONE), Task.deadline, Task.id)
        .limit(SHOWN)
        .options(selectinload(Task.assignee), selectinload(Task.meeting))
    ).all()
    return TaskList(view, list(tasks), views, notices_of(user), unread_count(user), today)


def notices_of(user: User) -> list[TaskNotice]:
    """Return the person's newest task lines."""
    return list(
        db.session.scalars(
            select(TaskNotice)
            .where(TaskNotice.user_id == user.id)
            .order_by(TaskNotice.id.desc())
            .limit(NOTICES_SHOWN)
            .options(selectinload(TaskNotice.task))
        )
    )


def unread_count(user: User) -> int:
    """Return how many task lines the person has not seen."""
    count = db.session.scalar(
        select(func.count())
        .select_from(TaskNotice)
        .where(TaskNotice.user_id == user.id, TaskNotice.read_at.is_(None))
    )
    return int(count or 0)


def mark_read(user: User, task: Task) -> None:
    """Mark the person's lines about ``task`` as seen (they opened it)."""
    db.session.execute(
        update(TaskNotice)
        .where(
            TaskNotice.user_id == user.id,
            TaskNotice.task_id == task.id,
            TaskNotice.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _scope(query: Select[Any], user: User, view: str) -> Select[Any]:
    if view == "assigned":
        return query.where(Task.assigned_by_id == user.id)
    if view == "all":
        return query
    mine = Task.assignee_id == user.id
    if user.unit:
        mine = or_(mine, Task.owner_unit == user.unit)
    return query.where(mine)
