"""The timestamp authority signatures use: ``TSA_URL`` when the office names one, else the
internal CA's own (RFC 3161, `signing.tsa`), so every signature is B-T with no outside service.

The CA's timestamper needs its key, which the CA passphrase file unlocks (the same "online
issuing key" as enrolment: docs/decisions.md). It is loaded once per process and again when
its certificate file changes (a renewal); a missing or ending TSA certificate is issued anew
by :func:`authority` itself. Without the passphrase file there is no internal TSA: signatures
fall back to B-B, as before.
"""

from __future__ import annotations

from flask import current_app

from signing.sign import Tsa
from signing.tsa import (
    InternalTimeStamper,
    ensure_tsa,
    load_tsa,
    renewal_due,
    timestamp_response,
    timestamp_token,
)

from ..offload import offload
from .internal_ca import ca_service

__all__ = ["answer_request", "authority", "internal_timestamper", "stamp"]


def authority() -> Tsa:
    """Return ``TSA_URL``, else the internal CA's timestamper, else None (B-B only)."""
    return str(current_app.config["TSA_URL"] or "") or internal_timestamper()


def internal_timestamper() -> InternalTimeStamper | None:
    """Return the internal CA's timestamper (issuing its certificate first if needed)."""
    return ca_service("tsa.pem", renewal_due, ensure_tsa, load_tsa)


def stamp(data: bytes) -> bytes | None:
    """Return an RFC 3161 token over ``data`` from :func:`authority`, or None without one."""
    tsa = authority()
    return None if tsa is None else offload(timestamp_token, tsa, data)


def answer_request(body: bytes) -> bytes | None:
    """Answer an RFC 3161 request with the internal TSA; None when there is none here."""
    stamper = internal_timestamper()
    return None if stamper is None else timestamp_response(stamper, body)
