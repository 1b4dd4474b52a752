"""Inviting people to a meeting: pick users, add a whole unit, set role and seat."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import Invitation, Meeting, MeetingRole, User
from ..models.ids import parse_ids
from ..permissions import can_edit_meeting
from ..services import participants as participant_service
from . import forms
from .lookups import get_or_404

bp = Blueprint("participants", __name__)

#: The most people one "invite" form adds (a room holds at most 1,000 seats).
MAX_INVITED_AT_ONCE = 1000


def _back(meeting_id: int):
    return redirect(url_for("meetings.show", meeting_id=meeting_id, _anchor="participants"))


def _report(added: list[Invitation]) -> None:
    if added:
        flash(ngettext("%(num)d person invited.", "%(num)d people invited.", len(added)), "ok")
    else:
        flash(_("Everyone chosen was already invited."), "info")


@bp.post("/meetings/<int:meeting_id>/participants")
@login_required
def invite(meeting_id: int):
    """Invite the users picked in the list."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    ids = parse_ids(request.form.getlist("user_ids"), MAX_INVITED_AT_ONCE)
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    role = MeetingRole.GUEST if forms.flag("as_guest") else MeetingRole.MEMBER
    added = participant_service.invite_users(signed_in_user(), meeting, users, role)
    db.session.commit()
    _report(added)
    return _back(meeting.id)


@bp.post("/meetings/<int:meeting_id>/participants/unit")
@login_required
def invite_unit(meeting_id: int):
    """Invite every active member of one unit."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    added = participant_service.invite_unit(signed_in_user(), meeting, forms.text("unit"))
    db.session.commit()
    _report(added)
    return _back(meeting.id)


@bp.post("/invitations/<int:invitation_id>")
@login_required
def update(invitation_id: int):
    """Change one invitation's role, seat and confidential access."""
    invitation = get_or_404(Invitation, invitation_id)
    require(can_edit_meeting(signed_in_user(), invitation.meeting))
    participant_service.update_invitation(
        signed_in_user(),
        invitation,
        role=forms.text("role"),
        seat=forms.text("seat"),
        may_view_confidential=forms.flag("may_view_confidential"),
    )
    db.session.commit()
    flash(_("Saved."), "ok")
    return _back(invitation.meeting_id)


@bp.post("/invitations/<int:invitation_id>/delete")
@login_required
def remove(invitation_id: int):
    """Withdraw one invitation."""
    invitation = get_or_404(Invitation, invitation_id)
    meeting_id = invitation.meeting_id
    require(can_edit_meeting(signed_in_user(), invitation.meeting))
    participant_service.remove_invitation(signed_in_user(), invitation)
    db.session.commit()
    flash(_("Invitation withdrawn."), "ok")
    return _back(meeting_id)
