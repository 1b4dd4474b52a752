"""The iCalendar text of a calendar feed: one VEVENT per meeting, nothing confidential.

A subscribed feed (RFC 5545 without METHOD, RFC 7986's NAME and REFRESH-INTERVAL): calendar
apps replace their copy with what the feed lists now, matching events by UID. What an event
says is what the room's door could say — title, room, times, chair, the meeting's link — never
agenda items (some are confidential), the description, the participants or documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vText

from ..models import Meeting

PRODID = "-//Paperless meeting room//Calendar feeds//EN"
#: How often calendar apps should read the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH = timedelta(minutes=15)


def public_base() -> str:
    """Return ``PUBLIC_URL`` without its trailing slash."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def meeting_uid(meeting: Meeting) -> str:
    """Return the meeting's UID, the same for its whole life: ``meeting-<id>@<host>``."""
    host = urlsplit(public_base()).hostname or "localhost"
    return f"meeting-{meeting.id}@{host}"


def meeting_link(meeting: Meeting) -> str:
    """Return the address of the meeting's page."""
    return f"{public_base()}/meetings/{meeting.id}"


def render_calendar(name: str, meetings: Sequence[Meeting]) -> bytes:
    """Return the VCALENDAR named ``name`` listing ``meetings`` (UTF-8, CRLF lines)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # NAME is RFC 7986's; Outlook and Google read X-WR-CALNAME. (vText: escaped as TEXT.)
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    return calendar.to_ical()


def meeting_event(meeting: Meeting) -> Event:
    """Return the VEVENT of one published meeting (times in UTC)."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    # Without METHOD, DTSTAMP is when the event's information last changed (RFC 5545 3.8.7.2).
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("created", meeting.created_at)
    # Meeting.version moves on with every change participants see (a new time, room, title).
    event.add("sequence", meeting.version)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", _location(meeting))
    event.add("description", _description(meeting))
    event.add("url", meeting_link(meeting))
    event.add("status", "CONFIRMED")  # a feed lists published meetings only
    event.add("transp", "OPAQUE")
    return event


def _location(meeting: Meeting) -> str:
    room = meeting.room
    return f"{room.name}, {room.location}" if room.location else room.name


def _description(meeting: Meeting) -> str:
    lines = []
    if meeting.chair is not None:
        lines.append(str(_l("Chair: %(name)s", name=meeting.chair.full_name)))
    lines.append(str(_l("Open the meeting: %(link)s", link=meeting_link(meeting))))
    return "\n".join(lines)
