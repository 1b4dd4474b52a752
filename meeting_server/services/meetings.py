"""Preparing meetings: create, change, publish, and the schedule queries."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select

from ..extensions import db
from ..models import (
    Invitation,
    Meeting,
    MeetingRole,
    MeetingStatus,
    Room,
    User,
    is_member_role,
    utcnow,
)
from . import webhooks
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .notices import record_notice
from .participants import end_connections_of


def create_meeting(
    actor: User,
    *,
    title: str,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    chair: User | None = None,
    description: str = "",
    confidential_download: bool = False,
    quorum_percent: int | None = None,
) -> Meeting:
    """Create a draft meeting; the author is its secretary, the chair is invited as chair.

    ``quorum_percent``: more than this % of the members must be present (None: 50).
    """
    meeting = Meeting(
        title="", room=room, starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id
    )
    meeting.secretary = actor
    _apply(meeting, title, room, starts_at, ends_at, description, confidential_download)
    meeting.quorum_percent = _quorum_percent(50 if quorum_percent is None else quorum_percent)
    db.session.add(meeting)
    _set_chair(meeting, chair)
    _ensure_invited(meeting, actor, MeetingRole.SECRETARY)
    db.session.flush()
    record_event(actor, "meeting.create", "meeting", meeting.id, title=meeting.title)
    return meeting


def update_meeting(
    actor: User,
    meeting: Meeting,
    *,
    title: str,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    chair: User | None,
    description: str = "",
    confidential_download: bool | None = None,
    quorum_percent: int | None = None,
) -> Meeting:
    """Change a meeting's details; participants of a published meeting see a new version.

    ``confidential_download`` (may participants download and print confidential items,
    watermarked) and ``quorum_percent`` stay as they were when ``None``.
    """
    if confidential_download is None:
        confidential_download = meeting.confidential_download
    _apply(meeting, title, room, starts_at, ends_at, description, confidential_download)
    if quorum_percent is not None:
        meeting.quorum_percent = _quorum_percent(quorum_percent)
    _set_chair(meeting, chair)
    record_notice(meeting, "meeting_updated")
    record_event(
        actor,
        "meeting.update",
        "meeting",
        meeting.id,
        title=meeting.title,
        confidential_download=meeting.confidential_download,
        quorum_percent=meeting.quorum_percent,
    )
    return meeting


def publish_meeting(actor: User, meeting: Meeting) -> Meeting:
    """Make a draft visible to its participants."""
    if meeting.status != MeetingStatus.DRAFT:
        raise NotAllowed(_l("This meeting is already published."))
    if not meeting.agenda_items:
        raise NotAllowed(_l("Add at least one agenda item before publishing."))
    if not any(inv.role != MeetingRole.SECRETARY for inv in meeting.invitations):
        raise NotAllowed(_l("Invite the participants before publishing."))
    meeting.status = MeetingStatus.PUBLISHED
    meeting.published_at = utcnow()
    record_notice(meeting, "meeting_published")
    webhooks.record(webhooks.MEETING_PUBLISHED, meeting)
    record_event(actor, "meeting.publish", "meeting", meeting.id, version=meeting.version)
    return meeting


def meetings_between(start: datetime, end: datetime, room: Room | None = None) -> list[Meeting]:
    """Return meetings overlapping [start, end), optionally in one room, by start time."""
    query = select(Meeting).where(Meeting.starts_at < end, Meeting.ends_at > start)
    if room is not None:
        query = query.where(Meeting.room_id == room.id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def meetings_of_participant(user: User, since: datetime) -> list[Meeting]:
    """Return published meetings the user is invited to that end after ``since``."""
    query = (
        select(Meeting)
        .join(Invitation, Invitation.meeting_id == Meeting.id)
        .where(Invitation.user_id == user.id, Meeting.status != MeetingStatus.DRAFT)
        .where(Meeting.ends_at > since)
        .order_by(Meeting.starts_at)
    )
    return list(db.session.scalars(query))


def _apply(
    meeting: Meeting,
    title: str,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    description: str,
    confidential_download: bool,
) -> None:
    title = title.strip()
    if not title:
        raise ServiceError(_l("Give the meeting a title."), field="title")
    if ends_at <= starts_at:
        raise ServiceError(_l("The meeting must end after it starts."), field="ends_at")
    if not room.active:
        raise ServiceError(_l("The room %(r)s is not in use.", r=room.name), field="room")
    clash = _overlapping(meeting, room, starts_at, ends_at)
    if clash is not None:
        raise ServiceError(
            _l("The room %(r)s is already booked then for: %(t)s.", r=room.name, t=clash.title),
            field="room",
        )
    meeting.title, meeting.room, meeting.description = title, room, description.strip()
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.confidential_download = confidential_download


def _quorum_percent(percent: int) -> int:
    if not 0 <= percent <= 99:
        raise ServiceError(
            _l("Enter the quorum as a whole percentage from 0 to 99 (50: more than half)."),
            field="quorum_percent",
        )
    return percent


def _overlapping(
    meeting: Meeting, room: Room, starts_at: datetime, ends_at: datetime
) -> Meeting | None:
    # A meeting that has ended holds its room until it ended, not until its planned end.
    held_until = case((Meeting.ended_at.is_not(None), Meeting.ended_at), else_=Meeting.ends_at)
    query = select(Meeting).where(
        Meeting.room_id == room.id,
        Meeting.starts_at < ends_at,
        held_until > starts_at,
    )
    if meeting.id is not None:
        query = query.where(Meeting.id != meeting.id)
    return db.session.scalars(query.limit(1)).first()


def _set_chair(meeting: Meeting, chair: User | None) -> None:
    if meeting.chair is not None and meeting.chair is not chair:
        old = next((i for i in meeting.invitations if i.user_id == meeting.chair.id), None)
        if old is not None and old.role == MeetingRole.CHAIR:
            end_connections_of(meeting, old)  # no longer among the meeting's managers
            old.role = MeetingRole.MEMBER
    meeting.chair = chair
    if chair is not None:
        _ensure_invited(meeting, chair, MeetingRole.CHAIR).role = MeetingRole.CHAIR


def _ensure_invited(meeting: Meeting, user: User, role: MeetingRole) -> Invitation:
    # One row, not the whole list: a meeting may have a thousand invitations.
    existing = db.session.scalar(
        select(Invitation).where(Invitation.meeting == meeting, Invitation.user_id == user.id)
    )
    if existing is not None:
        return existing
    member = is_member_role(role)
    invitation = Invitation(
        user=user,
        role=role,
        may_view_confidential=True,
        counts_toward_quorum=member,
        may_vote=member,
    )
    meeting.invitations.append(invitation)
    return invitation
