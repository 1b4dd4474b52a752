"""Typed schemas of every JSON body the pages send (pydantic), read by :func:`read`.

The schema checks the shape at the edge — types, ids (``models.ids.Id``), how many items, a
hard cap on text — before any service runs; the services keep the rules a person can break
by typing (a question too long, too few options) and their own words for them. Unknown keys
are ignored. A body that does not fit is refused with 400 and a message naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from ..models.ids import Id, OptionalId
from ..services.errors import ServiceError

B = TypeVar("B", bound="Body")

#: Caps well above what the services accept, so that their own messages speak first.
Short = Annotated[str, Field(max_length=2_000)]
Long = Annotated[str, Field(max_length=100_000)]
Secret = Annotated[str, Field(max_length=256)]


class Body(BaseModel):
    """A JSON object sent by our pages."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class OpenVote(Body):
    item_id: Id
    question: Short = ""
    options: Annotated[list[Short], Field(max_length=50)] | None = None
    secret: StrictBool = False
    rule: Annotated[str, Field(max_length=40)] | None = None


class Ballot(Body):
    choice: Annotated[int, Field(ge=0, le=999, strict=True)]


class RaiseHand(Body):
    item_id: OptionalId = None
    document_id: OptionalId = None
    topic: Short = ""


class RollCall(Body):
    action: Literal["present", "online", "absent", "delegate", "leave"]
    reason: Short = ""
    deputy_id: OptionalId = None
    deputy_name: Short = ""


class DoorCode(Body):
    code: Short


class SelfCheckIn(Body):
    online: StrictBool = False


class AgendaOrder(Body):
    order: Annotated[list[Id], Field(max_length=1_000)]


class Secrets(Body):
    pin: Secret = ""
    code: Secret = ""


#: The most documents one batch signs.
MAX_BATCH = 50


class Batch(Secrets):
    ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH)]


class NoteText(Body):
    text: Long


def read(model: type[B], messages: Mapping[str, object] | None = None) -> B:
    """Return the request's JSON body as ``model``, or refuse it (``ServiceError``, 400).

    ``messages`` gives a field's own words (e.g. "Choose the agenda item to vote on.").
    """
    payload = request.get_json(silent=True)
    try:
        return model.model_validate(payload if isinstance(payload, dict) else {})
    except ValidationError as error:
        where = error.errors()[0]["loc"]
        field = str(where[0]) if where else ""
        message = (messages or {}).get(field) or _l(
            "The page sent “%(field)s” in a form the server cannot use. Reload the page and "
            "try again.",
            field=field,
        )
        raise ServiceError(message, field=field) from None
