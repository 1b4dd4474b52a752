"""Past signing routes: each step really signed with the demo keys, then dated to its day.

A route is signed as the inbox signs it (``services.signing_requests.sign_step`` under the
demo PIN); before the clerk's seal the request takes its register number, dated the day of
the seal (``services.register.reserve``, then a commit, as ``reserve_number`` asks), so the
number and date the seal writes into the PDF are the past ones. The moments at which the PDF
itself was signed stay those of the seeding: a signature's time cannot be moved.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ...extensions import db
from ...models import InboxNotice, Minutes, SigningRequest, StepKind, utcnow
from ...services import register
from ...services.signing_requests import minutes_route, sign_step, submit_request
from ...storage import blob_store
from ..signing import demo_pin
from .clock import at, newest_id, past, restamp, vietnam_day, working_day_after
from .people import Cast

#: How long a route is given (its due date after sending).
DUE_AFTER = timedelta(days=3)


def sign_minutes(minutes: Minutes, cast: Cast, rnd: random.Random) -> SigningRequest:
    """Send the final minutes to the chair, the secretary and the seal; sign them all."""
    assert minutes.finalised_at is not None  # noqa: S101 — the minutes were just finalised
    meeting = minutes.meeting
    marker = newest_id(InboxNotice)
    outcome = submit_request(
        cast.secretary,
        title=f"Biên bản: {meeting.title}",
        message="Kính trình lãnh đạo ký biên bản cuộc họp.",
        due_at=utcnow() + DUE_AFTER,
        pdf=blob_store().path_for(str(minutes.pdf_sha256)).read_bytes(),
        file_name=f"bien-ban-{meeting.id}.pdf",
        route=minutes_route(minutes, cast.clerk),
        minutes=minutes,
    )
    sent = minutes.finalised_at + timedelta(hours=2)
    sign_route(outcome.request, sent, marker, rnd)
    return outcome.request


def sign_route(
    request: SigningRequest, sent: datetime, marker: int, rnd: random.Random
) -> datetime:
    """Sign each step of ``request`` sent at ``sent`` (inbox lines after ``marker``); return
    when the route completed."""
    db.session.commit()
    request.created_at, request.due_at = sent, sent + DUE_AFTER
    restamp(InboxNotice, marker, created_at=sent, read_at=sent)
    turn = sent
    for step in request.steps:
        signed = _when(turn, rnd, seal=step.kind == StepKind.SEAL)
        signer = step.signer
        assert signer is not None  # noqa: S101 — every demo step names its signer
        if step.kind == StepKind.SEAL and request.document_kind is not None:
            register.reserve(signer, request, now=signed)
            db.session.commit()
        marker = newest_id(InboxNotice)
        sign_step(signer, step, pin=demo_pin())
        step.pending_since, step.acted_at = turn, signed
        request.versions[-1].created_at = signed
        restamp(InboxNotice, marker, created_at=signed, read_at=signed)
        turn = signed
    request.finished_at = turn
    db.session.commit()
    return turn


def _when(turn: datetime, rnd: random.Random, *, seal: bool) -> datetime:
    """Return when a step whose turn came at ``turn`` was signed: a leader within a few days
    (sometimes after the due date), the clerk's seal the next working morning."""
    if seal:
        signed = at(working_day_after(vietnam_day(turn), 1), 8, rnd.randint(15, 55))
    else:
        days = rnd.choices((0, 1, 2, 4), (3, 4, 2, 1))[0]
        signed = at(working_day_after(vietnam_day(turn), days), rnd.randint(9, 16), 10)
    return past(max(signed, turn + timedelta(minutes=rnd.randint(20, 90))))
