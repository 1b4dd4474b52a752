"""Sending the queued webhooks: the serving process's background task and
``meeting-server webhooks deliver`` (one pass, for cron). ``run`` and ``serve`` start the task
with the reminders (``cli/reminders.start_reminders``, every ``WEBHOOK_DELIVER_EVERY_S``).

Each delivery goes claim → commit → send → record → commit (``services/webhook_delivery.py``):
no database transaction is open while a receiver answers, and a process that stops between
the claim and the record leaves a lease that runs out, so the next pass (of any process)
sends the message again with the same ``webhook-id``.
"""

from __future__ import annotations

import logging
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..services.audit import client_address

log = logging.getLogger(__name__)

#: Deliveries sent in one pass at most; the rest wait for the next pass.
PASS_LIMIT = 200


def deliver_once(now: datetime | None = None, limit: int = PASS_LIMIT) -> int:
    """Send what is due (in an app context); return how many attempts were made."""
    from ..services import webhook_delivery

    timeout = float(current_app.config["WEBHOOK_TIMEOUT_S"])
    attempts = 0
    while attempts < limit:
        claimed = webhook_delivery.claim_next(now)
        db.session.commit()  # the lease is ours before anything is sent
        if claimed is None:
            break
        answer = webhook_delivery.send(claimed, timeout)
        webhook_delivery.record_answer(claimed, answer, now)
        db.session.commit()
        attempts += 1
    return attempts


@click.group("webhooks")
def webhooks_group() -> None:
    """Outgoing webhooks."""


@webhooks_group.command("deliver")
@with_appcontext
def webhooks_deliver() -> None:
    """Send the webhooks that are due now, once (for cron)."""
    client_address.set("cli")
    made = deliver_once()
    click.echo(f"Webhook attempts made: {made}.")


COMMANDS = (webhooks_group,)
