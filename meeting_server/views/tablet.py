"""The tablet in the room: today's meetings, the live meeting screen and its state.

The meeting screen is one page driven by static/js/tablet/; ``state`` is read when the page
opens (and when a notice names this reader); notices carry the rest
(``services/live_state.py``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, current_app, jsonify, render_template

from ..auth import (
    current_device,
    current_user,
    require,
    seated_user,
    viewer_allowed,
    viewer_for,
    viewer_required,
)
from ..extensions import db
from ..i18n import from_local, to_local
from ..models import (
    AgendaItem,
    Meeting,
    User,
    utcnow,
)
from ..permissions import (
    can_conduct_meeting,
    can_view_meeting,
)
from ..services import live_state
from ..services import meetings as meeting_service
from ..services import presentations as presentation_service
from ..services.vote_rules import RULE_LABELS
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
    return render_template(
        "tablet/meeting.html",
        meeting=meeting,
        reader=reader,
        rule_labels={str(rule): str(label) for rule, label in RULE_LABELS.items()},
    )


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
    """Return everything the tablet shows, as this reader may see it."""
    meeting = get_or_404(Meeting, meeting_id)
    reader = viewer_allowed(meeting, can_view_meeting)
    body = live_state.tablet_state(meeting, reader, at_seat=current_user() is None)
    response = jsonify(ok=True, error=None, **body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/meetings/<int:meeting_id>/start")
@viewer_required
def start(meeting_id: int):
    """Start the meeting (chair or secretariat)."""
    meeting = get_or_404(Meeting, meeting_id)
    presentation_service.start_meeting(viewer_allowed(meeting, can_conduct_meeting), meeting)
    db.session.commit()
    return jsonify(ok=True, error=None, seq=meeting.seq)


@bp.post("/meetings/<int:meeting_id>/end")
@viewer_required
def end(meeting_id: int):
    """End the meeting (chair or secretariat); tablets drop its cached documents."""
    meeting = get_or_404(Meeting, meeting_id)
    presentation_service.end_meeting(viewer_allowed(meeting, can_conduct_meeting), meeting)
    db.session.commit()
    return jsonify(ok=True, error=None, seq=meeting.seq)


@bp.post("/items/<int:item_id>/current")
@viewer_required
def make_current(item_id: int):
    """Move the meeting to this agenda item (chair or secretariat)."""
    item = get_or_404(AgendaItem, item_id)
    presentation_service.set_current_item(
        viewer_allowed(item.meeting, can_conduct_meeting), item.meeting, item
    )
    db.session.commit()
    return jsonify(ok=True, error=None, seq=item.meeting.seq)


def _reader(meeting: Meeting) -> User | None:
    """Return who would read ``meeting`` here (None: nobody is seated at this tablet)."""
    user = current_user()
    if user is not None:
        return user
    reader = seated_user(current_device(), meeting)
    return reader if reader is not None and can_view_meeting(reader, meeting) else None
