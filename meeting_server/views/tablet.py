"""The tablet in the room: today's meetings, the live meeting screen and its state.

The meeting screen is one page driven by static/js/tablet/; after every notice it re-reads
``state`` (poke, then pull), which holds only what this reader may see.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for

from ..auth import (
    current_device,
    current_user,
    require,
    seated_user,
    viewer_for,
    viewer_required,
)
from ..extensions import db
from ..i18n import from_local, to_local
from ..models import (
    AgendaItem,
    Document,
    Invitation,
    Meeting,
    SpeakingRequest,
    User,
    Vote,
    utcnow,
)
from ..permissions import (
    can_conduct_meeting,
    can_download_document,
    can_present,
    can_run_votes,
    can_view_document,
    can_view_item,
    can_view_meeting,
    invitation_of,
)
from ..services import attendance as attendance_service
from ..services import meetings as meeting_service
from ..services import presentations as presentation_service
from ..services import speaking as speaking_service
from ..services import votes as vote_service
from .lookups import get_or_404

bp = Blueprint("tablet", __name__, url_prefix="/tablet")


@bp.get("")
@viewer_required
def home():
    """List today's meetings: the signed-in person's, or those of this tablet's room."""
    start = from_local(datetime.combine(to_local(utcnow()).date(), time.min))
    end = start + timedelta(days=1)
    user, device = current_user(), current_device()
    if user is not None:
        meetings = [
            m for m in meeting_service.meetings_between(start, end) if can_view_meeting(user, m)
        ]
    else:
        assert device is not None  # noqa: S101 — viewer_required let only users and tablets in
        meetings = [
            m for m in meeting_service.meetings_between(start, end, device.room) if not m.is_draft
        ]
    rows = [(meeting, _reader(meeting)) for meeting in meetings]
    return render_template("tablet/home.html", rows=rows, device=device, today=start)


@bp.get("/meetings/<int:meeting_id>")
@viewer_required
def meeting(meeting_id: int):
    """Open the live meeting screen: agenda, documents, the presenter's page."""
    meeting = get_or_404(Meeting, meeting_id)
    reader = viewer_for(meeting)
    require(can_view_meeting(reader, meeting))
    return render_template("tablet/meeting.html", meeting=meeting, reader=reader)


@bp.get("/sw.js")
def service_worker():
    """Serve the offline worker from /tablet/ so that it may control the tablet pages."""
    response = current_app.send_static_file("js/tablet/sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    return response


@bp.get("/meetings/<int:meeting_id>/state")
@viewer_required
def state(meeting_id: int):
    """Return everything the tablet shows, as this reader may see it (re-read after notices)."""
    meeting = get_or_404(Meeting, meeting_id)
    reader = viewer_for(meeting)
    if reader is None or not can_view_meeting(reader, meeting):
        abort(403)
    items = [item for item in meeting.agenda_items if can_view_item(reader, item)]
    conduct = can_conduct_meeting(reader, meeting)
    response = jsonify(
        ok=True,
        error=None,
        meeting=_meeting_json(meeting),
        reader={"id": reader.id, "name": reader.full_name},
        can_conduct=conduct,
        current_item_id=_current_item_id(meeting, reader),
        items=[{"id": item.id, "title": item.title} for item in items],
        presentation=_presentation_json(meeting, reader),
        conduct=_conduct_json(meeting, reader, conduct),
        documents=[_document_json(d, reader) for i in items for d in _documents(i, reader)],
        agenda_html=render_template(
            "tablet/_agenda.html",
            meeting=meeting,
            items=items,
            can_conduct=conduct,
        ),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/meetings/<int:meeting_id>/start")
@viewer_required
def start(meeting_id: int):
    """Start the meeting (chair or secretariat)."""
    meeting = get_or_404(Meeting, meeting_id)
    presentation_service.start_meeting(_conductor(meeting), meeting)
    db.session.commit()
    return jsonify(ok=True, error=None, seq=meeting.seq)


@bp.post("/meetings/<int:meeting_id>/end")
@viewer_required
def end(meeting_id: int):
    """End the meeting (chair or secretariat); tablets drop its cached documents."""
    meeting = get_or_404(Meeting, meeting_id)
    presentation_service.end_meeting(_conductor(meeting), meeting)
    db.session.commit()
    return jsonify(ok=True, error=None, seq=meeting.seq)


@bp.post("/items/<int:item_id>/current")
@viewer_required
def make_current(item_id: int):
    """Move the meeting to this agenda item (chair or secretariat)."""
    item = get_or_404(AgendaItem, item_id)
    presentation_service.set_current_item(_conductor(item.meeting), item.meeting, item)
    db.session.commit()
    return jsonify(ok=True, error=None, seq=item.meeting.seq)


def _conductor(meeting: Meeting) -> User:
    """Return the reader if they may conduct ``meeting``, else answer 403."""
    user = viewer_for(meeting)
    if user is None or not can_conduct_meeting(user, meeting):
        abort(403)
    return user


def _reader(meeting: Meeting) -> User | None:
    """Return who would read ``meeting`` here (None: nobody is seated at this tablet)."""
    user = current_user()
    if user is not None:
        return user
    reader = seated_user(current_device(), meeting)
    return reader if reader is not None and can_view_meeting(reader, meeting) else None


def _meeting_json(meeting: Meeting) -> dict:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "status": meeting.status,
        "seq": meeting.seq,
        "version": meeting.version,
    }


def _documents(item: AgendaItem, reader: User) -> list[Document]:
    return [d for d in item.documents if d.removed_at is None and can_view_document(reader, d)]


def _document_json(document: Document, reader: User) -> dict:
    version = document.current
    ids: dict[str, Any] = {"document_id": document.id, "number": version.number}
    return {
        "id": document.id,
        "item_id": document.agenda_item_id,
        "title": document.title,
        "version": version.number,
        "page_count": version.page_count,
        "confidential": document.agenda_item.confidential,
        "file_url": url_for("documents.read", **ids),
        "thumbnail_url": url_for("documents.thumbnail", **ids, page=1, w=160).replace(
            "/pages/1/", "/pages/{page}/"
        ),
        "can_download": can_download_document(reader, document),
        "can_present": can_present(reader, document.agenda_item),
    }


def _current_item_id(meeting: Meeting, reader: User) -> int | None:
    presentation = presentation_service.presentation_of(meeting)
    if presentation is None or presentation.current_item is None:
        return None
    return (
        presentation.current_item_id if can_view_item(reader, presentation.current_item) else None
    )


def _presentation_json(meeting: Meeting, reader: User) -> dict | None:
    presentation = presentation_service.presentation_of(meeting)
    if presentation is None or presentation.document is None:
        return None
    if not can_view_document(reader, presentation.document):
        return None
    return {
        "document_id": presentation.document_id,
        "version": presentation.version_number,
        "page": presentation.page,
        "zoom": presentation.zoom,
        "presenter_id": presentation.presenter_id,
        "presenter": presentation.presenter.full_name if presentation.presenter else "",
    }


def _conduct_json(meeting: Meeting, reader: User, conduct: bool) -> dict:
    """Return my attendance, the open vote, the last results and the queue to speak."""
    invitation = invitation_of(reader, meeting)
    record = attendance_service.attendance_of(invitation) if invitation else None
    at_seat = current_user() is None
    voter = vote_service.ballot_invitation(reader, meeting.id, at_seat=at_seat)
    votes = [v for v in vote_service.votes_of(meeting) if can_view_item(reader, v.agenda_item)]
    open_vote = next((v for v in votes if v.status == "open"), None)
    closed = [v for v in votes if v.status == "closed"]
    quorum = attendance_service.quorum_of(meeting) if conduct else None
    return {
        "me": {
            "invited": invitation is not None,
            "status": record.status if record else None,
            "late": bool(record and attendance_service.is_late(record, meeting)),
            "may_vote_now": voter is not None,
        },
        "can_run": can_run_votes(reader, meeting),
        "quorum": asdict(quorum) | {"met": quorum.met} if quorum else None,
        "vote": _open_vote_json(open_vote, voter) if open_vote else None,
        "last_vote": vote_service.vote_summary(closed[-1]) if closed else None,
        "speaking": [_speaking_json(r, reader) for r in speaking_service.queue_of(meeting)],
    }


def _open_vote_json(vote: Vote, voter: Invitation | None) -> dict:
    count = vote_service.count_of(vote)
    return vote_service.vote_summary(vote) | {
        "cast": count.cast,
        "eligible": count.eligible,
        "voted": vote_service.has_voted(voter, vote),
    }


def _speaking_json(request: SpeakingRequest, reader: User) -> dict:
    visible = request.agenda_item is None or can_view_item(reader, request.agenda_item)
    return {
        "id": request.id,
        "name": request.invitation.user.full_name,
        "mine": request.invitation.user_id == reader.id,
        "status": request.status,
        "topic": request.topic if visible else "",
        "item": request.agenda_item.title if request.agenda_item and visible else "",
        "document": request.document.title if request.document and visible else "",
        "requested_at": to_local(request.requested_at).strftime("%H:%M"),
        "started_at": to_local(request.started_at).isoformat() if request.started_at else None,
    }
