"""Reading form fields into typed values, with messages that name what to fix."""

from __future__ import annotations

from datetime import datetime

from flask import request
from flask_babel import lazy_gettext as _l

from ..i18n import from_local
from ..models import Room, User
from ..models.ids import find
from ..services.errors import ServiceError


def text(name: str, default: str = "") -> str:
    """Return a stripped text field."""
    return request.form.get(name, default).strip()


def flag(name: str) -> bool:
    """Return whether a checkbox is ticked."""
    return request.form.get(name) in {"on", "1", "true", "yes"}


def integer(name: str, default: int | None = None) -> int:
    """Return a whole-number field or refuse with a message."""
    raw = request.form.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ServiceError(_l("Enter a whole number."), field=name) from None


def optional_integer(name: str) -> int | None:
    """Return a whole-number field, ``None`` when it is left out or empty."""
    if not request.form.get(name, "").strip():
        return None
    return integer(name)


def local_datetime(name: str) -> datetime:
    """Return a ``datetime-local`` field (Vietnam time) as UTC."""
    raw = request.form.get(name, "").strip()
    try:
        return from_local(datetime.fromisoformat(raw))
    except (ValueError, OverflowError):  # OverflowError: a year 1 or 9999 moved to UTC
        raise ServiceError(_l("Enter a date and time (dd/mm/yyyy hh:mm)."), field=name) from None


def optional_user(name: str) -> User | None:
    """Return the user picked in a select, or ``None`` for the empty choice."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    user = find(User, raw)
    if user is None or not user.active:
        raise ServiceError(_l("Choose a person from the list."), field=name)
    return user


def room(name: str = "room_id") -> Room:
    """Return the room picked in a select."""
    raw = request.form.get(name, "").strip()
    found = find(Room, raw)
    if found is None:
        raise ServiceError(_l("Choose a room."), field=name)
    return found


def wants_json() -> bool:
    """Tell whether the caller is our JavaScript (fetch/XHR) rather than a form post."""
    return (
        request.is_json
        or request.headers.get("X-Requested-With") == "fetch"
        or (request.accept_mimetypes.best == "application/json")
    )
