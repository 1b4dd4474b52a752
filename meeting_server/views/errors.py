"""Error pages and JSON errors that tell the user what happened and what to do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..api.errors import http_problem, service_problem
from ..api.problems import is_api_request, problem
from ..auth import current_user
from ..extensions import db
from ..services.audit import record_event
from ..services.documents import too_large_message
from ..services.errors import ServiceError
from .forms import wants_json


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Reload the page and try again."),
        403: _("You do not have permission to open this page. Ask the secretariat if you need it."),
        404: _("This page does not exist or was removed. Check the link or go back to the list."),
        405: _("This action is not possible here. Go back and use the buttons on the page."),
        429: _("Too many attempts. Wait a few minutes, then try again."),
    }


def _answer(status: int, message: str):
    if is_api_request():
        return http_problem(status, message)
    if wants_json():
        return jsonify(ok=False, error=message), status
    return render_template("error.html", status=status, message=message), status


def handle_http(error: HTTPException):
    """Render an HTTP error as a page or JSON; a refusal (403) is audited."""
    status = error.code or 500
    if status == 403:
        db.session.rollback()  # nothing the refused request did is kept, but the refusal is
        where = {"method": request.method, "path": request.path[:200]}
        record_event(current_user(), "access.refused", "path", None, **where)
        db.session.commit()
    return _answer(status, _messages().get(status, error.description or ""))


def handle_too_large(_error: RequestEntityTooLarge):
    """Refuse an oversize upload before its body is read."""
    if is_api_request():
        return problem("too_large", str(too_large_message()))
    return _answer(413, str(too_large_message()))


def handle_csrf(_error: CSRFError):
    """Explain an expired or missing form token."""
    return _answer(400, _("The form expired. Reload the page and submit it again."))


def handle_service_error(error: ServiceError):
    """Roll back and report a refused operation."""
    db.session.rollback()
    if is_api_request():
        return service_problem(error)
    if wants_json():
        return jsonify(ok=False, error=str(error.message), field=error.field), error.status
    flash(str(error.message), "error")
    return redirect(request.referrer or "/")


def handle_conflict(_error: IntegrityError):
    """Report a change that collided with another one made at the same moment."""
    db.session.rollback()
    message = _(
        "Someone changed this at the same moment. Nothing of yours was saved: reload the page "
        "and try again."
    )
    return _answer(409, message)


@dataclass(frozen=True)
class TooMany:
    """What a blueprint says when its rate limit is hit, and the page that keeps its form."""

    message: Callable[[], str]
    page: Callable[[str], ResponseReturnValue] | None = None


#: Per blueprint name, registered with ``on_too_many``; others get the general message.
_TOO_MANY: dict[str, TooMany] = {}


def on_too_many(
    bp: Blueprint, message: Callable[[], str], page: Callable[[str], Any] | None = None
) -> None:
    """Say ``message()`` when a limit of ``bp`` refuses: on ``page(message)``, else on the
    error page (a page that redirects keeps its own status)."""
    _TOO_MANY[bp.name] = TooMany(message, page)


def handle_too_many(_error: HTTPException):
    """The one answer to a rate limit: 429, as JSON for our scripts and the API, else the page.

    A form whose limit was hit stays on screen with the message (``on_too_many``).
    """
    if is_api_request():
        return http_problem(429)
    said = _TOO_MANY.get(request.blueprint or "")
    message = said.message() if said else _messages()[429]
    if wants_json() or request.path.endswith(".json"):
        return jsonify(ok=False, error=message), 429
    if said is None or said.page is None:
        return _answer(429, message)
    response = current_app.make_response(said.page(message))
    if response.status_code == 200:
        response.status_code = 429
    return response


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(429, handle_too_many)
    app.register_error_handler(IntegrityError, handle_conflict)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http)
