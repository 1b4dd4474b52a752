"""The Socket.IO event contract: names and payloads (TypedDicts), both directions.

Client → server (``verb_noun``), each answered with an ack ``{"ok": bool, "error": str|None}``:

* ``join_meeting`` :class:`JoinMeeting` → :class:`JoinAck` — checks ``can_view_meeting`` at
  every join; replays the notices after ``last_seq`` or asks for a fresh snapshot.
* ``leave_meeting`` :class:`LeaveMeeting` → :class:`Ack`.
* ``present_page`` :class:`PresentPage` → :class:`PresentAck` — the presenter's page turn or
  zoom (``can_present``: chair, secretariat, the item's presenter; meeting in progress).
* ``stop_presenting`` :class:`StopPresenting` → :class:`Ack`.

Server → client (``noun_past_verb``), payload :class:`Notice` — a poke; the tablet re-reads
through the permission-checked HTTP API. Never document bytes or confidential text.
``presenter_page_changed`` also carries :class:`PresentedPosition` in ``state`` when sent live
(``None`` when presenting stopped), and ``vote_opened``/``vote_closed`` carry
:class:`VoteSummary` (the question; on closing the results), so that 200 tablets need no
extra request; a replayed notice does not — the tablet re-reads the state.

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
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

#: Every notice kind a meeting can send (the Socket.IO event name is the kind).
NOTICE_KINDS = frozenset({
    "meeting_published", "meeting_updated", "meeting_started", "meeting_ended",
    "agenda_changed", "current_item_changed",
    "document_added", "document_replaced", "document_removed",
    "presenter_page_changed", "attendance_changed",
    "speaking_changed", "vote_opened", "vote_closed",
})  # fmt: skip

#: A reconnecting tablet that missed more than this gets a snapshot instead of a replay.
MAX_REPLAY = 200


class Notice(TypedDict):
    """A small notice about a meeting; ``seq`` increases by one per meeting."""

    meeting_id: int
    kind: str
    ids: list[int]
    version: int
    seq: int
    state: NotRequired[PresentedPosition | VoteSummary | None]


class PresentPage(TypedDict):
    """Present ``page`` of a document version to the room at ``zoom`` (% of the page width)."""

    document_id: int
    version: int
    page: int
    zoom: int


class PresentedPosition(PresentPage):
    """Where the presenter is, and who presents."""

    presenter_id: int


class JoinMeeting(TypedDict):
    """Join a meeting's channel; ``last_seq`` is the last notice the tablet has seen."""

    meeting_id: int
    last_seq: NotRequired[int | None]


class StopPresenting(TypedDict):
    """Stop presenting in a meeting."""

    meeting_id: int


class LeaveMeeting(TypedDict):
    """Leave a meeting's channel."""

    meeting_id: int


class Ack(TypedDict):
    """The answer to every client event."""

    ok: bool
    error: str | None


class JoinAck(Ack):
    """The answer to ``join_meeting``: the current ``seq`` and what was missed."""

    seq: int
    version: int
    missed: list[Notice]
    snapshot: bool


class PresentAck(Ack):
    """The answer to ``present_page``: the notice's ``seq``."""

    seq: int


class DeviceRevoked(TypedDict):
    """This tablet was removed (or replaced): wipe cached documents and notes, pair again."""

    device_id: int


class InboxChanged(TypedDict):
    """A signing request in this person's inbox changed (a poke: the inbox re-reads)."""

    request_id: int


class VoteCountChanged(TypedDict):
    """How many ballots the open vote has, of how many who may vote (never who or what)."""

    meeting_id: int
    vote_id: int
    cast: int
    eligible: int


class VoteResult(TypedDict):
    """One option's count."""

    label: str
    count: int


class VoteSummary(TypedDict):
    """A vote as every tablet shows it; the results keys only once it is closed."""

    vote_id: int
    item_id: int
    question: str
    options: list[str]
    secret: bool
    status: str
    results: NotRequired[list[VoteResult]]
    cast: NotRequired[int]
    eligible: NotRequired[int]
    quorum: NotRequired[dict[str, int | bool]]
