"""Attendance: the live board, the roll call, check-in at the door (QR) and at the seat.

The board re-reads ``state`` (services/attendance_board.py) after the notices that change it.
Door codes (services/checkin_codes.py): a *personal* code names an invitation (shown on the
invitee's phone, scanned by the secretariat); the *room* code is in the door page's URL (shown
by the room, scanned by the invitee, who signs in).
"""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..auth import (
    login_required,
    require,
    signed_in_user,
    viewer_allowed,
    viewer_for,
    viewer_required,
)
from ..extensions import db
from ..i18n import format_time
from ..models import (
    Attendance,
    AttendanceStatus,
    CheckInMethod,
    Invitation,
    Meeting,
    MeetingStatus,
    User,
)
from ..models.ids import find
from ..permissions import can_record_attendance, can_view_attendance, invitation_of
from ..services import attendance as attendance_service
from ..services import attendance_board as board_model
from ..services import checkin_codes as codes
from ..services.errors import NotAllowed, ServiceError
from . import schemas
from .lookups import active_users, get_or_404
from .schemas import read

bp = Blueprint("attendance", __name__)


class _Forbidden(ServiceError):
    status = 403


# ---- the board -------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/attendance")
@viewer_required
def board(meeting_id: int):
    """Show the live attendance board: seat map, counts, quorum, roll call and door scanner."""
    meeting = get_or_404(Meeting, meeting_id)
    can_record = can_record_attendance(viewer_allowed(meeting, can_view_attendance), meeting)
    invited = {i.user_id for i in meeting.invitations}
    return render_template(
        "attendance/board.html",
        meeting=meeting,
        can_record=can_record,
        deputies=[u for u in active_users() if u.id not in invited] if can_record else [],
        labels=board_model.STATUS_LABELS,
        **board_model.board_state(meeting),
    )


@bp.get("/meetings/<int:meeting_id>/attendance/state")
@viewer_required
def state(meeting_id: int):
    """Return the board's state as JSON (re-read by the board after every notice)."""
    meeting = get_or_404(Meeting, meeting_id)
    can_record = can_record_attendance(viewer_allowed(meeting, can_view_attendance), meeting)
    snapshot = board_model.board_state(meeting)
    html = render_template(
        "attendance/_board.html",
        can_record=can_record,
        labels=board_model.STATUS_LABELS,
        **snapshot,
    )
    meeting_json = {"id": meeting.id, "status": meeting.status, "seq": meeting.seq}
    delegate = can_record and meeting.status == MeetingStatus.PUBLISHED
    response = jsonify(
        ok=True,
        error=None,
        meeting=meeting_json,
        can_record=can_record,
        can_delegate=delegate,
        board_html=html,
        **snapshot,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/meetings/<int:meeting_id>/attendance/<int:invitation_id>")
@viewer_required
def record(meeting_id: int, invitation_id: int):
    """Record one person in the roll call: present, online, absent, delegated or left."""
    meeting = get_or_404(Meeting, meeting_id)
    invitation = get_or_404(Invitation, invitation_id)
    if invitation.meeting_id != meeting.id:
        abort(404)
    actor = viewer_allowed(meeting, can_record_attendance)
    _roll_call(actor, invitation, read(schemas.RollCall, {"action": _l(CHOOSE_ACTION)}))
    db.session.commit()
    return jsonify(ok=True, error=None, person=board_model.board_person(invitation, meeting))


CHOOSE_ACTION = "Choose what to record: present, online, absent, delegate or leave."


def _roll_call(actor: User, invitation: Invitation, body: schemas.RollCall) -> Attendance:
    action, reason = body.action, body.reason.strip()
    if action in ("present", "online"):
        return attendance_service.check_in(
            actor, invitation, method=CheckInMethod.ROLL_CALL, online=action == "online"
        )
    if action == "absent":
        return attendance_service.record_absence(actor, invitation, reason)
    if action == "delegate":
        return attendance_service.delegate(
            actor,
            invitation,
            deputy=_deputy(body.deputy_id),
            deputy_name=body.deputy_name.strip(),
            reason=reason,
        )
    return attendance_service.check_out(actor, invitation)  # "leave", the last the schema allows


def _deputy(deputy_id: int | None) -> User | None:
    if deputy_id is None:
        return None
    deputy = find(User, deputy_id)
    if deputy is None or not deputy.active:
        raise ServiceError(_l("Choose the deputy from the list."), field="deputy")
    return deputy


# ---- check-in at the door: personal codes and the room code ---------------------------------


@bp.get("/meetings/<int:meeting_id>/my-qr")
@login_required
def my_qr(meeting_id: int):
    """Show my personal check-in code as a big QR code, for the secretariat to scan."""
    meeting = get_or_404(Meeting, meeting_id)
    user = signed_in_user()
    invitation = _own_invitation(user, meeting)
    require(invitation is not None)
    assert invitation is not None  # noqa: S101 — require() answered 403 otherwise
    code = codes.sign_code(codes.PERSONAL, meeting, invitation.id)
    person = board_model.board_person(invitation, meeting)
    page = render_template(
        "attendance/my_qr.html", meeting=meeting, code=code, qr=_qr(code), person=person
    )
    return _no_store(page)


@bp.post("/meetings/<int:meeting_id>/attendance/scan")
@viewer_required
def scan(meeting_id: int):
    """Check in the invitee whose personal code was scanned at the door (method QR)."""
    meeting = get_or_404(Meeting, meeting_id)
    actor = viewer_allowed(meeting, can_record_attendance)
    code = read(schemas.DoorCode).code.strip()
    (invitation_id,) = codes.read_code(codes.PERSONAL, meeting, code)
    invitation = find(Invitation, invitation_id)
    if invitation is None or invitation.meeting_id != meeting.id:
        raise NotAllowed(_l("This person is no longer invited to the meeting."))
    before = attendance_service.attendance_of(invitation)
    if before is not None and attendance_service.is_present(before):
        name = _attendee_name(invitation, before)
        message = _(
            "%(name)s already checked in at %(time)s.",
            name=name,
            time=format_time(before.checked_in_at),
        )
        return jsonify(
            ok=True,
            error=None,
            already=True,
            message=message,
            person=board_model.board_person(invitation, meeting),
        )
    done = attendance_service.check_in(actor, invitation, method=CheckInMethod.QR)
    db.session.commit()
    message = _("Checked in: %(name)s.", name=_attendee_name(invitation, done))
    return jsonify(
        ok=True,
        error=None,
        already=False,
        message=message,
        person=board_model.board_person(invitation, meeting),
    )


@bp.get("/meetings/<int:meeting_id>/attendance/room-qr")
@viewer_required
def room_qr(meeting_id: int):
    """Show the room's check-in QR code full screen: invitees scan it and sign in."""
    meeting = get_or_404(Meeting, meeting_id)
    viewer_allowed(meeting, can_record_attendance)
    token = codes.sign_code(codes.ROOM, meeting)
    url = current_app.config["PUBLIC_URL"].rstrip("/") + url_for(
        "attendance.door", meeting_id=meeting.id, token=token
    )
    return _no_store(
        render_template("attendance/room_qr.html", meeting=meeting, url=url, qr=_qr(url))
    )


@bp.get("/meetings/<int:meeting_id>/check-in/<token>")
@login_required
def door(meeting_id: int, token: str):
    """Ask the signed-in invitee who scanned the room's code to confirm their check-in."""
    meeting = get_or_404(Meeting, meeting_id)
    try:
        codes.read_code(codes.ROOM, meeting, token)
    except ServiceError as error:
        return _door_page(meeting, None, str(error.message)), error.status
    invitation = _own_invitation(signed_in_user(), meeting)
    if invitation is None:
        message = _("You are not on the list of this meeting. Ask the secretariat at the door.")
        return _door_page(meeting, None, message), 403
    return _door_page(meeting, invitation)


@bp.post("/meetings/<int:meeting_id>/check-in/<token>")
@login_required
def door_check_in(meeting_id: int, token: str):
    """Check in the signed-in invitee at the door (method QR)."""
    meeting = get_or_404(Meeting, meeting_id)
    codes.read_code(codes.ROOM, meeting, token)
    invitation = _own_invitation(signed_in_user(), meeting)
    require(invitation is not None)
    assert invitation is not None  # noqa: S101 — require() answered 403 otherwise
    done = attendance_service.check_in(signed_in_user(), invitation, method=CheckInMethod.QR)
    db.session.commit()
    flash(_("You are checked in at %(time)s.", time=format_time(done.checked_in_at)), "ok")
    return redirect(url_for("attendance.door", meeting_id=meeting.id, token=token))


def _door_page(meeting: Meeting, invitation: Invitation | None, error: str | None = None):
    person = board_model.board_person(invitation, meeting) if invitation is not None else None
    return render_template("attendance/door.html", meeting=meeting, person=person, error=error)


# ---- self check-in at the seat (the tablet) --------------------------------------------------


@bp.post("/tablet/meetings/<int:meeting_id>/check-in")
@viewer_required
def check_in_self(meeting_id: int):
    """Check in the person at this tablet (signed in, or seated here): in the room or online."""
    meeting = get_or_404(Meeting, meeting_id)
    reader, invitation = _self(meeting)
    online = read(schemas.SelfCheckIn).online
    attendance_service.check_in(reader, invitation, method=CheckInMethod.TABLET, online=online)
    db.session.commit()
    return jsonify(ok=True, error=None, **board_model.board_person(invitation, meeting))


@bp.post("/tablet/meetings/<int:meeting_id>/check-out")
@viewer_required
def check_out_self(meeting_id: int):
    """Record that the person at this tablet leaves before the end."""
    meeting = get_or_404(Meeting, meeting_id)
    reader, invitation = _self(meeting)
    attendance_service.check_out(reader, invitation)
    db.session.commit()
    return jsonify(ok=True, error=None, **board_model.board_person(invitation, meeting))


def _self(meeting: Meeting) -> tuple[User, Invitation]:
    """Return who reads here and their invitation; only invitees (or their deputy) pass."""
    reader = viewer_for(meeting)
    invitation = _own_invitation(reader, meeting)
    if reader is None or invitation is None:
        raise _Forbidden(_l("Only people invited to this meeting can check in or out."))
    return reader, invitation


# ---- helpers ---------------------------------------------------------------------------------


def _own_invitation(user: User | None, meeting: Meeting) -> Invitation | None:
    """Return the user's invitation, or the one they attend as the named deputy (not drafts)."""
    if user is None or meeting.is_draft:
        return None
    own = invitation_of(user, meeting)
    if own is not None:
        return own
    return db.session.scalar(
        select(Invitation)
        .join(Attendance, Attendance.invitation_id == Invitation.id)
        .where(Invitation.meeting_id == meeting.id, Attendance.deputy_id == user.id)
        .where(Attendance.status == AttendanceStatus.DELEGATED)
    )


def _attendee_name(invitation: Invitation, record: Attendance) -> str:
    if record.status == AttendanceStatus.DELEGATED:
        return _(
            "%(deputy)s (deputy of %(name)s)",
            deputy=record.deputy_name,
            name=invitation.user.full_name,
        )
    return invitation.user.full_name


def _no_store(page: str) -> Response:
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # codes are shown, never kept in a cache
    return response


def _qr(text: str) -> Markup:
    svg = segno.make(text, error="m").svg_inline(
        scale=8, border=4, dark="#000", light="#fff", svgclass="qr", omitsize=True
    )
    return Markup(svg)  # noqa: S704 — segno's own SVG of our URL or code, no user text in it
