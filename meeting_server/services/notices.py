"""Notices for the tablets: numbered, stored with the meeting, sent only after the commit.

A service calls :func:`record_notice` inside its transaction. The notice gets the meeting's
next ``seq`` and is stored (``MeetingEvent``) so a reconnecting tablet can replay what it
missed; it is also queued on the database session. ``realtime/broadcast.py`` sends the queue
once the session commits and drops it on rollback — a refused change sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Meeting, MeetingEvent, MeetingStatus

PENDING_KEY = "pending_notices"


@dataclass(frozen=True)
class PendingNotice:
    """A notice waiting for its transaction to commit."""

    meeting_id: int
    kind: str
    ids: tuple[int, ...]
    version: int
    seq: int
    confidential: bool
    #: Extra position data sent live only (e.g. the presented page); replays re-read the state.
    state: dict[str, Any] | None = field(default=None, compare=False)


def record_notice(
    meeting: Meeting,
    kind: str,
    ids: Iterable[int] = (),
    *,
    confidential: bool = False,
    state: dict[str, Any] | None = None,
    changes_content: bool = True,
) -> MeetingEvent:
    """Number, store and queue a notice about ``meeting``.

    The meeting's ``version`` moves on only for content changes of a published meeting, not
    for the room's position (current item, presented page).
    """
    meeting.seq += 1
    if changes_content and meeting.status != MeetingStatus.DRAFT:
        meeting.version += 1
    id_list = [int(i) for i in ids]
    event = MeetingEvent(
        meeting_id=meeting.id, seq=meeting.seq, kind=kind, ids=json.dumps(id_list),
        version=meeting.version, confidential=confidential,
    )  # fmt: skip
    db.session.add(event)
    db.session.flush()
    pending(db.session()).append(
        PendingNotice(
            meeting.id, kind, tuple(id_list), meeting.version, meeting.seq, confidential, state
        )
    )
    return event


def pending(session: Session) -> list[PendingNotice]:
    """Return the notices queued on ``session`` (created on first use)."""
    queue: list[PendingNotice] = session.info.setdefault(PENDING_KEY, [])
    return queue


def events_since(meeting: Meeting, seq: int, *, confidential: bool) -> list[MeetingEvent]:
    """Return the stored notices after ``seq``, without confidential ones unless allowed."""
    query = select(MeetingEvent).where(
        MeetingEvent.meeting_id == meeting.id, MeetingEvent.seq > seq
    )
    if not confidential:
        query = query.where(MeetingEvent.confidential.is_(False))
    return list(db.session.scalars(query.order_by(MeetingEvent.seq)))
