"""Webhook signing secrets: made, kept encrypted, and used to sign (Standard Webhooks v1).

A secret is ``whsec_`` + the base64 of 32 random bytes, as Standard Webhooks writes them, so
a receiver's library takes it as it is. It signs every message, so it must be readable again:
it is stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the
app's ``SECRET_KEY`` with HKDF, never hashed, never logged. docs/decisions.md → "Webhooks".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "whsec_"
SECRET_BYTES = 32
#: HKDF's context: this key serves webhook secrets only, whatever else SECRET_KEY keys.
_CONTEXT = b"meeting-server webhook secrets v1"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted (``SECRET_KEY`` changed): rotate it."""


def new_secret() -> str:
    """Return a fresh signing secret (``whsec_…``)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def seal(secret: str) -> str:
    """Return ``secret`` encrypted for storage."""
    return _fernet().encrypt(secret.encode("ascii")).decode("ascii")


def unseal(sealed: str) -> str:
    """Return the secret stored as ``sealed``, or raise :class:`SecretUnreadable`."""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable from None


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of
    ``{id}.{timestamp}.{body}`` keyed with the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the three Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def _fernet() -> Fernet:
    """Return the Fernet of this app's ``SECRET_KEY`` (HKDF-SHA256, 32 bytes)."""
    material = current_app.config["SECRET_KEY"]
    if isinstance(material, str):
        material = material.encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))
