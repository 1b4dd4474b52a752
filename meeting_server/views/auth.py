"""Sign in and out, choose the language, and the home page."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from ..auth import (
    clear_session,
    current_session,
    current_user,
    is_known_browser,
    login_required,
    remember_known_browser,
    start_session,
)
from ..extensions import db, limiter
from ..i18n import LANGUAGES
from ..models import SessionEnd, User
from ..models.ids import find
from ..permissions import is_secretary
from ..services.audit import record_event
from ..services.certificates import WrongSecret, check_totp, totp_required
from ..services.sessions import end_sessions_of
from ..services.users import authenticate
from .errors import on_too_many

bp = Blueprint("auth", __name__)

#: The key, in the signed cookie, of a sign-in waiting for the authenticator code.
PENDING = "pending_sign_in"
PENDING_S = 300


def _username() -> str:
    return request.form.get("username", "").strip().lower()


def _account_key() -> str:
    return "login-account:" + _username()


def _account_and_address_key() -> str:
    return f"login-account-ip:{_username()}:{get_remote_address()}"


def _failed(response) -> bool:
    # Only failed attempts count toward the limits; a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] in {"/", "\\"}:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    key_func=lambda: "login-ip:" + get_remote_address(),
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"],
    key_func=_account_and_address_key,
    methods=["POST"],
    deduct_when=_failed,
    exempt_when=lambda: is_known_browser(_username()),
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    exempt_when=lambda: is_known_browser(_username()),
)
def login():
    """Show the sign-in form; on success start a fresh session."""
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    user = authenticate(request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        db.session.commit()  # the failed attempt is recorded
        error = _("Wrong username or password, or the account is disabled. Check and try again.")
        return render_template("auth/login.html", error=error, next=request.form.get("next")), 401
    if totp_required(user):  # the password was right; the app's code comes next
        db.session.commit()
        clear_session()
        session[PENDING] = {
            "user": user.id,
            "at": int(time.time()),
            "next": request.form.get("next"),
        }
        return redirect(url_for("auth.second_factor"))
    return _signed_in(user, request.form.get("next"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"],
    key_func=lambda: f"login-code:{(session.get(PENDING) or {}).get('user')}",
    methods=["POST"],
    deduct_when=_failed,
)
def second_factor():
    """Ask for the authenticator app's code after a right password (five minutes to type it)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        pending = {"user": None, "at": 0}
    user = find(User, pending["user"])
    if user is None or not user.active or time.time() - pending["at"] > PENDING_S:
        if session.pop(PENDING, None) is not None:
            flash(_("Sign in again: the code was not typed within five minutes."), "info")
        if current_user() is not None:  # signed in already: nothing to type
            return redirect(url_for("auth.home"))
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/code.html")
    try:
        check_totp(user, request.form.get("code", ""))
    except WrongSecret as wrong:
        db.session.rollback()
        record_event(user, "auth.second_factor_failed", "user", user.id)
        db.session.commit()
        return render_template("auth/code.html", error=str(wrong.message)), 401
    return _signed_in(user, pending.get("next"))


def _signed_in(user: User, next_page: str | None):
    """Open the session, remember this browser, and go where the person was going."""
    start_session(user)
    db.session.commit()
    response = redirect(_safe_next(next_page) or url_for("auth.home"))
    remember_known_browser(response, user.username)
    return response


on_too_many(
    bp,
    lambda: _(
        "Too many failed sign-in attempts for this account or from this computer. Sign in "
        "on a computer or phone you have used before, or wait 10 minutes and try again; if "
        "you forgot your password, ask the administrator to reset it."
    ),
    lambda message: render_template(
        "auth/login.html", error=message, next=request.form.get("next")
    ),
)  # the sign-in form stays on screen


@bp.post("/logout")
def logout():
    """Sign this person out everywhere: every session of theirs ends, on every process, and
    their open sockets close; this browser also forgets cached documents and offline notes."""
    found = current_session()
    if found is not None:
        end_sessions_of(found.user, found.user, SessionEnd.SIGNED_OUT)
        db.session.commit()
    clear_session()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch the interface language and go back."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))


@bp.get("/")
@login_required
def home():
    """Send each person to the page they start from."""
    if is_secretary(current_user()):
        return redirect(url_for("meetings.schedule"))
    return redirect(url_for("meetings.mine"))
