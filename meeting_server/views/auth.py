"""Sign in and out, choose the language, and the home page."""

from __future__ import annotations

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
from ..models import SessionEnd
from ..permissions import is_secretary
from ..services.sessions import end_sessions_of
from ..services.users import authenticate
from .errors import on_too_many

bp = Blueprint("auth", __name__)


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
    start_session(user)
    db.session.commit()
    response = redirect(_safe_next(request.form.get("next")) or url_for("auth.home"))
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
