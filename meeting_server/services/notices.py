"""Notices for the tablets: numbered, stored with the meeting, sent only after the commit.

A service calls :func:`record_notice` inside its transaction. The notice gets the meeting's
next ``seq`` and is stored (``MeetingEvent``) so a reconnecting tablet knows what it missed;
it is also recorded in the outbox (``services/outbox.py``), which ``realtime/broadcast.py``
sends once the session commits, with the parts of the state it changed for each audience
(``services/live_state.py``). A refused change sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import case, update
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Meeting, MeetingEvent, MeetingStatus
from . import outbox


def record_notice(
    meeting: Meeting,
    kind: str,
    ids: Iterable[int] = (),
    *,
    confidential: bool = False,
    readers: Iterable[int | None] = (),
    changes_content: bool = True,
) -> MeetingEvent:
    """Number, store and queue a notice about ``meeting``.

    ``confidential``: only readers who may see confidential items learn its kind and ids.
    ``readers``: the people whose own part of the state (attendance, may vote…) changed.

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
    people = tuple(sorted({int(r) for r in readers if r is not None}))
    outbox.record(
        outbox.MeetingNotice(meeting.id, kind, tuple(id_list), version, seq, confidential, people)
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
