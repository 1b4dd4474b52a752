"""The attendance board's read model: everyone's attendance, the counts and the quorum.

Built here for the board (``views/attendance.py``), which reads it again after the notices
that change it; the same rows answer a roll call.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..collation import seat_key, vietnamese_key
from ..i18n import format_time
from ..models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingRole,
    MeetingStatus,
)
from .attendance import PRESENT, attendance_of, attendance_records, is_late, is_present, quorum_of

#: What the board shows, in this order; each person has exactly one of these.
STATUSES = ("present", "late", "online", "delegated", "absent", "left", "not_arrived")
STATUS_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "online": _l("Online"),
    "delegated": _l("Delegated"),
    "absent": _l("Absent"),
    "left": _l("Left early"),
    "not_arrived": _l("Not yet arrived"),
}
ROLE_LABELS = {
    "chair": _l("Chair"),
    "member": _l("Member"),
    "guest": _l("Guest"),
    "secretary": _l("Secretary"),
}
ROLE_ORDER = {"chair": 0, "member": 1, "guest": 2, "secretary": 3}


def board_state(meeting: Meeting) -> dict[str, Any]:
    """Return everyone's attendance, the counts per status and the quorum."""
    records = attendance_records(meeting)
    people = sorted(meeting.invitations, key=_board_order)
    rows = [board_person(i, meeting, records) for i in people]
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:  # the secretary runs the board: listed, never counted as missing
        if row["role"] != MeetingRole.SECRETARY:
            counts[row["status"]] += 1
    q = quorum_of(meeting)
    text = gettext(
        "Present %(present)d/%(members)d members — %(required)d needed",
        present=q.present,
        members=q.members,
        required=q.required,
    )
    return {
        "people": rows,
        "counts": counts,
        "quorum_text": text,
        "quorum": {
            "members": q.members,
            "present": q.present,
            "required": q.required,
            "met": q.met,
            "percent": meeting.quorum_percent,
        },
        "alarm": meeting.status == MeetingStatus.IN_PROGRESS and not q.met,
    }


def board_person(
    invitation: Invitation, meeting: Meeting, records: dict[int, Attendance] | None = None
) -> dict[str, Any]:
    """Return what the board shows about one invitee (from ``records`` when given)."""
    if records is None:
        record = attendance_of(invitation)
    else:
        record = records.get(invitation.id)
    status = _board_status(record, meeting)
    return {
        "invitation_id": invitation.id,
        "user_id": invitation.user_id,
        "name": invitation.user.full_name,
        "role": invitation.role,
        "role_label": str(ROLE_LABELS.get(invitation.role, invitation.role)),
        "seat": invitation.seat or "",
        "counts_toward_quorum": invitation.counts_toward_quorum,
        "status": status,
        "status_label": str(STATUS_LABELS[status]),
        "online": record is not None and record.status == AttendanceStatus.ONLINE,
        "late": record is not None and is_late(record, meeting),
        "present": is_present(record),
        "checked_in_at": format_time(record.checked_in_at) if record else "",
        "checked_out_at": format_time(record.checked_out_at) if record else "",
        "reason": record.reason if record else "",
        "deputy": record.deputy_name if record else "",
    }


def _board_status(record: Attendance | None, meeting: Meeting) -> str:
    if record is None:
        return "not_arrived"
    late = is_late(record, meeting)
    return "late" if late and record.status in PRESENT else str(record.status)


def _board_order(invitation: Invitation) -> tuple[Any, ...]:
    """Seats in natural order ("2" before "10"), then the others by role and name."""
    if invitation.seat:
        return (0, seat_key(invitation.seat), 0, ())
    return (1, (), ROLE_ORDER.get(invitation.role, 9), vietnamese_key(invitation.user.full_name))
