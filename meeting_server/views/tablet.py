"""The tablet in the room: today's meetings and the live meeting screen (touch-first)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template

from ..auth import (
    current_device,
    current_user,
    require,
    seated_user,
    viewer_for,
    viewer_required,
)
from ..i18n import from_local, to_local
from ..models import Meeting, utcnow
from ..permissions import can_view_meeting
from ..services import meetings as meeting_service
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


def _reader(meeting: Meeting):
    """Return who would read ``meeting`` here (None: nobody is seated at this tablet)."""
    user = current_user()
    if user is not None:
        return user
    reader = seated_user(current_device(), meeting)
    return reader if reader is not None and can_view_meeting(reader, meeting) else None


@bp.get("/meetings/<int:meeting_id>")
@viewer_required
def meeting(meeting_id: int):
    """Open the live meeting screen: agenda, documents, the presenter's page."""
    meeting = get_or_404(Meeting, meeting_id)
    reader = viewer_for(meeting)
    require(can_view_meeting(reader, meeting))
    return render_template("tablet/meeting.html", meeting=meeting, reader=reader)
