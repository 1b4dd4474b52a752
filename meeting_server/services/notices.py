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

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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

    Both advance in SQL (``UPDATE … RETURNING``), never from the values this request read
    earlier: the row lock makes concurrent changes to one meeting (a room checking in at
    once) wait for each other's commit instead of colliding on ``(meeting_id, seq)``.
    """
    seq, version = _advance(meeting, changes_content)
    id_list = [int(i) for i in ids]
    event = MeetingEvent(
        meeting_id=meeting.id,
        seq=seq,
        kind=kind,
        ids=json.dumps(id_list),
        version=version,
        confidential=confidential,
    )
    db.session.add(event)
    db.session.flush()
    pending(db.session()).append(
        PendingNotice(meeting.id, kind, tuple(id_list), version, seq, confidential, state)
    )
    return event


def _advance(meeting: Meeting, changes_content: bool) -> tuple[int, int]:
    """Add one to the meeting's ``seq`` (and ``version``) in the database; return both."""
    bump = 0
    if changes_content:
        bump = case((Meeting.status == MeetingStatus.DRAFT, 0), else_=1)  # type: ignore[assignment]
    statement = (
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(seq=Meeting.seq + 1, version=Meeting.version + bump)
        .returning(Meeting.seq, Meeting.version)
        .execution_options(synchronize_session=False)
    )
    seq, version = db.session.execute(statement).one()
    set_committed_value(meeting, "seq", seq)  # the object shows the numbers it now holds
    set_committed_value(meeting, "version", version)
    return int(seq), int(version)


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
