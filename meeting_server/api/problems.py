"""The API's one error object (RFC 9457 "problem details"), and the answers that carry it.

Every refusal under ``/api/v1`` is ``application/problem+json`` with the same fields: a stable
machine ``code`` an integration can branch on, a ``title`` for that code, a ``detail`` saying
what went wrong and what to do (in the caller's ``Accept-Language``: Vietnamese or English),
and, for a request that does not fit the schema, one entry per field in ``errors``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROBLEM_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One field of the request that was refused, and why."""

    field: str = Field(description="The refused field or parameter: `title`, `limit`, `cursor`…")
    message: str


class Problem(BaseModel):
    """Problem details (RFC 9457) with a stable `code`."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "urn:meeting-server:problem:not_found",
                "title": "Not found",
                "status": 404,
                "code": "not_found",
                "detail": "There is no such object, or it was removed.",
                "errors": [],
            }
        },
    )

    type: str = Field(description="`urn:meeting-server:problem:<code>`")
    title: str
    status: int
    code: str = Field(description="Stable: branch on this, not on the wording")
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)


#: The codes, their HTTP status and their title (the title never changes with the language).
CODES: dict[str, tuple[int, str]] = {
    "invalid_request": (400, "Invalid request"),
    "unauthorized": (401, "Unauthorized"),
    "forbidden": (403, "Forbidden"),
    "insufficient_scope": (403, "Insufficient scope"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "not_acceptable": (406, "Not acceptable"),
    "conflict": (409, "Conflict"),
    "too_large": (413, "Payload too large"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "validation_failed": (422, "Validation failed"),
    "idempotency_key_reused": (422, "Idempotency key reused"),
    "upload_refused": (422, "Upload refused"),
    "rate_limited": (429, "Too many requests"),
    "server_error": (500, "Internal server error"),
    "unavailable": (503, "Service unavailable"),
}

_BY_STATUS = {status: code for code, (status, _title) in reversed(CODES.items())}


def is_api_request() -> bool:
    """Tell whether this request is addressed to the API (its errors are problems)."""
    return request.path.startswith("/api/")


def problem(
    code: str, detail: str, *, errors: list[FieldProblem] | None = None, status: int | None = None
) -> Response:
    """Answer with the problem ``code`` (its status unless ``status`` is given)."""
    default_status, title = CODES[code]
    body = Problem(
        type=f"urn:meeting-server:problem:{code}",
        title=title,
        status=status or default_status,
        code=code,
        detail=detail,
        errors=errors or [],
    )
    response = current_app.response_class(
        json.dumps(body.model_dump(mode="json")), status=body.status, mimetype=PROBLEM_TYPE
    )
    if body.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def code_for_status(status: int) -> str:
    """Return the problem code an HTTP status maps to (500 for an unknown one)."""
    return _BY_STATUS.get(status, "invalid_request" if 400 <= status < 500 else "server_error")


def validation_problem(error: ValidationError) -> Response:
    """Answer a request that does not fit its schema: 422, one entry per refused field.

    (flask-openapi3 calls this for the path, query, headers and body it validates.)
    """
    return problem(
        "validation_failed",
        _("Some values are missing or not valid. Correct the fields listed in `errors`."),
        errors=[_field_problem(item) for item in error.errors(include_url=False)],
    )


def _field_problem(item: Any) -> FieldProblem:
    where = ".".join(str(part) for part in item.get("loc", ())) or "(request)"
    return FieldProblem(field=where, message=str(item.get("msg", "")))


def problem_responses(*statuses: int) -> dict[Any, Any]:
    """Return the OpenAPI responses for ``statuses``, each a ``Problem``."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": CODES[code_for_status(status)][1],
            "content": {PROBLEM_TYPE: {"schema": schema}},
        }
        for status in statuses
    }
