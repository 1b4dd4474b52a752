"""A stand-in for an office's mail system: the task mail hook the tests configure."""

from __future__ import annotations

from meeting_server.services.task_mail import TaskMail

#: What the hook was handed, in order.
SENT: list[TaskMail] = []


def deliver(mail: TaskMail) -> None:
    """Keep the message (``TASK_MAIL_HOOK = "tests.support.mailbox:deliver"``)."""
    SENT.append(mail)
