"""Signed-in sessions on the server: start, find, end one, end all of a person's.

The browser's (signed) cookie carries a random token; the ``user_session`` row with its
SHA-256 is what makes the cookie worth anything. Ending the row signs that browser out on
every server process at the next request or socket event, and the outbox closes the person's
open sockets (``ConnectionsEnded``), so a copied cookie stops working the moment its owner
signs out, an administrator resets the password, changes the roles or deactivates the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..models import (
    Device,
    Invitation,
    Meeting,
    MeetingStatus,
    SessionEnd,
    User,
    UserSession,
    utcnow,
)
from . import outbox
from .audit import record_event

#: A session's ``last_seen_at`` is written at most this often (not on each of a tablet's
#: requests); the idle timeout therefore counts to this resolution.
SEEN_RESOLUTION = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, address: str = "", user_agent: str = "") -> str:
    """Open a session for ``user``; return the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user.id,
            address=address[:45],
            user_agent=user_agent[:200],
        )
    )
    db.session.flush()
    return token


def find_session(token: object, *, idle_limit: timedelta, max_age: timedelta) -> UserSession | None:
    """Return the open session of ``token`` with its active user, or None.

    A session unused for longer than ``idle_limit``, or older than ``max_age``, is ended here
    (reason ``idle``; the caller commits).
    """
    if not isinstance(token, str) or not token:
        return None
    found = db.session.scalar(
        select(UserSession).where(
            UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None)
        )
    )
    if found is None or not found.user.active:
        return None
    now = utcnow()
    if now - found.last_seen_at > idle_limit or now - found.created_at > max_age:
        _end([found.id], SessionEnd.IDLE, now)
        return None
    return found


def end_reason(token: object) -> SessionEnd | None:
    """Return why the session of ``token`` ended (None if unknown or still open)."""
    if not isinstance(token, str) or not token:
        return None
    return db.session.scalar(
        select(UserSession.end_reason).where(UserSession.token_hash == _hash(token))
    )


def seen_now(found: UserSession) -> bool:
    """Record activity on ``found`` if the last record is older than the resolution.

    :return: whether the row changed (the caller commits).
    """
    now = utcnow()
    if now - found.last_seen_at < SEEN_RESOLUTION:
        return False
    found.last_seen_at = now
    return True


def end_session(found: UserSession, reason: SessionEnd) -> None:
    """End one session (this browser) and close its person's open sockets."""
    _end([found.id], reason, utcnow())
    record_event(found.user, "auth.session_ended", "user", found.user_id, reason=reason.value)
    outbox.record(outbox.ConnectionsEnded(user_ids=frozenset({found.user_id})))


def end_sessions_of(actor: User | None, user: User, reason: SessionEnd) -> int:
    """End every open session of ``user`` and close their sockets; return how many ended."""
    ids = list(
        db.session.scalars(
            select(UserSession.id).where(
                UserSession.user_id == user.id, UserSession.ended_at.is_(None)
            )
        )
    )
    if ids:
        _end(ids, reason, utcnow())
    record_event(
        actor, "auth.sessions_ended", "user", user.id, reason=reason.value, sessions=len(ids)
    )
    # Deactivated, or other roles: the room tablets at their seats read as them, so they join
    # again too (signing out leaves the seat theirs).
    devices = _seat_tablets(user) if reason in SEAT_REASONS else frozenset()
    outbox.record(outbox.ConnectionsEnded(user_ids=frozenset({user.id}), device_ids=devices))
    return len(ids)


SEAT_REASONS = frozenset({SessionEnd.DEACTIVATED, SessionEnd.ROLES_CHANGED})


def _seat_tablets(user: User) -> frozenset[int]:
    """The room tablets at the seats ``user`` holds in meetings not yet ended."""
    rows = db.session.scalars(
        select(Device.id)
        .join(Meeting, Meeting.room_id == Device.room_id)
        .join(Invitation, (Invitation.meeting_id == Meeting.id) & (Invitation.seat == Device.seat))
        .where(
            Invitation.user_id == user.id,
            Device.revoked_at.is_(None),
            Meeting.status != MeetingStatus.ENDED,
        )
    )
    return frozenset(rows)


def _end(ids: list[int], reason: SessionEnd, now: datetime) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.id.in_(ids), UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
