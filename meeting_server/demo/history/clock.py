"""The demo's past: office hours on Vietnam days as UTC moments, and rows stamped afterwards.

The services stamp what they do with the current time. The history calls them as the office
would have, then moves each row to the moment the story says: by assigning the attributes of
the rows a service hands back, or with one ``UPDATE`` of the rows of a table made since a
marker (``newest_id`` before the call) for those it does not.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update

from ...extensions import db
from ...i18n import from_local, to_local
from ...models import utcnow

#: How long before "now" the latest stamped moment is kept, so nothing lies in the future.
MARGIN = timedelta(minutes=20)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return ``hour:minute`` of the Vietnam ``day`` as a UTC moment."""
    return from_local(datetime.combine(day, time(hour, minute)))


def vietnam_day(moment: datetime) -> date:
    """Return the Vietnam day of a UTC moment."""
    return to_local(moment).date()


def today() -> date:
    """Return today's date in Vietnam."""
    return vietnam_day(utcnow())


def past(moment: datetime) -> datetime:
    """Return ``moment``, or a little before now when it would not yet have come."""
    return min(moment, utcnow() - MARGIN)


def weekday_on_or_before(day: date) -> date:
    """Return ``day``, or the Friday before it when it falls on a weekend."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def working_day_after(day: date, days: int) -> date:
    """Return the working day ``days`` days after ``day`` (a weekend moves to the Monday)."""
    day += timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def office_day(day: date, hour: int, minute: int = 0) -> datetime:
    """Return ``hour:minute`` of the working day on or before ``day``, never in the future."""
    return past(at(weekday_on_or_before(day), hour, minute))


def days_later(day: date, days: int, hour: int, minute: int = 0) -> datetime:
    """Return ``hour:minute`` of the working day ``days`` after ``day``, never in the future."""
    return past(at(working_day_after(day, days), hour, minute))


def newest_id(model: Any) -> int:
    """Return the newest id of ``model``'s table (0 when empty): a marker for ``restamp``."""
    return int(db.session.scalar(select(func.max(model.id))) or 0)


def restamp(model: Any, since: int, **values: Any) -> None:
    """Set ``values`` on the rows of ``model`` made after the marker ``since``."""
    db.session.execute(
        update(model)
        .where(model.id > since)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
