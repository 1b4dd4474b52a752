"""Cursor pagination: ``?limit=&cursor=``, answered with ``{"data": [...], "next_cursor": …}``.

The cursor is opaque to callers: the sort values of the last item of the page, base64url
JSON. The next page starts strictly after them (keyset pagination), so items added or removed
meanwhile never make a page repeat or skip one that stayed. A cursor that does not decode to
the list's sort values is refused (400), never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from ..models.ids import MAX_ID
from ..services.errors import ServiceError

T = TypeVar("T")
Item = TypeVar("Item", bound=BaseModel)


class PageQuery(BaseModel):
    """Which page of a list."""

    limit: int = Field(50, ge=1, le=200, description="How many items at most (1–200)")
    cursor: str | None = Field(
        None, max_length=400, description="`next_cursor` of the previous page; none: the first"
    )


class Page(BaseModel, Generic[Item]):
    """One page of a list, and the cursor of the next (null on the last page)."""

    data: list[Item]
    next_cursor: str | None


def _bad_cursor() -> ServiceError:
    return ServiceError(
        _l("This cursor is not one this list gave. Start again without a cursor."), field="cursor"
    )


def encode(values: Sequence[Any]) -> str:
    """Return the cursor of a row whose sort values are ``values``."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """Return the sort values a cursor holds, each of the ``kinds`` given, or refuse it."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise _bad_cursor()
    return [_value(value, kind) for value, kind in zip(values, kinds, strict=True)]


def _value(value: Any, kind: type) -> Any:
    if kind is datetime and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _bad_cursor() from None
        if parsed.tzinfo is None:
            raise _bad_cursor()
        return parsed
    if kind is int and type(value) is int and 0 < value <= MAX_ID:
        return value
    if kind is str and isinstance(value, str) and len(value) <= 500:
        return value
    raise _bad_cursor()


def page_of(
    query: Select[Any],
    order: Sequence[InstrumentedAttribute[Any]],
    page: PageQuery,
    kinds: Sequence[type],
) -> tuple[list[Any], str | None]:
    """Return one page of ``query`` in ascending ``order`` (whose last column is unique, the
    id) and the next page's cursor."""
    if page.cursor:
        after = decode(page.cursor, kinds)
        query = query.where(_after(order, after))
    limit = min(page.limit, int(current_app.config["API_PAGE_MAX"]))
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    return rows, encode([getattr(last, c.key) for c in order]) if last is not None else None


def _after(order: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any]) -> Any:
    """Return "the row comes after ``values``" in ascending ``order``."""
    clauses = []
    for index, column in enumerate(order):
        same = [order[i] == values[i] for i in range(index)]
        clauses.append(and_(*same, column > values[index]))
    return or_(*clauses)


def answer(rows: Sequence[T], cursor: str | None, shape: Callable[[T], BaseModel]) -> dict:
    """Return the JSON of a page."""
    return {"data": [shape(row).model_dump(mode="json") for row in rows], "next_cursor": cursor}
