"""The Socket.IO event contract: names and payloads (TypedDicts), both directions.

Client → server (``verb_noun``), each answered with an ack ``{"ok": bool, "error": str|None}``:

* ``join_meeting`` :class:`JoinMeeting` → :class:`JoinAck` — checks ``can_view_meeting`` at
  every join, puts the connection in its audience's room; a tablet that missed notices
  since ``last_seq`` (or sends none) gets the whole state in the ack.
* ``leave_meeting`` :class:`LeaveMeeting` → :class:`Ack`.
* ``present_page`` :class:`PresentPage` → :class:`PresentAck` — the presenter's page turn or
  zoom (``can_present``: chair, secretariat, the item's presenter; meeting in progress).
* ``stop_presenting`` :class:`StopPresenting` → :class:`Ack`.
* ``still_here`` (no payload) → :class:`Ack` — sent every few minutes by an open live page,
  so that a meeting screen in use counts as activity (the session's idle timeout) however
  long the meeting; ``unauthorized`` once the session has ended.

Server → client (``noun_past_verb``, :class:`~meeting_server.models.MeetingNoticeKind`),
payload :class:`Notice`: numbered per meeting (``seq``, one more each time, sent to every
reader: those who may not learn a confidential notice get ``notice_withheld`` with its
``seq``); ``state`` holds the parts of the reader's audience's shared state the change
touched (``services/live_state.py`` ``PARTS_OF``: top-level keys, dotted keys inside
``conduct``), read after the commit, so the tablet applies them without a request; a part is
applied only if the notice is newer than the part the tablet holds. ``readers`` names people
whose own part (``mine``) changed: only their tablets read ``state`` again. Never document
bytes.

Connecting needs a signed-in session or a paired tablet's token (``auth={"device_token": …}``
or the ``meeting_device`` cookie); refused with ``unauthorized``, or ``device_revoked`` for a
removed, re-paired or unknown token (the tablet then wipes its cached documents and notes).

* ``vote_count_changed`` :class:`VoteCountChanged` — the live count of ballots of the open
  vote, *not* numbered nor replayed (the state holds it too); sent at most every
  ``VOTE_COUNT_INTERVAL_S`` per vote however many ballots arrive, to the confidential
  channel only when the vote is on a confidential item.
* ``device_revoked`` :class:`DeviceRevoked` — sent to a tablet's connections (room
  ``device:<id>``) when the administrator removes it or pairs a replacement; the server then
  disconnects them.
* ``inbox_changed`` :class:`InboxChanged` — to a signed-in person's connections (room
  ``user:<id>``, joined at connect): a signing request in their inbox changed (their turn, a
  reminder, returned, signed, completed); the inbox re-reads itself.
* ``tasks_changed`` :class:`TasksChanged` — to a signed-in person's connections: a task they
  work on or assigned changed, or a reminder about it is in their inbox; the task pages
  re-read themselves and the menu's count goes up.

The server closes a person's connections (room ``user:<id>``, and the tablets at their seat)
when their session ends or their rights in a meeting change (uninvited, clearance withdrawn):
the page connects again by itself and joins with what it may see now, or, signed out, is
refused with ``unauthorized``.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from ..models import MeetingNoticeKind
from ..models.ids import Id

#: Every notice kind a meeting can send (the Socket.IO event name is the kind).
NOTICE_KINDS = frozenset(kind.value for kind in MeetingNoticeKind)
WITHHELD = MeetingNoticeKind.NOTICE_WITHHELD.value


class Notice(TypedDict):
    """A small notice about a meeting; ``seq`` increases by one per meeting."""

    meeting_id: int
    kind: str
    ids: list[int]
    version: int
    seq: int
    state: dict[str, Any]
    readers: list[int]


class Payload(BaseModel):
    """What a client sends with an event, checked by :func:`read_payload` (pydantic)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class PresentPage(Payload):
    """Present ``page`` of a document version to the room at ``zoom`` (% of the page width)."""

    document_id: Id
    version: Id
    page: Id
    zoom: Id  # the service keeps it within 25–400 %


class JoinMeeting(Payload):
    """Join a meeting's channel; ``last_seq`` is the last notice the tablet has seen.

    ``state: false``: a page that reads its own state (the attendance board) wants none.
    """

    meeting_id: Id
    last_seq: Annotated[int, Field(ge=0, strict=True)] | None = None
    state: StrictBool = True


class MeetingRef(Payload):
    """``leave_meeting`` and ``stop_presenting``: which meeting."""

    meeting_id: Id


P = TypeVar("P", bound=Payload)


def read_payload(model: type[P], data: Any) -> P | None:
    """Return ``data`` as ``model``, or None when it does not fit (the ack says bad_request)."""
    try:
        return model.model_validate(data if isinstance(data, dict) else {})
    except ValidationError:
        return None


class Ack(TypedDict):
    """The answer to every client event."""

    ok: bool
    error: str | None


class JoinAck(Ack):
    """The answer to ``join_meeting``: the current ``seq``; the state if the tablet is behind."""

    seq: int
    version: int
    state: dict[str, Any] | None


class PresentAck(Ack):
    """The answer to ``present_page``: the notice's ``seq``."""

    seq: int


class DeviceRevoked(TypedDict):
    """This tablet was removed (or replaced): wipe cached documents and notes, pair again."""

    device_id: int


class InboxChanged(TypedDict):
    """A signing request in this person's inbox changed (a poke: the inbox re-reads)."""

    request_id: int


class TasksChanged(TypedDict):
    """A task in this person's inbox changed (a poke: the task pages re-read)."""

    task_id: int


class VoteCountChanged(TypedDict):
    """How many ballots the open vote has, of how many who may vote (never who or what)."""

    meeting_id: int
    vote_id: int
    cast: int
    eligible: int
