"""Keeping signed documents verifiable for years: renew the archive timestamp of every fully
signed document before the certificate of the TSA that made its last timestamp ends.

A document completed before long-term signatures existed (no document timestamp yet) is
extended to B-LTA the first time. Each renewal is a new version of the request (its bytes
start with the previous version's: every signature stays as it was) and an audit event.
Run by `meeting-server signing archive-refresh` (e.g. monthly from cron).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from signing.longterm import archive_ends, extend_to_lta, refresh_archive

from ..extensions import db
from ..models import RequestStatus, SigningRequest, SigningVersion, utcnow
from ..storage import blob_store
from . import ocsp, signatures, timestamps
from .audit import record_event
from .errors import NotAllowed

__all__ = ["RENEW_WITHIN", "Renewal", "due_for_renewal", "renew"]

#: Renew when the last timestamp's TSA certificate ends within this (a monthly run has slack).
RENEW_WITHIN = timedelta(days=365)


@dataclass(frozen=True)
class Renewal:
    """One document due: its request, and when its protection ends (None: not yet long-term)."""

    request_id: int
    title: str
    ends: datetime | None


def due_for_renewal(within: timedelta = RENEW_WITHIN, now: datetime | None = None) -> list[Renewal]:
    """Return the completed requests whose archive ends within ``within`` (or has none)."""
    limit = (now or utcnow()) + within
    due = []
    completed = select(SigningRequest).where(SigningRequest.status == RequestStatus.COMPLETED)
    for request in db.session.scalars(completed.order_by(SigningRequest.id)):
        ends = archive_ends(blob_store().path_for(request.latest.sha256).read_bytes())
        if ends is None or ends <= limit:
            due.append(Renewal(request.id, request.title, ends))
    return due


def renew(request_id: int) -> SigningVersion:
    """Add the validation data and a new archive timestamp to one completed request."""
    tsa = timestamps.authority()
    if tsa is None:
        raise NotAllowed(
            _l("No timestamp authority: set MEETING_TSA_URL or the internal CA's passphrase file.")
        )
    request = db.session.get_one(SigningRequest, request_id)
    base = request.latest
    data = blob_store().path_for(base.sha256).read_bytes()
    trust = signatures.trust_settings(signatures.configured_roots())
    responder = ocsp.responder()
    if archive_ends(data) is None:
        renewed = extend_to_lta(data, trust, tsa, responder=responder)
    else:
        renewed = refresh_archive(data, trust, tsa, responder=responder)
    blob = blob_store().put_bytes(renewed)
    version = SigningVersion(number=base.number + 1, sha256=blob.sha256, size=blob.size)
    request.versions.append(version)
    db.session.flush()
    ends = archive_ends(renewed)
    record_event(
        None,
        "signing.archive_renewed",
        "signing_request",
        request.id,
        sha256_before=base.sha256,
        sha256_after=blob.sha256,
        protected_until=ends.isoformat() if ends else None,
    )
    return version
