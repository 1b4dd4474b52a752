"""The signed-in user and the paired tablet: loading, idle timeout, the guards, the cookie."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from .extensions import db
from .models import Device, Invitation, Meeting, User
from .services.audit import client_address
from .services.devices import device_for_token, touch_device

F = TypeVar("F", bound=Callable[..., Any])

#: The paired tablet's cookie holds its device token (HttpOnly; the server keeps only a hash).
DEVICE_COOKIE = "meeting_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
#: Sent to a removed tablet (and on pairing): the browser drops its caches, service worker,
#: local storage and IndexedDB — the cached documents and notes. Cookies are handled apart.
WIPE_SITE_DATA = '"cache", "storage"'


def current_user() -> User | None:
    """Return the signed-in user of this request, if any."""
    user: User | None = g.get("user")
    return user


def signed_in_user() -> User:
    """Return the signed-in user in a view guarded by ``login_required``."""
    user = current_user()
    if user is None:
        abort(401)
    return user


def current_device() -> Device | None:
    """Return the paired room tablet this request comes from, if any."""
    device: Device | None = g.get("device")
    return device


def seated_user(device: Device | None, meeting: Meeting) -> User | None:
    """Return the person invited to ``device``'s seat in ``meeting`` (same room only)."""
    if device is None or not device.active or device.room_id != meeting.room_id:
        return None
    # One row, not the whole list: a meeting may have a thousand invitations.
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.meeting_id == meeting.id, Invitation.seat == device.seat
        )
    )
    return invitation.user if invitation is not None and invitation.user.active else None


def viewer_for(meeting: Meeting) -> User | None:
    """Return who reads ``meeting`` here: the signed-in user, else the person at this seat."""
    return current_user() or seated_user(current_device(), meeting)


def viewer_required(view: F) -> F:
    """Like ``login_required``, but a paired room tablet may pass too (see ``viewer_for``)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None and current_device() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, then back."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def require(allowed: bool) -> None:
    """Answer 403 unless ``allowed``: the one way a view refuses (with a ``can_*`` answer)."""
    if not allowed:
        abort(403)


def viewer_allowed(
    meeting: Meeting, can: Callable[[User | None, Any], bool], subject: Any = None
) -> User:
    """Return who acts on ``meeting`` here (``viewer_for``) if ``can(them, subject)``, else 403.

    ``subject`` is the meeting unless another is named (a document, a request to speak). Every
    ``can_*`` predicate refuses ``None``, so the person returned is real.
    """
    viewer = viewer_for(meeting)
    require(can(viewer, meeting if subject is None else subject))
    return cast(User, viewer)


def clear_session() -> None:
    """Forget everything in the session but the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    """Remember ``user`` in a fresh session (a new cookie, old contents dropped)."""
    clear_session()
    session.permanent = True
    session["user_id"] = user.id
    session["seen"] = int(time.time())


def session_user() -> User | None:
    """Return the active user of the session cookie, unless it idled out (no side effects)."""
    user_id = session.get("user_id")
    if user_id is None or _idle_too_long():
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


#: The idle timeout counts activity to this many seconds (the session cookie is re-signed and
#: sent again only this often, not on each of a tablet's many requests).
SEEN_RESOLUTION_S = 60


def _idle_too_long() -> bool:
    idle_limit = int(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60
    return time.time() - session.get("seen", 0) > idle_limit


def _load_user() -> Response | None:
    client_address.set(request.remote_addr or "")
    g.user = None
    g.device = None
    if request.endpoint == "static":  # stylesheets and scripts need no user (nor a DB query)
        return None
    removed = _load_device()
    if removed is not None:
        return removed
    _load_session_user()
    return None


def _load_session_user() -> None:
    user_id = session.get("user_id")
    if user_id is None:
        return
    if _idle_too_long():
        clear_session()
        flash(_("You were signed out after a period of inactivity. Please sign in again."), "info")
        return
    user = db.session.get(User, user_id)  # (roles are read when a permission asks)
    if user is None or not user.active:
        session.clear()
        return
    g.user = user
    now = int(time.time())
    if now - session.get("seen", 0) >= SEEN_RESOLUTION_S:
        session["seen"] = now  # not every request: an unchanged session sends no new cookie


def _load_device() -> Response | None:
    """Set ``g.device`` from the tablet's cookie; answer a removed tablet at once (401)."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    device = device_for_token(token)
    if device is None:
        # The pairing page stays open to a removed tablet: pairing again overwrites the cookie.
        return None if request.endpoint == "devices.pair" else _device_removed()
    g.device = device
    if touch_device(device):
        db.session.commit()
    return None


def _device_removed() -> Response:
    response = make_response(render_template("devices/revoked.html"), 401)
    response.headers["Clear-Site-Data"] = WIPE_SITE_DATA
    if request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate":
        # A page's own fetch keeps the cookie, so the reload that follows still shows this page.
        delete_device_cookie(response)
    return response


def set_device_cookie(response: Response, token: str) -> None:
    """Give this browser the paired tablet's token for a year."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )


def delete_device_cookie(response: Response) -> None:
    """Make this browser forget the tablet's token."""
    response.delete_cookie(
        DEVICE_COOKIE,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )


def init_app(app: Flask) -> None:
    """Load the user before each request; sessions expire with the idle timeout."""
    app.permanent_session_lifetime = timedelta(minutes=int(app.config["IDLE_TIMEOUT_MINUTES"]))
    app.before_request(_load_user)
    app.context_processor(lambda: {"current_user": current_user()})
