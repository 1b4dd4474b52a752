"""Reminders of overdue signatures: once a day in the signer's inbox (and their open pages).

Run by `meeting-server reminders` (every process's housekeeping may run it: each reminder is
claimed by a conditional update, so one goes out).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import NoticeKind, RequestStatus, SigningRequest, SigningStep, StepStatus, utcnow
from . import outbox
from .signing_requests import changed_rows, notify

__all__ = ["REMIND_EVERY", "remind_overdue"]

REMIND_EVERY = timedelta(hours=24)


def remind_overdue(now: datetime | None = None) -> set[tuple[int, int]]:
    """Put a reminder in the inbox of each overdue step's signer, at most once a day.

    Returns (signer, request) pairs whose inbox changed. Safe to run from several processes
    at once: each reminder is claimed by a conditional update.
    """
    now = now or utcnow()
    overdue = db.session.scalars(
        select(SigningStep)
        .join(SigningRequest)
        .where(
            SigningStep.status == StepStatus.PENDING,
            SigningRequest.status == RequestStatus.IN_PROGRESS,
            SigningRequest.due_at < now,
            or_(SigningStep.reminded_at.is_(None), SigningStep.reminded_at < now - REMIND_EVERY),
        )
    ).all()
    reminded: set[tuple[int, int]] = set()
    for step in overdue:
        claimed = changed_rows(
            update(SigningStep)
            .where(SigningStep.id == step.id, or_(SigningStep.reminded_at.is_(None),
                                                  SigningStep.reminded_at < now - REMIND_EVERY))
            .values(reminded_at=now)
        )  # fmt: skip
        if claimed == 1 and step.signer_id is not None:
            notify(step.signer_id, step.request, NoticeKind.REMINDER)
            outbox.record(outbox.InboxChanged(frozenset({step.signer_id}), step.request_id))
            reminded.add((step.signer_id, step.request_id))
    db.session.flush()
    return reminded
