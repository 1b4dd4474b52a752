"""Running a meeting in the room: start, end, the current item and the presented page.

Every change sends a numbered notice so that every tablet follows at once. Page turns carry
the presented position in the notice itself (document, version, page, zoom — never content),
so followers need no extra request; a tablet that missed some re-reads the state.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import AgendaItem, Document, Meeting, MeetingStatus, Presentation, User, utcnow
from . import speaking, votes, webhooks
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .notices import record_notice

ZOOM_RANGE = (25, 400)


def presentation_of(meeting: Meeting) -> Presentation | None:
    """Return what the room is looking at, if anything yet."""
    return db.session.get(Presentation, meeting.id)


def start_meeting(actor: User, meeting: Meeting) -> Meeting:
    """Open a published meeting: tablets show it as in progress."""
    if meeting.status != MeetingStatus.PUBLISHED:
        raise NotAllowed(_l("Only a published meeting that has not started can be started."))
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.started_at = utcnow()
    record_notice(meeting, "meeting_started")
    record_event(actor, "meeting.start", "meeting", meeting.id)
    return meeting


def end_meeting(actor: User, meeting: Meeting) -> Meeting:
    """Close a meeting in progress: presenting stops and tablets drop their cached documents."""
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise NotAllowed(_l("Only a meeting in progress can be ended."))
    if votes.open_vote_of(meeting) is not None:
        raise NotAllowed(_l("A vote is still open. Close it before ending the meeting."))
    speaking.end_all(meeting)
    meeting.status = MeetingStatus.ENDED
    meeting.ended_at = utcnow()
    presentation = presentation_of(meeting)
    if presentation is not None:
        presentation.document_id = None
        presentation.version_number = None
    record_notice(meeting, "meeting_ended")
    webhooks.record(webhooks.MEETING_ENDED, meeting)
    record_event(actor, "meeting.end", "meeting", meeting.id)
    return meeting


def set_current_item(actor: User, meeting: Meeting, item: AgendaItem) -> Presentation:
    """Move the meeting to ``item`` (highlighted on every tablet)."""
    if item.meeting_id != meeting.id:
        raise ServiceError(_l("This item belongs to another meeting."))
    _require_in_progress(meeting)
    presentation = _presentation(meeting)
    if presentation.current_item_id != item.id:
        presentation.current_item_id = item.id
        db.session.flush()
        record_notice(meeting, "current_item_changed", [item.id], changes_content=False)
        record_event(actor, "meeting.current_item", "meeting", meeting.id, item=item.id)
    return presentation


def present_page(
    actor: User, document: Document, *, version_number: int, page: int, zoom: int
) -> Presentation:
    """Show ``page`` of ``document`` on every following tablet (and make its item current)."""
    item = document.agenda_item
    meeting = item.meeting
    _require_in_progress(meeting)
    _check_position(document, version_number, page, zoom)
    set_current_item(actor, meeting, item)
    presentation = _presentation(meeting)
    changed_document = (presentation.document_id, presentation.version_number) != (
        document.id,
        version_number,
    )
    presentation.document_id, presentation.version_number = document.id, version_number
    presentation.page, presentation.zoom, presentation.presenter_id = page, zoom, actor.id
    db.session.flush()
    record_notice(
        meeting,
        "presenter_page_changed",
        [document.id],
        confidential=item.confidential,
        changes_content=False,
    )
    if changed_document:
        record_event(actor, "meeting.present", "document", document.id, version=version_number)
    return presentation


def stop_presenting(actor: User, meeting: Meeting) -> Presentation:
    """Stop presenting: tablets keep their page and read freely."""
    presentation = _presentation(meeting)
    if presentation.document_id is not None:
        presentation.document_id = presentation.version_number = None
        db.session.flush()
        record_notice(meeting, "presenter_page_changed", [], changes_content=False)
        record_event(actor, "meeting.stop_presenting", "meeting", meeting.id)
    return presentation


def _check_position(document: Document, version_number: int, page: int, zoom: int) -> None:
    if document.removed_at is not None:
        raise NotAllowed(_l("This document was withdrawn; it cannot be presented."))
    if version_number != document.current.number:
        raise NotAllowed(_l("This document was replaced. Open its new version to present it."))
    if not 1 <= page <= document.current.page_count:
        raise ServiceError(_l("This page does not exist in the document."))
    if not ZOOM_RANGE[0] <= zoom <= ZOOM_RANGE[1]:
        raise ServiceError(_l("Zoom must be between 25% and 400%."))


def _require_in_progress(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise NotAllowed(_l("Start the meeting first."))


def _presentation(meeting: Meeting) -> Presentation:
    presentation = presentation_of(meeting)
    if presentation is None:
        presentation = Presentation(meeting_id=meeting.id, page=1, zoom=100)
        db.session.add(presentation)
    return presentation
