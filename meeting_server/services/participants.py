"""Who is invited to a meeting, in which role and seat."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Device, Invitation, Meeting, MeetingRole, User, is_member_role
from . import outbox
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .notices import record_notice


def invite_users(
    actor: User, meeting: Meeting, users: Iterable[User], role: MeetingRole = MeetingRole.MEMBER
) -> list[Invitation]:
    """Invite active users not yet invited; return the new invitations."""
    invited = {inv.user_id for inv in meeting.invitations}
    added = []
    for user in users:
        if user.active and user.id not in invited:
            member = is_member_role(role)
            invitation = Invitation(
                user=user, role=role, counts_toward_quorum=member, may_vote=member
            )
            meeting.invitations.append(invitation)
            invited.add(user.id)
            added.append(invitation)
    if added:
        db.session.flush()
        record_notice(meeting, "meeting_updated")
        record_event(
            actor, "meeting.invite", "meeting", meeting.id, users=[i.user_id for i in added]
        )
    return added


def invite_unit(actor: User, meeting: Meeting, unit: str) -> list[Invitation]:
    """Invite every active user of ``unit``."""
    unit = unit.strip()
    members = list(db.session.scalars(select(User).where(User.unit == unit, User.active)))
    if not members:
        raise ServiceError(_l("No active users belong to the unit %(u)s.", u=unit), field="unit")
    return invite_users(actor, meeting, members)


def update_invitation(
    actor: User, invitation: Invitation, *, role: str, seat: str, may_view_confidential: bool
) -> Invitation:
    """Change an invitation's role, seat and confidential access."""
    meeting = invitation.meeting
    try:
        new_role = MeetingRole(role)
    except ValueError:
        raise ServiceError(_l("Unknown meeting role."), field="role") from None
    if (new_role == MeetingRole.CHAIR) != (meeting.chair_id == invitation.user_id):
        raise NotAllowed(_l("Change the chair in the meeting's details."))
    seat = seat.strip()
    if seat and any(i.seat == seat and i.id != invitation.id for i in meeting.invitations):
        raise ServiceError(_l("Seat %(s)s is already taken.", s=seat), field="seat")
    if (invitation.role, invitation.seat or "", invitation.may_view_confidential) != (
        new_role,
        seat,
        may_view_confidential,
    ):  # what they (or the tablets at the old and new seat) may see changed: they join again
        end_connections_of(meeting, invitation, also_seat=seat)
    if invitation.role != new_role:  # a new role brings its default rights
        invitation.counts_toward_quorum = invitation.may_vote = is_member_role(new_role)
    invitation.role = new_role
    invitation.seat = seat or None
    invitation.may_view_confidential = may_view_confidential
    record_notice(meeting, "meeting_updated", readers=[invitation.user_id])
    record_event(
        actor,
        "invitation.update",
        "meeting",
        meeting.id,
        user=invitation.user_id,
        role=new_role,
        seat=seat,
        confidential=may_view_confidential,
    )
    return invitation


def remove_invitation(actor: User, invitation: Invitation) -> None:
    """Withdraw an invitation (not the chair's: change the chair first)."""
    meeting = invitation.meeting
    if meeting.chair_id == invitation.user_id:
        raise NotAllowed(_l("The chair cannot be removed; choose another chair first."))
    end_connections_of(meeting, invitation)  # before the next notice could reach them
    meeting.invitations.remove(invitation)
    record_notice(meeting, "meeting_updated", readers=[invitation.user_id])
    record_event(actor, "meeting.uninvite", "meeting", meeting.id, user=invitation.user_id)


def end_connections_of(meeting: Meeting, invitation: Invitation, also_seat: str = "") -> None:
    """Close the open connections of an invitee and of the room tablets at their seat(s).

    Recorded before the change's own notice: the pages connect again and join with what the
    person may see now (an uninvited person is refused), so nothing sent after this change
    reaches a connection that joined under the old rights.
    """
    seats = {seat for seat in (invitation.seat, also_seat) if seat}
    devices: Iterable[int] = (
        db.session.scalars(
            select(Device.id).where(
                Device.room_id == meeting.room_id,
                Device.seat.in_(seats),
                Device.revoked_at.is_(None),
            )
        )
        if seats
        else []
    )
    outbox.record(
        outbox.ConnectionsEnded(
            user_ids=frozenset({invitation.user_id}), device_ids=frozenset(devices)
        )
    )
