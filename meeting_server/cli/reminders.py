"""Reminders of overdue signing steps, sent by the serving process every few minutes.

``meeting-server run`` and ``serve`` start :func:`start_reminders`; with several processes
each one runs it and the conditional update in ``remind_overdue`` lets one reminder through
per step and day. ``meeting-server signing remind`` does one pass (for cron, or a process
started with ``SIGNING_REMIND_EVERY_S = 0``).
"""

from __future__ import annotations

import logging
from typing import Any

from ..extensions import db, socketio

log = logging.getLogger(__name__)


def remind_once() -> int:
    """Send the due reminders (in an app context); return how many inboxes changed."""
    from ..services.signing_reminders import remind_overdue

    reminded = remind_overdue()
    db.session.commit()  # the inboxes are told after the commit (services/outbox.py)
    return len(reminded)


def start_reminders(app: Any) -> None:
    """Run :func:`remind_once` every ``SIGNING_REMIND_EVERY_S`` seconds (0: never)."""
    interval = float(app.config["SIGNING_REMIND_EVERY_S"])
    if interval <= 0:
        return

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            try:
                with app.app_context():
                    remind_once()
            except Exception:  # keep reminding after a failed pass (the database was away)
                log.exception("sending signing reminders failed")

    socketio.start_background_task(loop)
