"""Reminders of overdue signing steps and of tasks near or past their deadline, sent by the
serving process every few minutes.

``meeting-server run`` and ``serve`` start :func:`start_reminders`; with several processes
each one runs it and the conditional updates in ``remind_overdue`` and ``remind_tasks`` let
one reminder through per step (or task) and day. ``meeting-server signing remind`` and
``meeting-server tasks remind`` do one pass (for cron, or a process started with
``SIGNING_REMIND_EVERY_S`` / ``TASK_REMIND_EVERY_S`` = 0).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..extensions import db, socketio

log = logging.getLogger(__name__)


def remind_once() -> int:
    """Send the due reminders (in an app context); return how many inboxes changed."""
    from ..services.signing_reminders import remind_overdue

    reminded = remind_overdue()
    db.session.commit()  # the inboxes are told after the commit (services/outbox.py)
    return len(reminded)


def remind_tasks_once() -> int:
    """Send today's task reminders (in an app context); return how many tasks."""
    from ..services.task_reminders import remind_tasks

    reminded = remind_tasks()
    db.session.commit()
    return len(reminded)


def start_reminders(app: Any) -> None:
    """Run the signing reminders every ``SIGNING_REMIND_EVERY_S`` seconds and the task
    reminders every ``TASK_REMIND_EVERY_S`` (0: never); and the webhook deliveries every
    ``WEBHOOK_DELIVER_EVERY_S`` (``cli/webhooks.py``)."""
    from .webhooks import deliver_once

    _every(app, float(app.config["SIGNING_REMIND_EVERY_S"]), remind_once, "signing")
    _every(app, float(app.config["TASK_REMIND_EVERY_S"]), remind_tasks_once, "task")
    _every(app, float(app.config["WEBHOOK_DELIVER_EVERY_S"]), deliver_once, "webhook")


def _every(app: Any, interval: float, job: Callable[[], int], what: str) -> None:
    if interval <= 0:
        return

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            try:
                with app.app_context():
                    job()
            except Exception:  # keep reminding after a failed pass (the database was away)
                log.exception("sending %s reminders failed", what)

    socketio.start_background_task(loop)
