"""The one way out to the browsers: messages recorded in a transaction, sent after its commit.

A service records what its change means for the open pages (:func:`record`), inside the same
transaction as the change. ``realtime/broadcast.py`` sends the messages once the session has
committed, in the order recorded, and drops them on rollback: a refused change sends nothing,
and nothing is sent for a change that did not happen. Views, socket handlers and commands never
emit themselves.

Meeting notices are numbered and stored too (``services/notices.py``); the other messages are
pokes or live figures a fresh read also shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db

PENDING_KEY = "outbox.pending"  # recorded in the open transaction
COMMITTED_KEY = "outbox.committed"  # committed, not yet sent


@dataclass(frozen=True)
class MeetingNotice:
    """A numbered notice about a meeting (``services/notices.py`` records it)."""

    meeting_id: int
    kind: str
    ids: tuple[int, ...]
    version: int
    seq: int
    confidential: bool
    #: People whose own part of the state (``mine``) changed: their tablets read it again.
    readers: tuple[int, ...] = ()


@dataclass(frozen=True)
class InboxChanged:
    """A signing request in these people's inboxes changed (their pages re-read)."""

    user_ids: frozenset[int]
    request_id: int


@dataclass(frozen=True)
class TasksChanged:
    """A task in these people's inboxes changed; a new inbox line is waiting for them."""

    user_ids: frozenset[int]
    task_id: int


@dataclass(frozen=True)
class DeviceRevoked:
    """A paired tablet was removed or re-paired: end its connections."""

    device_id: int


@dataclass(frozen=True)
class ConnectionsEnded:
    """These people's (and tablets') rights changed: their open connections are closed.

    Their pages connect again at once and join with what they may see now; a person whose
    session ended is refused and their page goes to the sign-in form.
    """

    user_ids: frozenset[int] = frozenset()
    device_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class VoteCounted:
    """A ballot was counted: the live count goes out (coalesced)."""

    vote_id: int


Message = (
    MeetingNotice | InboxChanged | TasksChanged | DeviceRevoked | ConnectionsEnded | VoteCounted
)


#: Told of each message recorded (``True``) and of each dropped with its transaction
#: (``False``): the sender keeps meeting notices in order with them.
observers: list[Callable[[Message, bool], None]] = []


def record(message: Message) -> None:
    """Queue ``message`` on the current transaction; it leaves after the commit."""
    pending(db.session()).append(message)
    for observer in observers:
        observer(message, True)


def pending(session: Session) -> list[Message]:
    """Return the messages recorded in ``session``'s open transaction."""
    queue: list[Message] = session.info.setdefault(PENDING_KEY, [])
    return queue


def committed(session: Session) -> list[Message]:
    """Take the messages whose transaction committed (called by the sender)."""
    taken: list[Message] = session.info.pop(COMMITTED_KEY, [])
    return taken


def on_commit(session: Session) -> None:
    """Move the transaction's messages to the committed list (SQL is not allowed here)."""
    messages = session.info.pop(PENDING_KEY, [])
    if messages:
        session.info.setdefault(COMMITTED_KEY, []).extend(messages)


def on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """Forget the messages of a transaction that ended without a commit (rolled back, closed)."""
    if transaction.parent is not None:  # a savepoint: its outer transaction goes on
        return
    for message in session.info.pop(PENDING_KEY, []):
        for observer in observers:
            observer(message, False)
