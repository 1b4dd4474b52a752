"""Calendar feeds: secret iCalendar addresses of a person's or a room's meetings.

An address holds 32 random bytes (``secrets.token_urlsafe``); only their SHA-256 is stored,
and a request finds its feed by that hash (the unique column). Each person and each room has
at most one working address: making a new one revokes the old, so a leaked address is shut by
making another. A feed lists the published meetings from ``PAST`` ago to ``AHEAD`` from now;
the text itself is ``services/calendar_ics.py``'s.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from ..extensions import db
from ..models import CalendarFeed, FeedKind, Invitation, Meeting, MeetingStatus, Room, User, utcnow
from .audit import record_event
from .calendar_ics import render_calendar
from .errors import NotAllowed

#: The meetings a feed lists: those ending after ``now - PAST`` and starting before ``now + AHEAD``.
PAST = timedelta(days=90)
AHEAD = timedelta(days=365)
#: ``last_used_at`` is written at most this often (a calendar app polls; no write per poll).
USED_EVERY = timedelta(minutes=1)
#: The longest token looked up (ours are 43 characters); anything longer is nobody's.
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class NewFeed:
    """A feed just made, with its token: shown once, never stored."""

    feed: CalendarFeed
    token: str


@dataclass(frozen=True)
class FeedBody:
    """What a feed answers now: the calendar, its entity tag (unquoted: the hash of the text)
    and when its meetings last changed."""

    body: bytes
    etag: str
    last_modified: datetime | None


def token_hash(token: str) -> str:
    """Return the stored form of a token: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_person_feed(actor: User, owner: User) -> NewFeed:
    """Make a new address of ``owner``'s meetings; their earlier one stops working."""
    replaced = _revoke_all(select(CalendarFeed).where(CalendarFeed.user_id == owner.id))
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        kind=FeedKind.PERSON, user=owner, token_hash=token_hash(token), created_by_id=actor.id
    )
    db.session.add(feed)
    db.session.flush()
    record_event(
        actor,
        "calendar_feed.create",
        "calendar_feed",
        feed.id,
        kind="person",
        user_id=owner.id,
        replaced=replaced,
    )
    return NewFeed(feed, token)


def create_room_feed(actor: User, room: Room) -> NewFeed:
    """Make a new address of ``room``'s meetings; its earlier one stops working."""
    replaced = _revoke_all(select(CalendarFeed).where(CalendarFeed.room_id == room.id))
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        kind=FeedKind.ROOM, room=room, token_hash=token_hash(token), created_by_id=actor.id
    )
    db.session.add(feed)
    db.session.flush()
    record_event(
        actor,
        "calendar_feed.create",
        "calendar_feed",
        feed.id,
        kind="room",
        room_id=room.id,
        room=room.name,
        replaced=replaced,
    )
    return NewFeed(feed, token)


def revoke_feed(actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Stop an address working: every calendar subscribed to it stops updating."""
    if feed.revoked_at is not None:
        raise NotAllowed(_l("This calendar address was already turned off. Make a new one."))
    feed.revoked_at = utcnow()
    db.session.flush()
    record_event(actor, "calendar_feed.revoke", "calendar_feed", feed.id, kind=feed.kind.value)
    return feed


def _revoke_all(query: Select[CalendarFeed]) -> list[int]:
    """Revoke the working feeds ``query`` finds; return their ids (for the audit trail)."""
    now = utcnow()
    feeds = list(db.session.scalars(query.where(CalendarFeed.revoked_at.is_(None))))
    for feed in feeds:
        feed.revoked_at = now
    return [feed.id for feed in feeds]


def person_feed(user: User) -> CalendarFeed | None:
    """Return ``user``'s working address, if any."""
    query = select(CalendarFeed).where(CalendarFeed.user_id == user.id)
    return _working(query)


def room_feed(room: Room) -> CalendarFeed | None:
    """Return ``room``'s working address, if any."""
    return _working(select(CalendarFeed).where(CalendarFeed.room_id == room.id))


def _working(query: Select[CalendarFeed]) -> CalendarFeed | None:
    query = query.where(CalendarFeed.revoked_at.is_(None)).order_by(CalendarFeed.id.desc())
    return db.session.scalars(query.limit(1)).first()


def feed_for_token(token: str) -> CalendarFeed | None:
    """Return the feed ``token`` opens, or None: unknown, revoked, or its person deactivated
    (the caller answers all three alike)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    query = select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token))
    feed = db.session.scalars(query).first()
    if feed is None or feed.revoked_at is not None:
        return None
    if feed.kind == FeedKind.PERSON and (feed.user is None or not feed.user.active):
        return None
    return feed


def read_feed(feed: CalendarFeed) -> FeedBody:
    """Return the feed's calendar now, and note the use (at most once a minute)."""
    now = utcnow()
    meetings = feed_meetings(feed, now)
    body = render_calendar(feed_name(feed), meetings)
    if feed.last_used_at is None or now - feed.last_used_at >= USED_EVERY:
        feed.last_used_at = now
        db.session.flush()
    changed = max((m.updated_at for m in meetings), default=None)
    return FeedBody(body, hashlib.sha256(body).hexdigest()[:32], changed)


def feed_meetings(feed: CalendarFeed, now: datetime) -> list[Meeting]:
    """Return the published meetings the feed lists at ``now``, by start time."""
    query = select(Meeting).where(
        Meeting.status != MeetingStatus.DRAFT,
        Meeting.ends_at > now - PAST,
        Meeting.starts_at < now + AHEAD,
    )
    if feed.kind == FeedKind.ROOM:
        query = query.where(Meeting.room_id == feed.room_id)
    else:
        query = query.join(Invitation, Invitation.meeting_id == Meeting.id).where(
            Invitation.user_id == feed.user_id
        )
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def feed_name(feed: CalendarFeed) -> str:
    """Return the name calendar apps show for the feed."""
    if feed.kind == FeedKind.ROOM and feed.room is not None:
        return str(_l("Meetings in %(room)s", room=feed.room.name))
    full_name = feed.user.full_name if feed.user is not None else ""
    return str(_l("Meetings of %(name)s", name=full_name))
