"""Language choice (Vietnamese by default, English second) and Vietnam-time formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale

from .collation import sorted_by
from .extensions import babel

LANGUAGES = ("vi", "en")


def select_locale() -> str:
    """Return the language chosen in the session, else Vietnamese; the API's callers choose
    with ``Accept-Language``."""
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if request.path.startswith("/api/"):
        chosen = request.accept_languages.best_match(LANGUAGES)
        return str(chosen or current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    if request.args.get("lang") in LANGUAGES:
        return str(request.args["lang"])
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def display_zone() -> ZoneInfo:
    """Return the zone times are shown in (Vietnam, UTC+7)."""
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """Convert an aware UTC datetime to display time."""
    return value.astimezone(display_zone())


def from_local(value: datetime) -> datetime:
    """Read a naive datetime typed in display time and return it in UTC."""
    return value.replace(tzinfo=display_zone()).astimezone(UTC)


def format_date(value: datetime | date | None) -> str:
    """Format as dd/mm/yyyy in display time (a calendar date as it is)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return to_local(value).strftime("%d/%m/%Y") if value else ""


def format_time(value: datetime | None) -> str:
    """Format as HH:MM in display time."""
    return to_local(value).strftime("%H:%M") if value else ""


def format_datetime(value: datetime | None) -> str:
    """Format as HH:MM dd/mm/yyyy in display time."""
    return to_local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def format_input(value: datetime | None) -> str:
    """Format for an ``<input type=datetime-local>`` in display time."""
    return to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def init_app(app: Flask) -> None:
    """Bind Babel (catalogues in ``meeting_server/translations``) and the date filters."""
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories="translations"
    )
    app.jinja_env.filters.update(
        date=format_date,
        time=format_time,
        datetime=format_datetime,
        input_datetime=format_input,
        vi_sort=sorted_by,
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
