"""Meetings: the schedule, my meetings, create/edit, publish, and the participant's view."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..i18n import from_local, to_local
from ..models import Meeting, Role, User, utcnow
from ..permissions import (
    can_create_meeting,
    can_edit_meeting,
    can_view_item,
    can_view_meeting,
    invitation_of,
)
from ..services import meetings as meeting_service
from ..services.errors import ServiceError
from ..services.rooms import list_rooms
from ..services.users import units
from . import forms
from .lookups import active_users, get_or_404

bp = Blueprint("meetings", __name__)


@bp.get("/meetings")
@login_required
def schedule():
    """Show the week's meetings by room and day."""
    require(can_create_meeting(signed_in_user()))
    first = _week_start(request.args.get("day"))
    days = [first + timedelta(days=offset) for offset in range(7)]
    start = from_local(datetime.combine(first, time.min))
    meetings = meeting_service.meetings_between(start, start + timedelta(days=7))
    rooms = list_rooms()
    grid: dict[tuple[int, date], list[Meeting]] = {
        (m.room_id, to_local(m.starts_at).date()): [] for m in meetings
    }
    for meeting in meetings:
        grid[(meeting.room_id, to_local(meeting.starts_at).date())].append(meeting)
    return render_template(
        "meetings/schedule.html",
        days=days,
        rooms=rooms,
        grid=grid,
        today=to_local(utcnow()).date(),
        prev_week=first - timedelta(days=7),
        next_week=first + timedelta(days=7),
    )


@bp.get("/my")
@login_required
def mine():
    """List the published meetings I am invited to, from today on."""
    since = from_local(datetime.combine(to_local(utcnow()).date(), time.min))
    meetings = meeting_service.meetings_of_participant(signed_in_user(), since)
    return render_template("meetings/mine.html", meetings=meetings)


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def create():
    """Create a draft meeting."""
    require(can_create_meeting(signed_in_user()))
    if request.method == "POST":
        try:
            meeting = meeting_service.create_meeting(signed_in_user(), **_meeting_fields())
        except ServiceError as error:
            db.session.rollback()
            return _form(None, error), 400
        db.session.commit()
        flash(_("Meeting created as a draft. Now invite participants and build the agenda."), "ok")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return _form(None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    """Change a meeting's title, room, time, chair or description."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    if request.method == "POST":
        try:
            meeting_service.update_meeting(signed_in_user(), meeting, **_meeting_fields())
        except ServiceError as error:
            db.session.rollback()
            return _form(meeting, error), 400
        db.session.commit()
        flash(_("Meeting details saved."), "ok")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return _form(meeting)


@bp.get("/meetings/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    """Open a meeting: the preparation page for the secretariat, the agenda for others."""
    meeting = get_or_404(Meeting, meeting_id)
    user = signed_in_user()
    require(can_view_meeting(user, meeting))
    if can_edit_meeting(user, meeting):
        return render_template(
            "meetings/manage.html",
            meeting=meeting,
            users=active_users(),
            units=units(),
            leaders=active_users(Role.LEADER),
        )
    return _participant_view(meeting, user, preview=False)


@bp.get("/meetings/<int:meeting_id>/agenda")
@login_required
def agenda(meeting_id: int):
    """Return the agenda as the signed-in person sees it (re-read by live tablets)."""
    meeting = get_or_404(Meeting, meeting_id)
    user = signed_in_user()
    require(can_view_meeting(user, meeting))
    seq = meeting.seq  # read first: the agenda below is at least this current
    response = make_response(
        render_template("meetings/_agenda.html", items=_visible_items(meeting, user))
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Meeting-Seq"] = str(seq)
    return response


@bp.get("/meetings/<int:meeting_id>/preview")
@login_required
def preview(meeting_id: int):
    """Show the meeting exactly as one invited participant will see it."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    invitations = [i for i in meeting.invitations if i.user_id != signed_in_user().id]
    chosen = request.args.get("as", type=int)
    viewer = next((i.user for i in invitations if i.user_id == chosen), None)
    if viewer is None and invitations:
        viewer = invitations[0].user
    return _participant_view(meeting, viewer, preview=True, invitations=invitations)


@bp.post("/meetings/<int:meeting_id>/publish")
@login_required
def publish(meeting_id: int):
    """Publish a draft to its participants."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    meeting_service.publish_meeting(signed_in_user(), meeting)
    db.session.commit()
    flash(_("Published: participants can now see the meeting and its documents."), "ok")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


def _participant_view(meeting: Meeting, viewer: User | None, *, preview: bool, invitations=()):
    items = _visible_items(meeting, viewer)
    return render_template(
        "meetings/view.html",
        meeting=meeting,
        items=items,
        viewer=viewer,
        preview=preview,
        invitation=invitation_of(viewer, meeting),
        invitations=invitations,
        visible=viewer is not None and (not preview or can_view_meeting(viewer, meeting)),
    )


def _visible_items(meeting: Meeting, viewer: User | None) -> list:
    """Return the agenda items ``viewer`` may see (none for nobody)."""
    return [item for item in meeting.agenda_items if viewer and can_view_item(viewer, item)]


def _meeting_fields() -> dict:
    return {
        "title": forms.text("title"),
        "room": forms.room(),
        "starts_at": forms.local_datetime("starts_at"),
        "ends_at": forms.local_datetime("ends_at"),
        "chair": forms.optional_user("chair_id"),
        "description": forms.text("description"),
        "confidential_download": forms.flag("confidential_download"),
        "quorum_percent": forms.optional_integer("quorum_percent"),
    }


def _form(meeting: Meeting | None, error: ServiceError | None = None):
    return render_template(
        "meetings/form.html",
        meeting=meeting,
        rooms=list_rooms(active_only=True),
        leaders=active_users(Role.LEADER),
        error=error,
        values=request.form,
    )


def _week_start(raw: str | None) -> date:
    try:
        day = date.fromisoformat(raw) if raw else to_local(utcnow()).date()
    except ValueError:
        abort(400)
    return day - timedelta(days=day.weekday())
