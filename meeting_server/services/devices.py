"""Room tablets: adding one to a seat, pairing it with a one-time code, its token, removal.

Only SHA-256 hashes of the pairing code and of the device token are stored. A seat has at
most one tablet that is not removed: adding a second one is refused (a broken tablet is
replaced by issuing its record a new pairing code, which keeps the seat's history in one row).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..collation import seat_key, vietnamese_key
from ..extensions import db
from ..models import Device, Room, User, utcnow
from . import outbox
from .audit import record_event
from .errors import NotAllowed, ServiceError

#: Digits in a pairing code (typed on the tablet, or read from the QR code).
CODE_DIGITS = 8
#: ``last_seen_at`` is written at most this often per tablet (no write per request).
SEEN_EVERY = timedelta(minutes=1)
MAX_SEAT = 20
MAX_NAME = 200


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_status(device: Device) -> str:
    """Return ``revoked``, ``paired`` or ``pending`` (added, not yet paired)."""
    if device.revoked_at is not None:
        return "revoked"
    return "paired" if device.active else "pending"


def create_device(actor: User, room: Room, seat: str, name: str) -> Device:
    """Add a tablet at ``seat`` of ``room``; refuse a seat that already has one."""
    seat, name = seat.strip(), name.strip()
    if not seat or len(seat) > MAX_SEAT:
        raise ServiceError(_l("Enter the seat (at most 20 characters)."), field="seat")
    if not name or len(name) > MAX_NAME:
        raise ServiceError(_l("Give the tablet a name (at most 200 characters)."), field="name")
    if not room.active:
        raise ServiceError(_l("This room is not in use. Choose a room in use."), field="room_id")
    holder = db.session.scalar(
        select(Device).where(
            Device.room_id == room.id, Device.seat == seat, Device.revoked_at.is_(None)
        )
    )
    if holder is not None:
        raise NotAllowed(
            _l(
                "Seat %(seat)s of %(room)s already has the tablet “%(name)s”. To replace it, "
                "open that tablet and issue a new pairing code; or remove it first.",
                seat=seat,
                room=room.name,
                name=holder.name,
            ),
            field="seat",
        )
    device = Device(name=name, room=room, seat=seat, created_by_id=actor.id)
    db.session.add(device)
    db.session.flush()
    record_event(actor, "device.create", "device", device.id, room=room.name, seat=seat)
    return device


def issue_pairing_code(actor: User, device: Device) -> str:
    """Return a new one-time pairing code for ``device`` (shown once; only its hash is kept).

    For a paired tablet this starts re-pairing: its current token works until the new code
    is used, then stops.
    """
    if device.revoked_at is not None:
        raise NotAllowed(_l("This tablet was removed. Add it again to pair a tablet here."))
    code = _unused_code()
    minutes = int(current_app.config["PAIRING_CODE_MINUTES"])
    device.pairing_code_hash = _hash(code)
    device.pairing_expires_at = utcnow() + timedelta(minutes=minutes)
    db.session.flush()
    record_event(
        actor, "device.pairing_code", "device", device.id, expires=device.pairing_expires_at
    )
    return code


def _unused_code() -> str:
    while True:  # two live codes may not share a hash (unique column); a clash is rare
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        taken = db.session.scalar(select(Device.id).where(Device.pairing_code_hash == _hash(code)))
        if taken is None:
            return code


def normalise_code(code: str) -> str:
    """Return the digits of a typed code (spaces and dashes dropped)."""
    return "".join(ch for ch in code if ch not in " -\t")


def pair_device(code: str) -> tuple[Device, str]:
    """Use a pairing code once; return the tablet and its new token (shown once, kept hashed)."""
    code = normalise_code(code)
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise ServiceError(_l("Type the 8 digits of the pairing code."), field="code")
    device = db.session.scalar(select(Device).where(Device.pairing_code_hash == _hash(code)))
    expires = device.pairing_expires_at if device is not None else None
    if device is None or device.revoked_at is not None or expires is None or expires < utcnow():
        raise ServiceError(
            _l(
                "This pairing code is wrong, has expired or was already used. Check the digits, "
                "or ask the administrator for a new code."
            ),
            field="code",
        )
    token = secrets.token_urlsafe(32)
    repaired = device.token_hash is not None
    device.token_hash = _hash(token)
    device.pairing_code_hash = device.pairing_expires_at = None
    device.paired_at = device.last_seen_at = utcnow()
    db.session.flush()
    outbox.record(outbox.DeviceRevoked(device.id))  # the previous token's connections end
    record_event(None, "device.pair", "device", device.id, repaired=repaired)
    return device, token


def device_for_token(token: str | None) -> Device | None:
    """Return the active tablet holding ``token`` (looked up by its hash), else ``None``."""
    if not token or len(token) > 200:
        return None
    device = db.session.scalar(select(Device).where(Device.token_hash == _hash(token)))
    return device if device is not None and device.active else None


def revoke_device(actor: User, device: Device) -> Device:
    """Remove a tablet: its token and any pending code stop working at once."""
    if device.revoked_at is not None:
        raise NotAllowed(_l("This tablet was already removed."))
    device.revoked_at = utcnow()
    device.token_hash = device.pairing_code_hash = device.pairing_expires_at = None
    db.session.flush()
    outbox.record(outbox.DeviceRevoked(device.id))  # its open connections are told, then end
    record_event(actor, "device.revoke", "device", device.id, room=device.room.name)
    return device


def touch_device(device: Device) -> bool:
    """Record that the tablet was seen now, at most once a minute; tell whether it wrote."""
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return False
    device.last_seen_at = now
    db.session.flush()
    return True


def list_devices() -> list[Device]:
    """Return every tablet by room name, then seat (numbers in numeric order)."""
    devices = db.session.scalars(select(Device))
    return sorted(devices, key=lambda d: (vietnamese_key(d.room.name), seat_key(d.seat), d.id))
