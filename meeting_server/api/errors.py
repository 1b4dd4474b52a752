"""The API's answers to errors raised anywhere while serving it (called by ``views/errors.py``,
which handles errors for the whole app, so that an unknown ``/api/v1/…`` path is a problem too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..services.errors import NotAllowed, ServiceError, UploadRefused
from .problems import FieldProblem, code_for_status, problem


def _details() -> dict[int, str]:
    return {
        400: _("The request could not be read. Check it against the OpenAPI document."),
        403: _("The account this API key acts as may not do this, or may not see this object."),
        404: _("There is no such object or address. Check the id and the path."),
        405: _("This method is not allowed here. The OpenAPI document lists the methods."),
        409: _(
            "Someone changed this at the same moment. Nothing was saved: read it again and retry."
        ),
        429: _("Too many calls with this key. Wait as long as Retry-After says, then retry."),
    }


def http_problem(status: int, fallback: str = "") -> Response:
    """Answer an HTTP error ``status`` as a problem."""
    detail = _details().get(status) or fallback or _("The request failed.")
    return problem(code_for_status(status), detail, status=status)


def service_problem(error: ServiceError) -> Response:
    """Answer a refused operation: the service's own message, and the field it names."""
    code = "invalid_request"
    if isinstance(error, NotAllowed):
        code = "conflict"
    elif isinstance(error, UploadRefused):
        code = "upload_refused"
    message = str(error.message)
    fields = [FieldProblem(field=error.field, message=message)] if error.field else []
    return problem(code, message, errors=fields, status=error.status)


@contextmanager
def api_fields(names: dict[str, str]) -> Iterator[None]:
    """Name the fields a service refuses as the API calls them (``room`` → ``room_id``)."""
    try:
        yield
    except ServiceError as error:
        error.field = names.get(error.field or "", error.field)
        raise
