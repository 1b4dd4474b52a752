"""Requests to speak (đăng ký phát biểu): raised from a tablet, the floor given by the chair.

The queue is ordered by the time of the request. Giving the floor to someone ends the turn of
whoever was speaking; every turn's start and end are recorded for the minutes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import (
    AgendaItem,
    Document,
    Invitation,
    Meeting,
    MeetingStatus,
    SpeakingRequest,
    SpeakingStatus,
    User,
    utcnow,
)
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .notices import record_notice

MAX_TOPIC = 500


def request_to_speak(
    actor: User,
    invitation: Invitation,
    *,
    item: AgendaItem | None = None,
    document: Document | None = None,
    topic: str = "",
) -> SpeakingRequest:
    """Put the invitee in the queue (once: a second request while waiting is refused)."""
    meeting = invitation.meeting
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise NotAllowed(_l("You can ask to speak once the meeting has started."))
    if len(topic) > MAX_TOPIC:
        raise ServiceError(_l("Keep the topic under %(n)s characters.", n=MAX_TOPIC), field="topic")
    if _active_request(invitation) is not None:
        raise NotAllowed(_l("You are already in the queue to speak."))
    if document is not None and item is None:
        item = document.agenda_item
    request = SpeakingRequest(
        meeting_id=meeting.id,
        invitation=invitation,
        agenda_item=item,
        document=document,
        topic=topic.strip(),
        status=SpeakingStatus.WAITING,
    )
    db.session.add(request)
    return _changed(actor, request, "speaking.request")


def withdraw(actor: User, request: SpeakingRequest) -> SpeakingRequest:
    """Take a waiting request out of the queue."""
    if request.status != SpeakingStatus.WAITING:
        raise NotAllowed(_l("Only a request that is still waiting can be withdrawn."))
    request.status = SpeakingStatus.WITHDRAWN
    request.ended_at = utcnow()
    return _changed(actor, request, "speaking.withdraw")


def give_floor(actor: User, request: SpeakingRequest) -> SpeakingRequest:
    """Let the requester speak now; whoever was speaking is done."""
    if request.status != SpeakingStatus.WAITING:
        raise NotAllowed(_l("This person is not waiting to speak."))
    meeting = request.invitation.meeting
    current = current_speaker(meeting)
    if current is not None:
        current.status, current.ended_at = SpeakingStatus.DONE, utcnow()
    request.status = SpeakingStatus.SPEAKING
    request.started_at = utcnow()
    return _changed(actor, request, "speaking.give_floor")


def end_floor(actor: User, request: SpeakingRequest) -> SpeakingRequest:
    """End the current speaker's turn."""
    if request.status != SpeakingStatus.SPEAKING:
        raise NotAllowed(_l("This person is not speaking."))
    request.status = SpeakingStatus.DONE
    request.ended_at = utcnow()
    return _changed(actor, request, "speaking.end")


def end_all(meeting: Meeting) -> None:
    """Close the queue when the meeting ends: the speaker is done, waiting requests lapse."""
    now = utcnow()
    for request in queue_of(meeting):
        if request.status == SpeakingStatus.SPEAKING:
            request.status, request.ended_at = SpeakingStatus.DONE, now
        else:
            request.status, request.ended_at = SpeakingStatus.WITHDRAWN, now


def queue_of(meeting: Meeting) -> list[SpeakingRequest]:
    """Return who speaks and who waits, the speaker first, then in the order asked."""
    rows = db.session.scalars(
        select(SpeakingRequest)
        .where(
            SpeakingRequest.meeting_id == meeting.id,
            SpeakingRequest.status.in_([SpeakingStatus.SPEAKING, SpeakingStatus.WAITING]),
        )
        .order_by(SpeakingRequest.requested_at, SpeakingRequest.id)
    )
    return sorted(rows, key=lambda r: r.status != SpeakingStatus.SPEAKING)


def log_of(meeting: Meeting) -> list[SpeakingRequest]:
    """Return the turns that were given, in the order they started (for the minutes)."""
    return list(
        db.session.scalars(
            select(SpeakingRequest)
            .where(
                SpeakingRequest.meeting_id == meeting.id, SpeakingRequest.started_at.is_not(None)
            )
            .order_by(SpeakingRequest.started_at, SpeakingRequest.id)
        )
    )


def current_speaker(meeting: Meeting) -> SpeakingRequest | None:
    """Return the request of whoever has the floor."""
    return db.session.scalar(
        select(SpeakingRequest).where(
            SpeakingRequest.meeting_id == meeting.id,
            SpeakingRequest.status == SpeakingStatus.SPEAKING,
        )
    )


def _active_request(invitation: Invitation) -> SpeakingRequest | None:
    return db.session.scalar(
        select(SpeakingRequest).where(
            SpeakingRequest.invitation_id == invitation.id,
            SpeakingRequest.status.in_([SpeakingStatus.WAITING, SpeakingStatus.SPEAKING]),
        )
    )


def _changed(actor: User, request: SpeakingRequest, action: str) -> SpeakingRequest:
    db.session.flush()
    meeting = request.invitation.meeting
    record_notice(meeting, "speaking_changed", [request.id], changes_content=False)
    record_event(actor, action, "meeting", meeting.id, request=request.id)
    return request
