"""Finding a row by an id that came from outside (a URL, a form, JSON, a socket message).

Every identifier a client sends goes through :func:`parse_id`: a positive integer that fits
the database's 64-bit key, given as an ``int`` or as ASCII digits. Anything else (``true``,
``"²"``, ``"١٢"``, ``2**64``, ``None``, a list) is "no such object", never an exception.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import BeforeValidator

from ..extensions import db

T = TypeVar("T")

#: The largest key a 64-bit signed integer column holds (SQLite's and PostgreSQL's bigint).
MAX_ID = 2**63 - 1


def parse_id(raw: object) -> int | None:
    """Return ``raw`` as an object id, or None if it cannot be one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
            return None
        raw = int(text)
    if not isinstance(raw, int):
        return None
    return raw if 0 < raw <= MAX_ID else None


def parse_ids(values: object, limit: int) -> list[int]:
    """Return the valid ids in the list ``values``, in order, without repeats, at most ``limit``."""
    if not isinstance(values, list | tuple):
        return []
    found: dict[int, None] = {}
    for value in values:
        object_id = parse_id(value)
        if object_id is not None:
            found[object_id] = None
            if len(found) == limit:
                break
    return list(found)


def find(model: type[T], raw: object) -> T | None:
    """Return the ``model`` row whose id is ``raw``, or None (also for an id that is not one)."""
    object_id = parse_id(raw)
    return None if object_id is None else db.session.get(model, object_id)


def _as_id(value: object) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise ValueError("not an id: a positive whole number below 2**63 is expected")
    return parsed


def _as_optional_id(value: object) -> int | None:
    return None if value in (None, "", 0) else _as_id(value)


#: An id in a typed schema (``schemas``): the same rule as :func:`parse_id`.
Id = Annotated[int, BeforeValidator(_as_id)]
#: An id that may be left out (``null``, ``""`` or ``0``: none chosen).
OptionalId = Annotated[int | None, BeforeValidator(_as_optional_id)]
