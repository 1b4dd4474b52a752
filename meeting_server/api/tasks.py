"""``/api/v1/tasks``: the tasks assigned by conclusion notices, as the account may see them."""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlalchemy import Select, or_, select

from ..auth import require
from ..models import Task, TaskStatus, User
from ..permissions import can_view_task, sees_every_task
from ..views.lookups import get_or_404
from .blueprint import api_user, bp, require_scope, security
from .meetings import IdField
from .paging import Page, PageQuery, answer, page_of
from .schemas import TaskOut, task_out

TASKS = [Tag(name="Tasks", description="Tasks assigned by conclusion notices")]


class TaskPath(BaseModel):
    task_id: IdField


class TaskQuery(PageQuery):
    status: Literal["assigned", "in_progress", "reported", "done"] | None = None
    meeting_id: IdField | None = Field(None, description="Only the tasks of this meeting")
    owner_unit: str | None = Field(None, max_length=200, description="Only this unit's tasks")


def visible_tasks(user: User) -> Select[Any]:
    """Return the tasks ``user`` may see, as SQL (``can_view_task``'s twin)."""
    query = select(Task)
    if sees_every_task(user):
        return query
    clauses = [Task.assigned_by_id == user.id, Task.assignee_id == user.id]
    if user.unit:
        clauses.append(Task.owner_unit == user.unit)
    return query.where(or_(*clauses))


@bp.get("/tasks", tags=TASKS, security=security("tasks:read"), responses={200: Page[TaskOut]})
@require_scope("tasks:read")
def list_tasks(query: TaskQuery):
    """List the tasks the account may see, in the order they were assigned."""
    user = api_user()
    select_ = visible_tasks(user)
    if query.status is not None:
        select_ = select_.where(Task.status == TaskStatus(query.status))
    if query.meeting_id is not None:
        select_ = select_.where(Task.meeting_id == query.meeting_id)
    if query.owner_unit is not None:
        select_ = select_.where(Task.owner_unit == query.owner_unit)
    rows, cursor = page_of(select_, (Task.id,), query, (int,))
    return answer([t for t in rows if can_view_task(user, t)], cursor, task_out)


@bp.get(
    "/tasks/<int:task_id>", tags=TASKS, security=security("tasks:read"), responses={200: TaskOut}
)
@require_scope("tasks:read")
def get_task(path: TaskPath):
    """Read one task."""
    task = get_or_404(Task, path.task_id)
    require(can_view_task(api_user(), task))
    return task_out(task).model_dump(mode="json")
