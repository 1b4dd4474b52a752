"""Socket.IO handlers: who may connect, and who may join which meeting's channel.

Each handler reads the same: parse, load, check permission, answer with an ack.
"""

from __future__ import annotations

from typing import Any

from flask import request

# python-socketio's own exception: its message reaches the client; the built-in one is sent
# only as "Connection refused by server", and the tablet must tell "device_revoked" apart.
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from ..auth import DEVICE_COOKIE, mark_session_used, session_user
from ..extensions import db, socketio
from ..models import Device, Meeting
from ..permissions import Audience, audience_of, can_view_meeting
from ..services.devices import device_for_token, touch_device
from ..services.live_state import tablet_state
from .broadcast import device_room, meeting_room, track_connection, user_room
from .contract import Ack, JoinAck, JoinMeeting, MeetingRef, read_payload
from .identity import connection_device, connection_viewer, remember_device


def on_connect(auth: dict[str, Any] | None = None) -> None:
    """Sent by a tablet or browser when it connects: needs a session or a paired tablet's token.

    The token comes in ``auth={"device_token": …}`` or the ``meeting_device`` cookie; a removed
    or unknown one is refused with ``device_revoked`` so that the tablet wipes itself.
    """
    token = _device_token(auth)
    if token is not None:
        device = device_for_token(token)
        if device is None:
            raise ConnectionRefusedError("device_revoked")
        _attach_device(device)
    else:
        user = session_user()
        if user is None:
            raise ConnectionRefusedError("unauthorized")
        join_room(user_room(user.id))  # the person's inbox pokes; ended with their session
        track_connection(user_room(user.id), request.sid)  # type: ignore[attr-defined]
        mark_session_used()


def _device_token(auth: Any) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("device_token"), str):
        return auth["device_token"] or None
    return request.cookies.get(DEVICE_COOKIE) or None


def _attach_device(device: Device) -> None:
    """Remember the tablet on this connection and put it in its room (told when removed)."""
    remember_device(device)
    join_room(device_room(device.id))
    track_connection(device_room(device.id), request.sid)  # type: ignore[attr-defined]
    if touch_device(device):
        db.session.commit()


def join_meeting(data: Any) -> JoinAck | Ack:
    """Sent by a tablet opening a meeting: join its channel after ``can_view_meeting``."""
    join = read_payload(JoinMeeting, data)
    if join is None:
        return Ack(ok=False, error="bad_request")
    meeting = db.session.get(Meeting, join.meeting_id)
    if meeting is None:
        return Ack(ok=False, error="not_found")
    user = connection_viewer(meeting)
    if user is None or not can_view_meeting(user, meeting):
        return Ack(ok=False, error="forbidden")
    audience = audience_of(user, meeting)
    for other in Audience:  # exactly one audience room: its notices carry its state
        if other is not audience:
            leave_room(meeting_room(meeting.id, other))
    join_room(meeting_room(meeting.id, audience))
    seq = meeting.seq
    state = None
    if join.last_seq != seq and join.state:  # behind (or new): the whole state, no request needed
        state = tablet_state(meeting, user, at_seat=session_user() is None)
    return JoinAck(ok=True, error=None, seq=seq, version=meeting.version, state=state)


def leave_meeting(data: Any) -> Ack:
    """Sent by a tablet closing a meeting: stop its notices."""
    ref = read_payload(MeetingRef, data)
    if ref is None:
        return Ack(ok=False, error="bad_request")
    for audience in Audience:
        leave_room(meeting_room(ref.meeting_id, audience))
    return Ack(ok=True, error=None)


def still_here(_data: Any = None) -> Ack:
    """Sent every few minutes by an open live page: a meeting screen in use does not idle out."""
    if session_user() is None:
        device = connection_device()
        if device is None:
            return Ack(ok=False, error="unauthorized")
        if touch_device(device):
            db.session.commit()
        return Ack(ok=True, error=None)
    mark_session_used()
    return Ack(ok=True, error=None)


def register() -> None:
    """Register the handlers on the shared Socket.IO object."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("still_here", still_here)
    socketio.on_event("join_meeting", join_meeting)
    socketio.on_event("leave_meeting", leave_meeting)
