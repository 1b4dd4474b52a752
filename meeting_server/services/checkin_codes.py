"""Check-in codes for the door: signed by itsdangerous, bound to one meeting, valid for its day.

A *personal* code names an invitation (the invitee's phone shows it, the secretariat scans it);
the *room* code goes in the door page's URL (the room shows it, the invitee scans it and signs
in). Each kind has its own salt, so one kind never passes for the other. A code holds
``[meeting_id, *ids, deadline]``; the deadline is midnight after the meeting's day, Vietnam time.
"""

from __future__ import annotations

import time as clock
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..i18n import from_local, to_local
from ..models import Meeting
from .errors import ServiceError

PERSONAL = "meeting-attendance-personal-code"
ROOM = "meeting-attendance-room-code"
_ERRORS = {
    "damaged": _l(
        "This code is not valid (damaged or altered). Scan it again, or record the "
        "person in the roll call."
    ),
    "foreign": _l(
        "This code is for another meeting. Ask the person to open the code of this meeting."
    ),
    "expired": _l(
        "This code has expired: it was valid until the end of the meeting's day. Ask "
        "the person to open their code again."
    ),
}


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _day_end(meeting: Meeting) -> int:
    """Return when the meeting's day ends (midnight after it, Vietnam time) as a timestamp."""
    day = to_local(meeting.ends_at).date() + timedelta(days=1)
    return int(from_local(datetime.combine(day, time.min)).timestamp())


def sign_code(salt: str, meeting: Meeting, *ids: int) -> str:
    """Return a signed code naming ``meeting`` (and ``ids``), valid until the meeting's day ends."""
    return str(_serializer(salt).dumps([meeting.id, *ids, _day_end(meeting)]))


def read_code(salt: str, meeting: Meeting, code: str) -> list[int]:
    """Return the ids a code for ``meeting`` names; refuse a damaged, foreign or expired one."""
    try:
        data = _serializer(salt).loads(code)
    except BadSignature:
        raise ServiceError(_ERRORS["damaged"], field="code") from None
    if not isinstance(data, list) or len(data) < 2 or data[0] != meeting.id:
        raise ServiceError(_ERRORS["foreign"], field="code")
    if clock.time() > data[-1]:
        raise ServiceError(_ERRORS["expired"], field="code")
    return [int(value) for value in data[1:-1]]
