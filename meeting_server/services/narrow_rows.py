"""Many narrow rows read fast: dates and times as the driver gives them, parsed here.

SQLAlchemy parses SQLite's dates and times with regular expressions, and our ``UTCDateTime``
adds a Python call per value: for the leaders' dashboard, reading 20,000 tasks took five
times longer than the query. Columns wrapped in :func:`raw` come as the driver gives them —
ISO text on SQLite (as SQLAlchemy stores them: naive, UTC), ``date`` and aware ``datetime``
on PostgreSQL — and :func:`day` and :func:`moment` read both with ``fromisoformat`` (C).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, type_coerce


def raw(column: Any) -> ColumnElement[Any]:
    """Return ``column`` read without SQLAlchemy's processing (for :func:`day`, :func:`moment`)."""
    return type_coerce(column, String())


def day(value: date | str) -> date:
    """Return a calendar day read by :func:`raw`."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def moment(value: datetime | str | None) -> datetime | None:
    """Return an aware UTC datetime read by :func:`raw` (None stays None)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value
