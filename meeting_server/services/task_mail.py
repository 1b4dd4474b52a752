"""The office's mail hook for task news (off by default).

``TASK_MAIL_HOOK`` names a function (``"package.module:function"``) the office writes to reach
its mail system; it is called once per person and change, after the commit and off the
request, with a :class:`TaskMail`. Our users have no e-mail address in this server: the hook
maps the username to one. A failing hook is logged and changes nothing here.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db, socketio
from ..models import Task, TaskNotice, User

log = logging.getLogger(__name__)

SUBJECTS = {
    "assigned": "Nhiệm vụ mới được giao",
    "due_soon": "Nhiệm vụ sắp đến hạn",
    "overdue": "Nhiệm vụ quá hạn",
    "changed": "Nhiệm vụ có cập nhật",
}


@dataclass(frozen=True)
class TaskMail:
    """One message for one person (always Vietnamese, as the office writes)."""

    username: str
    full_name: str
    subject: str
    text: str
    url: str


def send_soon(user_ids: frozenset[int], task_id: int) -> None:
    """Hand the news to the hook in a background task, if a hook is configured."""
    name = str(current_app.config.get("TASK_MAIL_HOOK") or "")
    if not name or not user_ids:
        return
    try:
        hook = _load(name)
    except (ImportError, AttributeError, TypeError, ValueError):
        log.exception("TASK_MAIL_HOOK %r cannot be loaded: no mail about task %s", name, task_id)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_deliver, app, hook, user_ids, task_id)


def mails_for(user_ids: frozenset[int], task_id: int) -> list[TaskMail]:
    """Return the message each person gets about their newest line on the task."""
    task = db.session.get(Task, task_id)
    if task is None:
        return []
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    mails = []
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids), User.active)):
        notice = db.session.scalars(
            select(TaskNotice)
            .where(TaskNotice.user_id == user.id, TaskNotice.task_id == task_id)
            .order_by(TaskNotice.id.desc())
            .limit(1)
        ).first()
        subject = SUBJECTS.get(notice.kind if notice else "changed", SUBJECTS["changed"])
        text = (
            f"{subject}: {task.title}\nĐơn vị chủ trì: {task.owner_unit}\n"
            f"Thời hạn: {task.deadline:%d/%m/%Y}"
        )
        mails.append(
            TaskMail(user.username, user.full_name, subject, text, f"{base}/tasks/{task.id}")
        )
    return mails


Hook = Callable[[TaskMail], object]


def _deliver(app: Any, hook: Hook, users: frozenset[int], task: int) -> None:
    with app.app_context():
        try:
            for mail in mails_for(users, task):
                hook(mail)
        except Exception:  # the office's code: log it, the change itself stands
            log.exception("the task mail hook failed for task %s", task)
        finally:
            db.session.remove()


def _load(name: str) -> Hook:
    module, _, attribute = name.partition(":")
    hook = getattr(importlib.import_module(module), attribute)
    if not callable(hook):
        raise TypeError(f"TASK_MAIL_HOOK {name!r} is not a function")
    return hook
