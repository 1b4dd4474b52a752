"""Every server emit lives here; notices leave only after their transaction commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..services.notices import PENDING_KEY, PendingNotice
from .contract import Notice


def meeting_room(meeting_id: int, *, confidential: bool = False) -> str:
    """Return the Socket.IO room of a meeting (or of its confidential channel)."""
    return f"meeting:{meeting_id}:confidential" if confidential else f"meeting:{meeting_id}"


def notice_payload(notice: PendingNotice) -> Notice:
    """Return the wire form of a notice."""
    return Notice(
        meeting_id=notice.meeting_id, kind=notice.kind, ids=list(notice.ids),
        version=notice.version, seq=notice.seq,
    )  # fmt: skip


def send_notice(notice: PendingNotice) -> None:
    """Emit one notice to the tablets allowed to receive it."""
    room = meeting_room(notice.meeting_id, confidential=notice.confidential)
    socketio.emit(notice.kind, notice_payload(notice), to=room)


def _after_commit(session: Session) -> None:
    for notice in session.info.pop(PENDING_KEY, []):
        send_notice(notice)


def _after_rollback(session: Session, *_: Any) -> None:
    session.info.pop(PENDING_KEY, None)


def install() -> None:
    """Hook the app's sessions: send queued notices after commit, drop them on rollback."""
    factory = db.session.session_factory
    if not event.contains(factory, "after_commit", _after_commit):
        event.listen(factory, "after_commit", _after_commit)
        event.listen(factory, "after_soft_rollback", _after_rollback)
