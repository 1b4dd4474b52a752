"""The outgoing-document register (sổ văn bản đi): the clerk's numbers, with no gap and no
duplicate however many clerks seal at once.

The number is written into the document by the seal's own revision, so it is known before
the seal is computed: :func:`reserve` gives the request its line first, in a short
transaction of its own (the sequence's counter row is raised by one ``UPDATE … RETURNING``;
PostgreSQL locks the row, SQLite the database, only until that commit), then the seal is
computed with no lock held. A seal that fails keeps its line, and the clerk's next try
writes the same number; a request returned or withdrawn before its seal gives its number
back (:func:`release`), and the next seal of that kind takes the lowest number given back
before a new one: no gaps, no duplicates. Numbers restart at 01 on 1 January (Vietnam
time), one sequence per organisation code (``ORGANISATION_CODE``) and kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..i18n import display_zone
from ..models import (
    DocumentKind,
    RegisterCounter,
    RegisterEntry,
    SigningRequest,
    User,
    utcnow,
)
from .audit import record_event

__all__ = [
    "ABBREVIATIONS",
    "LABELS",
    "Preview",
    "allocate",
    "entry_of",
    "issue_date_text",
    "next_for",
    "notation",
    "preview",
    "release",
    "reserve",
]

#: Decree 30/2020/NĐ-CP, Appendix III: the kind's abbreviation in the notation ("05/BB-UBND").
ABBREVIATIONS = {
    DocumentKind.MINUTES: "BB",
    DocumentKind.CONCLUSION: "TB",
    DocumentKind.DECISION: "QĐ",
    DocumentKind.SUBMISSION: "TTr",
    DocumentKind.PLAN: "KH",
    DocumentKind.REPORT: "BC",
    DocumentKind.LETTER: "",  # a letter's notation is the organisation's own ("05/UBND")
}
LABELS = {
    DocumentKind.MINUTES: _l("Minutes"),
    DocumentKind.CONCLUSION: _l("Conclusion notice"),
    DocumentKind.DECISION: _l("Decision"),
    DocumentKind.SUBMISSION: _l("Submission"),
    DocumentKind.PLAN: _l("Plan"),
    DocumentKind.REPORT: _l("Report"),
    DocumentKind.LETTER: _l("Letter"),
}


@dataclass(frozen=True)
class Preview:
    """The number the clerk's next seal of this kind will give (not reserved), and its date."""

    number: int
    notation: str
    issued_on: date


def notation(kind: DocumentKind, number: int, organisation: str) -> str:
    """Return "05/BB-UBND" (numbers under 10 take a leading zero, Decree 30 art. 15)."""
    abbreviation = ABBREVIATIONS[kind]
    suffix = f"{abbreviation}-{organisation}" if abbreviation else organisation
    return f"{number:02d}/{suffix}"


def preview(kind: DocumentKind, now: datetime | None = None) -> Preview:
    """Return what the next seal of ``kind`` will be numbered (another clerk may take it first)."""
    organisation, today = _organisation(), _today(now)
    given_back = db.session.scalar(
        select(RegisterEntry.number)
        .where(*_lines(organisation, today.year, kind), RegisterEntry.given_back_at.is_not(None))
        .order_by(RegisterEntry.number)
        .limit(1)
    )
    last = db.session.scalar(
        select(RegisterCounter.last_number).where(*_sequence(organisation, today.year, kind))
    )
    number = given_back or (last or 0) + 1
    return Preview(number, notation(kind, number, organisation), today)


def next_for(signing_request: SigningRequest, now: datetime | None = None) -> Preview:
    """Return the number the request's seal will write: its reserved one, else the next."""
    entry = entry_of(signing_request)
    if entry is not None:
        return Preview(entry.number, entry.notation, _today(now))
    if signing_request.document_kind is None:
        raise ValueError("only a request with a document kind is numbered")
    return preview(signing_request.document_kind, now)


def allocate(
    actor: User | None,
    kind: DocumentKind,
    signing_request_id: int | None,
    now: datetime | None = None,
) -> RegisterEntry:
    """Give the next number of ``kind`` to a request, in the caller's transaction."""
    organisation, today = _organisation(), _today(now)
    _ensure_counter(organisation, today.year, kind)
    number = db.session.execute(
        update(RegisterCounter)
        .where(*_sequence(organisation, today.year, kind))
        .values(last_number=RegisterCounter.last_number + 1)
        .returning(RegisterCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    entry = RegisterEntry(
        organisation=organisation,
        year=today.year,
        kind=kind,
        number=number,
        notation=notation(kind, number, organisation),
        signing_request_id=signing_request_id,
        issued_at=now or utcnow(),
        issued_by_id=actor.id if actor else None,
    )
    db.session.add(entry)
    db.session.flush()
    record_event(
        actor, "register.numbered", "signing_request", signing_request_id, notation=entry.notation
    )
    return entry


def reserve(
    actor: User, signing_request: SigningRequest, now: datetime | None = None
) -> RegisterEntry:
    """Return the request's register line, giving it one now if it has none.

    A line already reserved (an earlier seal of this request failed) keeps its number and
    takes today's date; otherwise the lowest number given back in the sequence, else the next.
    """
    kind = signing_request.document_kind
    if kind is None:
        raise ValueError("only a request with a document kind is numbered")
    now = now or utcnow()
    entry = entry_of(signing_request) or _reuse(actor, kind, signing_request.id, now)
    if entry is None:
        return allocate(actor, kind, signing_request.id, now)
    entry.issued_at, entry.issued_by_id = now, actor.id
    db.session.flush()
    return entry


def release(actor: User | None, signing_request: SigningRequest) -> None:
    """Give back the number of a request that was returned or withdrawn before its seal."""
    entry = entry_of(signing_request)
    if entry is None:
        return
    entry.signing_request_id, entry.given_back_at = None, utcnow()
    db.session.flush()
    record_event(
        actor, "register.released", "signing_request", signing_request.id, notation=entry.notation
    )


def _reuse(actor: User, kind: DocumentKind, request_id: int, now: datetime) -> RegisterEntry | None:
    """Give the request the lowest number of this year's sequence that was given back."""
    organisation, today = _organisation(), _today(now)
    free = (
        select(RegisterEntry.id)
        .where(*_lines(organisation, today.year, kind), RegisterEntry.given_back_at.is_not(None))
        .order_by(RegisterEntry.number)
        .limit(1)
        .scalar_subquery()
    )
    taken = db.session.execute(
        update(RegisterEntry)
        .where(RegisterEntry.id == free, RegisterEntry.given_back_at.is_not(None))
        .values(
            signing_request_id=request_id, issued_at=now, issued_by_id=actor.id, given_back_at=None
        )
        .returning(RegisterEntry.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        return None
    entry = db.session.get_one(RegisterEntry, taken)
    db.session.refresh(entry)
    record_event(actor, "register.numbered", "signing_request", request_id, notation=entry.notation)
    return entry


def issue_date_text(entry: RegisterEntry) -> str:
    """Return the date of issue as a document prints it: "ngày 07 tháng 12 năm 2026"."""
    day = entry.issued_at.astimezone(display_zone()).date()
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def entry_of(signing_request: SigningRequest) -> RegisterEntry | None:
    """Return the register's line of a sealed request, if it was numbered."""
    return db.session.scalar(
        select(RegisterEntry).where(RegisterEntry.signing_request_id == signing_request.id)
    )


def _ensure_counter(organisation: str, year: int, kind: DocumentKind) -> None:
    """Create the sequence's counter if it is the year's first number (a write: it also takes
    SQLite's lock before any read, so two clerks cannot both read the same number)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(RegisterCounter)
        .values(organisation=organisation, year=year, kind=kind, last_number=0)
        .on_conflict_do_nothing()
    )


def _sequence(organisation: str, year: int, kind: DocumentKind) -> tuple[Any, ...]:
    return (
        RegisterCounter.organisation == organisation,
        RegisterCounter.year == year,
        RegisterCounter.kind == kind,
    )


def _lines(organisation: str, year: int, kind: DocumentKind) -> tuple[Any, ...]:
    return (
        RegisterEntry.organisation == organisation,
        RegisterEntry.year == year,
        RegisterEntry.kind == kind,
    )


def _organisation() -> str:
    return str(current_app.config["ORGANISATION_CODE"])


def _today(now: datetime | None) -> date:
    return (now or utcnow()).astimezone(display_zone()).date()
