"""Socket.IO handlers of the room's presenter: the presented document, page and zoom.

Page turns travel over the open connection (no HTTP round trip); each handler reads the same
as a view: parse, load, check permission, call one service, commit, answer with an ack. The
notice to the following tablets leaves after the commit (see broadcast.py).
"""

from __future__ import annotations

from typing import Any

from ..extensions import db, socketio
from ..models import Document, Meeting
from ..permissions import can_present, can_stop_presenting
from ..services import presentations as presentation_service
from ..services.errors import ServiceError
from .contract import Ack, MeetingRef, PresentAck, PresentPage, read_payload
from .identity import connection_viewer


def present_page(data: Any) -> PresentAck | Ack:
    """Sent by the presenter's tablet at each page turn or zoom: following tablets move too."""
    position = read_payload(PresentPage, data)
    if position is None:
        return Ack(ok=False, error="bad_request")
    document = db.session.get(Document, position.document_id)
    if document is None:
        return Ack(ok=False, error="not_found")
    meeting = document.agenda_item.meeting
    user = connection_viewer(meeting)
    if user is None or not can_present(user, document.agenda_item):
        return Ack(ok=False, error="forbidden")
    try:
        presentation_service.present_page(
            user,
            document,
            version_number=position.version,
            page=position.page,
            zoom=position.zoom,
        )
    except ServiceError as refused:
        db.session.rollback()
        return Ack(ok=False, error=str(refused.message))
    db.session.commit()
    return PresentAck(ok=True, error=None, seq=meeting.seq)


def stop_presenting(data: Any) -> Ack:
    """Sent by the presenter's tablet: stop presenting; tablets keep reading where they are."""
    ref = read_payload(MeetingRef, data)
    if ref is None:
        return Ack(ok=False, error="bad_request")
    meeting = db.session.get(Meeting, ref.meeting_id)
    if meeting is None:
        return Ack(ok=False, error="not_found")
    user = connection_viewer(meeting)
    presentation = presentation_service.presentation_of(meeting)
    if user is None or not can_stop_presenting(user, meeting, presentation):
        return Ack(ok=False, error="forbidden")
    presentation_service.stop_presenting(user, meeting)
    db.session.commit()
    return Ack(ok=True, error=None)


def register() -> None:
    """Register the presenter's handlers on the shared Socket.IO object."""
    socketio.on_event("present_page", present_page)
    socketio.on_event("stop_presenting", stop_presenting)
