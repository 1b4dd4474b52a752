"""The REST API for the administration's other systems, ``/api/v1`` (docs/interconnection.md).

A view here reads as the pages' do — parse (the pydantic models flask-openapi3 validates
against), load (404), permission (the same ``can_*`` predicates, as the key's owner, and the
key's scope), one service call, commit, answer — and every answer is a schema of
``schemas.py``, so the OpenAPI document is generated from the code that serves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import conduct, docs, documents, meetings, signing, tasks  # noqa: F401 (routes join bp)
from .blueprint import SECURITY_SCHEMES, bp
from .problems import Problem, validation_problem

if TYPE_CHECKING:
    from flask_openapi3 import OpenAPI

__all__ = ["OPENAPI_SETTINGS", "bp", "init_app"]

#: What ``create_app`` gives flask-openapi3's app class: the document's header, no bundled UI
#: (ours obeys the CSP), every request that does not fit its schema answered as a problem.
OPENAPI_SETTINGS = {
    "info": {
        "title": "Meeting server API",
        "version": "1.0.0",
        "description": "Meetings, documents, signing and tasks of the paperless meeting rooms, "
        "for the administration's other systems. Errors are RFC 9457 problems "
        "(`application/problem+json`); lists are paged with `limit` and `cursor`.",
    },
    "security_schemes": SECURITY_SCHEMES,
    "doc_ui": False,
    "validation_error_status": 422,
    "validation_error_model": Problem,
    "validation_error_callback": validation_problem,
}


def init_app(app: OpenAPI) -> None:
    """Register the API; it is exempt from CSRF (it never reads the session cookie)."""
    from ..extensions import csrf

    app.register_api(bp)
    csrf.exempt(bp)
