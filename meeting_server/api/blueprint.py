"""The ``/api/v1`` blueprint: who is calling (the key), what the key may do (scopes), the rate
limit, and every error as a problem.

A call is made with ``Authorization: Bearer msk_…``. The session cookie never authenticates
the API (so no call can be forged by a page in a signed-in browser, and the API needs no CSRF
token). The key's owner becomes ``g.user`` and every call asks the same ``can_*`` predicates
as the pages; the key's scopes narrow that further (:func:`require_scope`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..models import ApiKey, User
from ..services import api_keys
from ..services.audit import acting_through
from .problems import problem, problem_responses

F = TypeVar("F", bound=Callable[..., Any])

#: The security scheme every operation names (OpenAPI 3.1 lets it list the scopes it needs).
SECURITY_SCHEMES = {
    "ApiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "msk_<prefix>_<secret>",
        "description": "An integration's API key, made by an administrator at /admin/api-keys.",
    }
}


def _operation_id(*, bp_name: str = "", name: str = "", path: str = "", method: str = "") -> str:
    return name


bp = APIBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    abp_responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    operation_id_callback=_operation_id,
)

#: Endpoints anyone may read: the OpenAPI document and its docs page.
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document", "api.docs"})


def rate_key() -> str:
    """Count calls per key; a call without a valid key counts against its address."""
    key = calling_key()
    return f"api-key:{key.id}" if key is not None else f"api-ip:{request.remote_addr}"


def calling_key() -> ApiKey | None:
    """Return the valid key this request carries (looked up once per request)."""
    # Kept with the request, not in ``g``: requests made inside one app context share ``g``.
    if _KEY_SEEN not in request.environ:
        header = request.headers.get("Authorization", "")
        scheme, _sep, presented = header.partition(" ")
        found = api_keys.key_for(presented.strip()) if scheme.lower() == "bearer" else None
        request.environ[_KEY_SEEN] = found
    key: ApiKey | None = request.environ[_KEY_SEEN]
    return key


_KEY_SEEN = "meeting_server.api_key"


@bp.before_request
def _authenticate() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    key = calling_key()
    if key is None:
        return problem(
            "unauthorized",
            _(
                "Send a valid API key: `Authorization: Bearer msk_…`. "
                "Ask an administrator for one if yours was revoked."
            ),
        )
    g.user = key.owner
    acting_through.set(f"api-key:{key.prefix}")
    if api_keys.mark_used(key):
        db.session.commit()
    scope = SCOPE_OF.get(request.endpoint or "")
    if scope is None or scope not in key.scope_set:
        return problem(
            "insufficient_scope",
            _(
                "This API key may not do this: it needs the permission “%(scope)s”. Ask an "
                "administrator for a key with it.",
                scope=scope or "-",
            ),
        )
    return None


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_key)(bp)


def api_user() -> User:
    """Return the account the calling integration acts as."""
    user: User = g.user
    return user


#: The scope each endpoint needs (``require_scope``); an endpoint without one opens to no key.
SCOPE_OF: dict[str, str] = {}


def require_scope(scope: str) -> Callable[[F], F]:
    """Say that the view needs ``scope``: a key without it is refused (403
    ``insufficient_scope``) before anything of the request is read."""

    def decorate(view: F) -> F:
        SCOPE_OF[f"{bp.name}.{view.__name__}"] = scope
        return view

    return decorate


def security(scope: str) -> list[dict[str, list[str]]]:
    """Return an operation's security requirement: the API key, with ``scope``."""
    return [{"ApiKey": [scope]}]
