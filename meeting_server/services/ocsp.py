"""The internal CA's OCSP responder (RFC 6960, `signing.ocsp`): answers for ``/ca/ocsp``, and
the responses a finished route's long-term signature embeds.

Like the internal TSA (`services/timestamps.py`), it needs the CA passphrase file: the
responder's key is encrypted with it (the CA's own keys stay locked). It is loaded once per
process and again when its certificate file changes (a renewal by another process); a missing
or ending responder certificate is issued anew here. Without the passphrase file there is no
responder: certificates still name it, and verifiers fall back to the CRL they also name.
"""

from __future__ import annotations

from signing.ocsp import (
    OcspResponder,
    ensure_responder,
    get_request_body,
    load_responder,
    renewal_due,
)

from .internal_ca import ca_service

__all__ = ["answer_get", "answer_request", "responder"]


def responder() -> OcspResponder | None:
    """Return the internal CA's OCSP responder (issuing its certificate first if needed)."""
    return ca_service("ocsp.pem", renewal_due, ensure_responder, load_responder)


def answer_request(body: bytes) -> bytes | None:
    """Answer a DER OCSP request with the internal responder; None when there is none here."""
    found = responder()
    return None if found is None else found.respond(body)


def answer_get(encoded: str) -> bytes | None:
    """Answer a GET request's URL part (base64 of a DER OCSP request), or None as above."""
    return answer_request(get_request_body(encoded))
