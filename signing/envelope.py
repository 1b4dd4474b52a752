"""The PIN envelope: how a server-held key is sealed, stored and opened.

An envelope is compact ASCII JSON, keys in this order and no spaces::

    {"v":1,"kdf":"scrypt","n":16384,"r":8,"p":1,"salt":"<base64>","nonce":"<base64>",
     "ct":"<base64>","cert_sha256":"<hex>"}

``salt`` is 16 random bytes and ``nonce`` 12; ``ct`` is AES-256-GCM (tag appended) over the
key's unencrypted PKCS#8 DER, under a key-encryption key from scrypt(PIN, salt, n, r, p); the
certificate's SHA-256 fingerprint (``cert_sha256``) is the associated data, so an envelope
cannot be moved to another certificate. Base64 is standard with padding.

Why scrypt with n=2**14 (r=8, p=1): it needs 16 MiB of memory and costs about 35-45 ms per
unlock on the 2-core servers (2**15 takes ~90 ms), and a key is unlocked once and then kept, so
the signer never waits long. It does not make a 6-digit PIN strong offline; the web layer's
wrong-PIN rate limit does the rest. ``n`` is stored in each envelope, so it can be raised later
without breaking old envelopes; reading refuses n above 2**17 so that a forged envelope cannot
make one unlock take more than 128 MiB.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import KeySourceError, WrongPin

__all__ = ["SCRYPT_N", "Envelope", "fingerprint", "open_der", "seal_der"]

SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_MAX_SCRYPT_N = 2**17  # refuse envelopes that would make one unlock eat >128 MiB


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def fingerprint(certificate: x509.Certificate) -> bytes:
    """Return the certificate's SHA-256 fingerprint (the AAD of its key envelope).

    :param certificate: the signer's certificate.
    """
    return certificate.fingerprint(hashes.SHA256())


@dataclass(frozen=True)
class Envelope:
    """The parsed JSON envelope of a PIN-sealed key."""

    n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes
    ct: bytes
    cert_sha256: bytes

    def dump(self) -> bytes:
        """Serialise as the compact JSON stored by the application."""
        fields = {"v": 1, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p}
        fields |= {"salt": _b64(self.salt), "nonce": _b64(self.nonce), "ct": _b64(self.ct)}
        fields["cert_sha256"] = self.cert_sha256.hex()
        return json.dumps(fields, separators=(",", ":")).encode("ascii")

    @classmethod
    def parse(cls, data: bytes) -> Envelope:
        """Parse and sanity-check a stored envelope.

        :param data: the envelope's JSON bytes, as stored.
        :raises KeySourceError: the envelope is damaged or uses unsupported parameters.
        """
        try:
            fields = json.loads(data)
            envelope = cls(
                n=int(fields["n"]),
                r=int(fields["r"]),
                p=int(fields["p"]),
                salt=base64.b64decode(fields["salt"], validate=True),
                nonce=base64.b64decode(fields["nonce"], validate=True),
                ct=base64.b64decode(fields["ct"], validate=True),
                cert_sha256=bytes.fromhex(fields["cert_sha256"]),
            )
            supported = fields["v"] == 1 and fields["kdf"] == "scrypt"
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise KeySourceError("The stored key envelope is damaged.") from exc
        n_ok = 2 <= envelope.n <= _MAX_SCRYPT_N and envelope.n & (envelope.n - 1) == 0
        if not (supported and n_ok and 1 <= envelope.r <= 32 and 1 <= envelope.p <= 4):
            raise KeySourceError("The stored key envelope uses unsupported parameters.")
        return envelope


def _kek(pin: str, salt: bytes, n: int, r: int, p: int) -> AESGCM:
    """Derive the AES-256-GCM key-encryption key from the PIN."""
    return AESGCM(Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(pin.encode("utf-8")))


def seal_der(der: bytes, pin: str, certificate: x509.Certificate) -> Envelope:
    """Encrypt a PKCS#8 DER key under the PIN, bound to the certificate.

    The PIN's length is not checked here: that is the caller's job.

    :param der: the unencrypted PKCS#8 DER of the key.
    :param pin: the signer's PIN.
    :param certificate: the certificate whose fingerprint becomes the AAD.
    """
    salt, nonce, cert_sha256 = os.urandom(16), os.urandom(12), fingerprint(certificate)
    ct = _kek(pin, salt, SCRYPT_N, _SCRYPT_R, _SCRYPT_P).encrypt(nonce, der, cert_sha256)
    return Envelope(SCRYPT_N, _SCRYPT_R, _SCRYPT_P, salt, nonce, ct, cert_sha256)


def open_der(envelope: Envelope, pin: str) -> bytes:
    """Decrypt and return the PKCS#8 DER key.

    :param envelope: the parsed envelope.
    :param pin: the signer's PIN.
    :raises WrongPin: the PIN is wrong or the envelope was tampered with.
    """
    kek = _kek(pin, envelope.salt, envelope.n, envelope.r, envelope.p)
    try:
        return kek.decrypt(envelope.nonce, envelope.ct, envelope.cert_sha256)
    except InvalidTag:
        raise WrongPin("The PIN is wrong. Check it and try again.") from None
