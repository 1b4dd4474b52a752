"""The audit trail's hash chain: events sealed in order, and the first broken link named.

Every few seconds the serving process seals the events written since (:func:`seal_pending`):
link ``n`` holds SHA-256(link ``n-1``'s hash, the event's content). An event edited, deleted or
slipped in afterwards no longer fits its link, and :func:`verify_chain` names the first such
event. Someone who could rewrite the whole chain is caught by the anchors: the head's hash,
written once a day outside the database (``meeting-server audit anchor``), must still be a
link of the chain. Links are append-only like the events (database triggers).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, AuditSeal, utcnow
from . import signatures, timestamps

GENESIS = "0" * 64
#: At most this many events are sealed in one transaction.
SEAL_BATCH = 1000
#: Unsealed events are looked for from this many ids below the last sealed one (an event whose
#: transaction committed late, after later ones were sealed, is still found).
LOOKBACK = 1000
#: An event younger than this may simply not be sealed yet; older and unsealed is a finding.
SEAL_GRACE = timedelta(minutes=2)


def event_digest(prev_hash: str, event: AuditEvent) -> str:
    """Return the hash of the link that seals ``event`` after ``prev_hash``."""
    content = json.dumps(
        [
            event.id,
            event.at.astimezone(UTC).isoformat(),
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.ip,
            event.details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def seal_pending(limit: int = SEAL_BATCH) -> int:
    """Seal the events not in the chain yet, in id order; return how many (the caller commits)."""
    last = db.session.scalars(select(AuditSeal).order_by(AuditSeal.n.desc()).limit(1)).first()
    n, prev = (last.n, last.hash) if last else (0, GENESIS)
    floor = max((last.audit_id if last else 0) - LOOKBACK, 0)
    pending = db.session.scalars(
        select(AuditEvent)
        .outerjoin(AuditSeal, AuditSeal.audit_id == AuditEvent.id)
        .where(AuditEvent.id > floor, AuditSeal.n.is_(None))
        .order_by(AuditEvent.id)
        .limit(limit)
    ).all()
    for event in pending:
        n += 1
        link = event_digest(prev, event)
        db.session.add(AuditSeal(n=n, audit_id=event.id, prev_hash=prev, hash=link))
        prev = link
    db.session.flush()
    return len(pending)


@dataclass(frozen=True)
class ChainReport:
    """What ``audit verify`` found: the first problem (None if none) and the chain's head."""

    sealed: int
    unsealed_recent: int
    head_n: int
    head_hash: str
    problem: str | None = None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(written: Sequence[Anchor] = ()) -> ChainReport:
    """Walk the chain from its start; stop at the first link that does not hold (an anchor
    written outside the database included)."""
    anchors = {anchor.n: anchor.hash for anchor in written}
    prev, n = GENESIS, 0
    rows = db.session.execute(
        select(AuditSeal, AuditEvent)
        .outerjoin(AuditEvent, AuditEvent.id == AuditSeal.audit_id)
        .order_by(AuditSeal.n)
        .execution_options(yield_per=1000)
    )
    for link, event in rows:
        n += 1
        problem = _check_link(link, event, n, prev, anchors)
        if problem is not None:
            return ChainReport(n - 1, 0, n - 1, prev, problem, link.audit_id)
        prev = link.hash
    return _unsealed(n, prev)


def _check_link(
    link: AuditSeal, event: AuditEvent | None, n: int, prev: str, anchors: dict[int, str]
) -> str | None:
    if link.n != n or link.prev_hash != prev:
        return f"link {n} is missing or was replaced (before event {link.audit_id})"
    if event is None:
        return f"event {link.audit_id} was deleted"
    if event_digest(prev, event) != link.hash:
        return f"event {event.id} was edited after it was sealed"
    if n in anchors and anchors[n] != link.hash:
        return f"the chain was rewritten: link {n} differs from its anchor"
    return None


def _unsealed(n: int, head: str) -> ChainReport:
    """Events outside the chain: recent ones are waiting; older ones were slipped in."""
    sealed_ids = select(AuditSeal.audit_id)
    outside = db.session.execute(
        select(AuditEvent.id, AuditEvent.at)
        .where(AuditEvent.id.not_in(sealed_ids))
        .order_by(AuditEvent.id)
    ).all()
    cutoff = utcnow() - SEAL_GRACE
    for event_id, at in outside:
        if at < cutoff:
            problem = f"event {event_id} is not in the chain: inserted afterwards, or never sealed"
            return ChainReport(n, len(outside), n, head, problem, event_id)
    return ChainReport(n, len(outside), n, head)


@dataclass(frozen=True)
class Anchor:
    """One line of the anchors file: the head ``n`` and its hash on ``day``, and the RFC 3161
    token over ``anchor_bytes`` when a timestamp authority was at hand."""

    day: str
    n: int
    hash: str
    token: bytes | None = None

    @property
    def anchor_bytes(self) -> bytes:
        """What the token covers."""
        return f"{self.n} {self.hash}".encode()


def read_anchors(path: Path) -> list[Anchor]:
    """Read an anchors file: one ``<date> <n> <hash> [<token, base64>]`` line per anchor."""
    if not path.is_file():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) in (3, 4) and parts[1].isdigit():
            token = base64.b64decode(parts[3], validate=False) if len(parts) == 4 else None
            anchors.append(Anchor(parts[0], int(parts[1]), parts[2], token))
    return anchors


def write_anchor(path: Path) -> Anchor | None:
    """Append the chain's head to the anchors file, timestamped by the TSA when there is one;
    return it (None for an empty chain)."""
    last = db.session.scalars(select(AuditSeal).order_by(AuditSeal.n.desc()).limit(1)).first()
    if last is None:
        return None
    anchor = Anchor(utcnow().date().isoformat(), last.n, last.hash)
    token = timestamps.stamp(anchor.anchor_bytes)
    line = f"{anchor.day} {anchor.n} {anchor.hash}"
    if token is not None:
        line += " " + base64.b64encode(token).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
    return Anchor(anchor.day, anchor.n, anchor.hash, token)


@dataclass(frozen=True)
class AnchorTimes:
    """What the anchors' timestamp tokens prove: how many hold, the latest time, the first that
    does not (its line was edited, or the token is not from a trusted TSA)."""

    timestamped: int
    latest: datetime | None
    failed: Anchor | None


def check_anchor_times(written: Sequence[Anchor]) -> AnchorTimes:
    """Check the token of every anchor that has one."""
    count, latest = 0, None
    for anchor in written:
        if anchor.token is None:
            continue
        when = signatures.timestamp_time(anchor.token, anchor.anchor_bytes)
        if when is None:
            return AnchorTimes(count, latest, anchor)
        count, latest = count + 1, when
    return AnchorTimes(count, latest, None)
