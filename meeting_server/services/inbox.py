"""A person's signing inbox: what waits for them, what they handled, what they sent, notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    InboxNotice,
    RequestStatus,
    Role,
    SigningRequest,
    SigningStep,
    StepKind,
    StepStatus,
    User,
    utcnow,
)
from ..permissions import can_act_on_step

DONE_SHOWN = 100
NOTICES_SHOWN = 30


@dataclass(frozen=True)
class Inbox:
    """The lists of the inbox page, newest first (pending: the most urgent first)."""

    pending: list[SigningStep]
    done: list[SigningStep]
    sent: list[SigningRequest]
    notices: list[InboxNotice]
    unread: int
    now: datetime

    @property
    def overdue(self) -> list[SigningStep]:
        """The pending steps whose request is past its due date."""
        return [s for s in self.pending if s.request.due_at < self.now]


def inbox_of(user: User, now: datetime | None = None) -> Inbox:
    """Return ``user``'s inbox; clerks see every pending seal step."""
    now = now or utcnow()
    mine = SigningStep.signer_id == user.id
    if user.has_role(Role.CLERK):
        mine = or_(
            and_(mine, SigningStep.kind == StepKind.SIGNER), SigningStep.kind == StepKind.SEAL
        )
    pending = db.session.scalars(
        select(SigningStep)
        .join(SigningRequest)
        .where(mine, SigningStep.status == StepStatus.PENDING,
               SigningRequest.status == RequestStatus.IN_PROGRESS)
        .order_by(SigningRequest.due_at, SigningStep.id)
        .options(selectinload(SigningStep.request).selectinload(SigningRequest.sender))
    ).all()  # fmt: skip
    done = db.session.scalars(
        select(SigningStep)
        .where(SigningStep.acted_by_id == user.id)
        .order_by(SigningStep.acted_at.desc())
        .limit(DONE_SHOWN)
        .options(selectinload(SigningStep.request))
    ).all()
    sent = db.session.scalars(
        select(SigningRequest)
        .where(SigningRequest.sender_id == user.id)
        .order_by(SigningRequest.created_at.desc())
        .limit(DONE_SHOWN)
        .options(selectinload(SigningRequest.steps).selectinload(SigningStep.signer))
    ).all()
    notices = db.session.scalars(
        select(InboxNotice)
        .where(InboxNotice.user_id == user.id)
        .order_by(InboxNotice.created_at.desc(), InboxNotice.id.desc())
        .limit(NOTICES_SHOWN)
        .options(selectinload(InboxNotice.request))
    ).all()
    return Inbox(list(pending), list(done), list(sent), list(notices), unread_count(user), now)


def unread_count(user: User) -> int:
    """Return how many inbox notices the user has not seen."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(InboxNotice)
            .where(InboxNotice.user_id == user.id, InboxNotice.read_at.is_(None))
        )
        or 0
    )


def mark_read(user: User, request: SigningRequest) -> None:
    """Mark the user's notices about ``request`` as seen (they opened it)."""
    db.session.execute(
        update(InboxNotice)
        .where(InboxNotice.user_id == user.id, InboxNotice.request_id == request.id,
               InboxNotice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def actionable_step(user: User | None, request: SigningRequest) -> SigningStep | None:
    """Return the step of ``request`` the user may sign or return now, if any."""
    step = request.current_step
    return step if step is not None and can_act_on_step(user, step) else None
