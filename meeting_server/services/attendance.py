"""Attendance: check-in and check-out, absences, delegations, and the quorum.

Every change is numbered and sent to the tablets (``attendance_changed``) so that the
attendance board and the quorum indicator follow live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from ..extensions import db
from ..models import (
    Attendance,
    AttendanceStatus,
    CheckInMethod,
    Invitation,
    Meeting,
    MeetingStatus,
    User,
    utcnow,
)
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .notices import record_notice

#: Present for the quorum: in person, online, or represented by a deputy who has arrived.
PRESENT = (AttendanceStatus.PRESENT, AttendanceStatus.ONLINE)
#: A check-in this long after the start is "late".
LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Quorum:
    """The quorum of a meeting at one moment."""

    members: int  # invitees who count toward the quorum
    present: int  # of those, present (or represented by a deputy who arrived)
    required: int  # present needed

    @property
    def met(self) -> bool:
        """Tell whether enough members are present."""
        return self.present >= self.required


def attendance_of(invitation: Invitation) -> Attendance | None:
    """Return what is recorded about the invitee's attendance, if anything."""
    return db.session.scalar(select(Attendance).where(Attendance.invitation_id == invitation.id))


def check_in(
    actor: User, invitation: Invitation, *, method: CheckInMethod, online: bool = False
) -> Attendance:
    """Record the invitee (or their deputy, after a delegation) as arrived."""
    _require_open(invitation.meeting)
    record = _record(invitation, actor)
    if record.status != AttendanceStatus.DELEGATED:
        record.status = AttendanceStatus.ONLINE if online else AttendanceStatus.PRESENT
        record.reason = ""
    record.method = method
    record.checked_in_at = utcnow()
    record.checked_out_at = None
    return _changed(actor, record, "attendance.check_in", method=method, online=online)


def check_out(actor: User, invitation: Invitation) -> Attendance:
    """Record that a present invitee left before the end."""
    record = attendance_of(invitation)
    if record is None or record.status not in (*PRESENT, AttendanceStatus.DELEGATED):
        raise NotAllowed(_l("Only someone who checked in can leave."))
    record.status = AttendanceStatus.LEFT
    record.checked_out_at = utcnow()
    return _changed(actor, record, "attendance.check_out")


def record_absence(actor: User, invitation: Invitation, reason: str) -> Attendance:
    """Record the invitee as absent, with the reason they gave."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_l("Give the reason for the absence."), field="reason")
    _require_open(invitation.meeting)
    record = _record(invitation, actor)
    record.status, record.reason = AttendanceStatus.ABSENT, reason
    record.checked_in_at = record.checked_out_at = None
    return _changed(actor, record, "attendance.absent", reason=reason)


def delegate(
    actor: User, invitation: Invitation, *, deputy: User | None, deputy_name: str, reason: str
) -> Attendance:
    """Send a named deputy instead of the invitee (before the start only); they inherit the vote."""
    meeting = invitation.meeting
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED):
        raise NotAllowed(_l("A delegation must be recorded before the meeting starts."))
    if deputy is not None and deputy.id == invitation.user_id:
        raise ServiceError(_l("The deputy must be someone other than the invitee."), field="deputy")
    name = deputy.full_name if deputy is not None else deputy_name.strip()
    if not name:
        raise ServiceError(_l("Name the deputy who attends instead."), field="deputy")
    if not reason.strip():
        raise ServiceError(_l("Give the reason for the delegation."), field="reason")
    record = _record(invitation, actor)
    record.status, record.reason = AttendanceStatus.DELEGATED, reason.strip()
    record.deputy, record.deputy_name = deputy, name
    record.checked_in_at = record.checked_out_at = None
    return _changed(actor, record, "attendance.delegate", deputy=name, reason=record.reason)


def is_late(record: Attendance, meeting: Meeting) -> bool:
    """Tell whether the check-in came after the start (plus a few minutes' grace)."""
    start = meeting.started_at or meeting.starts_at
    return record.checked_in_at is not None and record.checked_in_at > start + LATE_AFTER


def quorum_of(meeting: Meeting) -> Quorum:
    """Return the quorum: more than ``meeting.quorum_percent`` % of those who count toward it.

    Counted in one query (a notice to the chair carries it after every check-in).
    """
    present = case((present_clause(), 1), else_=0)
    members, arrived = db.session.execute(
        select(func.count(Invitation.id), func.coalesce(func.sum(present), 0))
        .outerjoin(Attendance, Attendance.invitation_id == Invitation.id)
        .where(Invitation.meeting_id == meeting.id, Invitation.counts_toward_quorum)
    ).one()
    required = members * meeting.quorum_percent // 100 + 1
    return Quorum(members=int(members), present=int(arrived), required=required)


def attendance_records(meeting: Meeting) -> dict[int, Attendance]:
    """Return the meeting's attendance records by invitation id."""
    rows = db.session.scalars(
        select(Attendance).join(Invitation).where(Invitation.meeting_id == meeting.id)
    )
    return {r.invitation_id: r for r in rows}


def present_clause() -> ColumnElement[bool]:
    """Return :func:`is_present` as SQL on ``Attendance`` (to count in one query)."""
    return or_(
        Attendance.status.in_(PRESENT),
        and_(
            Attendance.status == AttendanceStatus.DELEGATED,
            Attendance.checked_in_at.is_not(None),
        ),
    )


def is_present(record: Attendance | None) -> bool:
    """Tell whether the record means present: in person, online, or the deputy arrived."""
    if record is None:
        return False
    if record.status == AttendanceStatus.DELEGATED:
        return record.checked_in_at is not None  # the deputy arrived
    return record.status in PRESENT


def _record(invitation: Invitation, actor: User) -> Attendance:
    record = attendance_of(invitation)
    if record is None:
        record = Attendance(invitation=invitation, status=AttendanceStatus.ABSENT, reason="")
        db.session.add(record)
    record.recorded_by_id = actor.id
    return record


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.ENDED:
        raise NotAllowed(_l("The meeting has ended; its attendance can no longer change."))


def _changed(actor: User, record: Attendance, action: str, **details: object) -> Attendance:
    db.session.flush()
    meeting = record.invitation.meeting
    record_notice(
        meeting,
        "attendance_changed",
        [record.invitation_id],
        readers=[record.invitation.user_id, record.deputy_id],
        changes_content=False,
    )
    record_event(actor, action, "meeting", meeting.id, user=record.invitation.user_id, **details)
    return record
