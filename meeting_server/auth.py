"""The signed-in user and the paired tablet: loading, the guards, the cookies.

A signed-in browser's cookie holds a session token; the session itself is a row on the server
(``services/sessions.py``), so that it can be ended from anywhere, at once.
"""

from __future__ import annotations

import functools
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
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from werkzeug.wrappers import Response

from .extensions import db
from .models import Device, Invitation, Meeting, SessionEnd, User, UserSession
from .services import sessions
from .services.audit import acting_through, client_address
from .services.certificates import totp_required
from .services.devices import device_for_token, touch_device

F = TypeVar("F", bound=Callable[..., Any])

#: The paired tablet's cookie holds its device token (HttpOnly; the server keeps only a hash).
DEVICE_COOKIE = "meeting_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
#: Sent to a removed tablet (and on pairing): the browser drops its caches, service worker,
#: local storage and IndexedDB — the cached documents and notes. Cookies are handled apart.
WIPE_SITE_DATA = '"cache", "storage"'
#: The key of the session token in Flask's (signed) session cookie.
SESSION_FIELD = "sid"


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
    """Forget everything in the cookie but the chosen language (the CSRF secret too)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    """Open a server-side session for ``user`` in a fresh cookie (the caller commits)."""
    clear_session()
    session.permanent = True
    session[SESSION_FIELD] = sessions.start_session(
        user, address=request.remote_addr or "", user_agent=request.user_agent.string
    )


def end_current_session(reason: SessionEnd) -> None:
    """End this browser's session on the server and forget it here (the caller commits)."""
    found = current_session()
    if found is not None:
        sessions.end_session(found, reason)
    clear_session()
    g.user = None
    _request_cache()[_SESSION_CACHE] = None


_SESSION_CACHE = "meeting.user_session"


def current_session() -> UserSession | None:
    """Return this request's (or socket event's) open session, read once per request.

    Kept on the request, not in ``g``: a socket event is a new request on the same
    connection, and an app context (``g``) may outlive one request.
    """
    cache = _request_cache()
    if _SESSION_CACHE not in cache:
        token = session.get(SESSION_FIELD)
        cache[_SESSION_CACHE] = sessions.find_session(
            token,
            idle_limit=timedelta(minutes=int(current_app.config["IDLE_TIMEOUT_MINUTES"])),
            max_age=timedelta(hours=float(current_app.config["SESSION_MAX_HOURS"])),
        )
        if cache[_SESSION_CACHE] is None and token is not None:
            db.session.commit()  # a session that idled out was ended just now
    found: UserSession | None = cache[_SESSION_CACHE]
    return found


def _request_cache() -> dict[str, Any]:
    """Return a dictionary that lives exactly as long as this request (or socket event)."""
    this_request = request._get_current_object()  # type: ignore[attr-defined]
    return cast(dict[str, Any], this_request.__dict__)


def session_user() -> User | None:
    """Return the active user of this browser's open session, if any."""
    found = current_session()
    return found.user if found is not None else None


def mark_session_used() -> None:
    """Count this request or socket event as activity on the session (idle timeout)."""
    found = current_session()
    if found is not None and sessions.seen_now(found):
        db.session.commit()


def _load_user() -> Response | None:
    client_address.set(request.remote_addr or "")
    acting_through.set("")
    g.user = None
    g.device = None
    if request.endpoint == "static":  # stylesheets and scripts need no user (nor a DB query)
        return None
    if request.blueprint == "api":  # the API is called with a key, never with these cookies
        return None
    removed = _load_device()
    if removed is not None:
        return removed
    _load_session_user()
    return _second_factor_setup_first()


#: What a person who must set up the authenticator app may still open meanwhile.
SETUP_ENDPOINTS = frozenset(
    {
        "certificates.mine",
        "certificates.start_totp",
        "certificates.confirm_totp",
        "auth.logout",
        "auth.set_language",
        "auth.second_factor",
    }
)


def second_factor_required(user: User) -> bool:
    """Tell whether the office requires the authenticator app of one of ``user``'s roles."""
    roles = str(current_app.config["SECOND_FACTOR_ROLES"])
    if not roles.strip():
        return False  # (off by default: no roles read on every request)
    wanted = {name.strip() for name in roles.split(",")}
    return any(role.value in wanted for role in user.roles)


def _second_factor_setup_first() -> Response | None:
    """Send someone whose role needs the authenticator app (``SECOND_FACTOR_ROLES``) and who
    has not set it up to do that first; every other page waits."""
    user = current_user()
    if user is None or request.endpoint in SETUP_ENDPOINTS:
        return None
    if not second_factor_required(user) or totp_required(user):
        return None
    from .views.forms import wants_json  # (views import this module)

    message = _("Your office asks you to sign in with an authenticator app. Set it up now.")
    if wants_json():
        return cast(Response, make_response({"ok": False, "error": message}, 403))
    flash(message, "error")
    return redirect(url_for("certificates.mine", _anchor="totp"))


def _load_session_user() -> None:
    if SESSION_FIELD not in session:
        return
    found = current_session()
    if found is None:
        reason = sessions.end_reason(session.get(SESSION_FIELD))
        clear_session()
        if reason is SessionEnd.IDLE:
            flash(
                _("You were signed out after a period of inactivity. Please sign in again."), "info"
            )
        else:
            flash(_("You were signed out (on another device, or your account changed)."), "info")
        return
    g.user = found.user  # (roles are read when a permission asks)
    mark_session_used()


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


#: A browser someone signed in on: it passes the per-account sign-in limits for them, so an
#: attacker guessing at a leader's password slows only themselves. Signed, not secret.
KNOWN_COOKIE = "meeting_known"
KNOWN_COOKIE_MAX_AGE = 365 * 24 * 3600
KNOWN_ACCOUNTS_KEPT = 5


def _known_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="meeting-known-browser")


def known_accounts() -> list[str]:
    """Return the usernames that signed in on this browser (newest first)."""
    raw = request.cookies.get(KNOWN_COOKIE)
    if not raw:
        return []
    try:
        names = _known_serializer().loads(raw)
    except BadSignature:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def is_known_browser(username: str) -> bool:
    """Tell whether ``username`` has signed in on this browser before."""
    return bool(username) and username in known_accounts()


def remember_known_browser(response: Response, username: str) -> None:
    """Remember on this browser that ``username`` signed in here (a year, a few accounts)."""
    names = [username, *(name for name in known_accounts() if name != username)]
    response.set_cookie(
        KNOWN_COOKIE,
        _known_serializer().dumps(names[:KNOWN_ACCOUNTS_KEPT]),
        max_age=KNOWN_COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )


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
    # The cookie lasts as long as a session may; the server decides whether it still counts.
    app.permanent_session_lifetime = timedelta(hours=float(app.config["SESSION_MAX_HOURS"]))
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.before_request(_load_user)
    app.context_processor(lambda: {"current_user": current_user()})
