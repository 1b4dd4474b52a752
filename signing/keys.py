"""Key sources: the protocol, PIN-sealed server keys and the cache of unlocked keys.

Each source hands out a pyHanko :class:`~pyhanko.sign.signers.Signer` whose certificate registry
holds the chain, ready for :class:`~pyhanko.sign.signers.PdfSigner`. PKCS#12 imports and
PKCS#11 tokens live in :mod:`signing.tokens`; the envelope format and its crypto in
:mod:`signing.envelope`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

# SCRYPT_N is re-exported: callers read it from signing.keys
from .envelope import SCRYPT_N, Envelope, fingerprint, open_der, seal_der
from .errors import KeySourceError
from .trust import to_asn1

__all__ = [
    "MIN_PIN_LENGTH",
    "SCRYPT_N",
    "KeySource",
    "PinProtectedKey",
    "UnlockedKeys",
]

MIN_PIN_LENGTH = 6
_SUPPORTED_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)
_DER = serialization.Encoding.DER


class KeySource(Protocol):
    """Anything that can sign: a certificate, its chain and a pyHanko signer."""

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""
        ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The intermediates (and optionally the root), without the signer's certificate."""
        ...

    def signer(self) -> Signer:
        """Return a pyHanko signer whose certificate registry holds the chain."""
        ...


class _LoadedKeySigner(SimpleSigner):
    """A SimpleSigner that signs with the already parsed key.

    pyHanko's SimpleSigner re-parses the PKCS#8 DER at every signature (twice per PDF with the
    size-estimating dry run); for RSA that costs ~40 ms each.
    """

    def __init__(
        self,
        private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate],
    ) -> None:
        # from_certs is unannotated in pyhanko-certvalidator 0.33
        certs = [to_asn1(c) for c in chain]
        registry = SimpleCertificateStore.from_certs(certs)  # type: ignore[no-untyped-call]
        super().__init__(
            signing_cert=to_asn1(certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(_pkcs8(private_key)),
            cert_registry=registry,
        )
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign ``data`` with the cached key; anything unusual goes to pyHanko's own code."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mechanism.signature_algo
        except ValueError:
            algo = mechanism["algorithm"].native
        key = self._private_key
        if isinstance(key, rsa.RSAPrivateKey) and algo == "rsassa_pkcs1v15":
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if isinstance(key, rsa.RSAPrivateKey) and algo == "rsassa_pss":
            pss, hash_algo = process_pss_params(mechanism["parameters"])
            return key.sign(data, pss, hash_algo)
        if isinstance(key, ec.EllipticCurvePrivateKey) and algo == "ecdsa":
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        result: bytes = super().sign_raw(data, digest_algorithm)
        return result


def _pkcs8(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    """Serialise a key as unencrypted PKCS#8 DER (only ever kept in memory)."""
    return private_key.private_bytes(
        _DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _check_key(
    private_key: PrivateKeyTypes, certificate: x509.Certificate
) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """Refuse a key that is neither RSA nor EC or does not belong to the certificate."""
    if not isinstance(private_key, _SUPPORTED_KEYS):
        raise KeySourceError("Only RSA and EC keys can sign; this key is of another type.")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if private_key.public_key().public_bytes(_DER, spki) != certificate.public_key().public_bytes(
        _DER, spki
    ):
        raise KeySourceError("The private key does not belong to the certificate.")
    return private_key


def _check_pin(pin: str) -> None:
    """Refuse a PIN shorter than MIN_PIN_LENGTH characters."""
    if len(pin) < MIN_PIN_LENGTH:
        raise KeySourceError(f"The PIN is too short: choose at least {MIN_PIN_LENGTH} characters.")


class PinProtectedKey:
    """A server-held key, sealed with a key derived from the signer's PIN.

    The envelope (:mod:`signing.envelope`) is AES-256-GCM over the PKCS#8 DER with a scrypt key
    (``n`` stored in the envelope); the certificate's SHA-256 fingerprint is the AAD, so an
    envelope cannot be moved to another certificate. The key is never written in plaintext.

    Hazards: a 6-digit PIN has only 10**6 values, so it is only as strong as scrypt's cost plus
    the rate limiting of wrong PINs in the web layer; whoever holds the envelope offline can try
    them all. While unlocked the key sits in this process's memory (``lock()`` drops the
    references; Python cannot wipe the bytes) and ``unlock()`` does not check the PIN again.
    """

    def __init__(
        self,
        envelope: Envelope,
        *,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        """Use :meth:`seal` or :meth:`from_envelope` instead."""
        self._envelope = envelope
        self._certificate = certificate
        self._chain = tuple(chain)
        self._signer: _LoadedKeySigner | None = None
        self._mutex = threading.Lock()

    @classmethod
    def seal(
        cls,
        private_key: PrivateKeyTypes,
        pin: str,
        *,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> PinProtectedKey:
        """Seal a private key under a PIN; the result is locked.

        :param private_key: an RSA or EC key matching ``certificate``.
        :param pin: the signer's PIN, at least ``MIN_PIN_LENGTH`` characters.
        :param certificate: the signer's certificate.
        :param chain: intermediates (and optionally the root), without the signer's certificate.
        :raises KeySourceError: the PIN is too short or the key does not fit the certificate.
        """
        _check_pin(pin)
        der = _pkcs8(_check_key(private_key, certificate))
        return cls(seal_der(der, pin, certificate), certificate=certificate, chain=chain)

    @classmethod
    def from_envelope(
        cls,
        envelope: bytes,
        *,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> PinProtectedKey:
        """Load a stored envelope (locked).

        :param envelope: the bytes of :attr:`envelope`, as stored.
        :param certificate: the certificate the envelope was sealed for.
        :param chain: intermediates (and optionally the root), without the signer's certificate.
        :raises KeySourceError: the envelope is damaged or belongs to another certificate.
        """
        parsed = Envelope.parse(envelope)
        if parsed.cert_sha256 != fingerprint(certificate):
            raise KeySourceError("This key was sealed for another certificate; it cannot sign.")
        return cls(parsed, certificate=certificate, chain=chain)

    @property
    def envelope(self) -> bytes:
        """The JSON envelope to store (no plaintext key inside)."""
        return self._envelope.dump()

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The intermediates (and optionally the root), without the signer's certificate."""
        return self._chain

    @property
    def unlocked(self) -> bool:
        """Whether the key is decrypted in memory."""
        return self._signer is not None

    def unlock(self, pin: str) -> None:
        """Decrypt the key once and keep it, with its signer, until :meth:`lock`.

        :param pin: the signer's PIN; ignored when the key is already unlocked.
        :raises WrongPin: the PIN does not open the envelope (the key stays locked).
        """
        with self._mutex:
            if self._signer is not None:
                return
            der = open_der(self._envelope, pin)
            # The envelope is authenticated (AES-GCM) and was sealed from a checked key, so
            # OpenSSL's RSA consistency check (~0.6 s for RSA-3072 on each unlock) is skipped.
            key = serialization.load_der_private_key(
                der, password=None, unsafe_skip_rsa_key_validation=True
            )
            self._signer = _LoadedKeySigner(
                _check_key(key, self._certificate), self._certificate, self._chain
            )

    def lock(self) -> None:
        """Drop the decrypted key and its signer from memory."""
        with self._mutex:
            self._signer = None

    def signer(self) -> Signer:
        """Return the cached pyHanko signer of the unlocked key (the same object each time).

        :raises KeySourceError: the key is locked.
        """
        signer = self._signer
        if signer is None:
            raise KeySourceError("The key is locked: enter the PIN to unlock it first.")
        return signer

    def with_new_pin(self, old_pin: str, new_pin: str) -> PinProtectedKey:
        """Return the same key sealed under a new PIN (locked); this object is unchanged.

        :param old_pin: the current PIN, checked even if the key is unlocked.
        :param new_pin: the new PIN, at least ``MIN_PIN_LENGTH`` characters.
        :raises WrongPin: ``old_pin`` is wrong.
        :raises KeySourceError: ``new_pin`` is too short.
        """
        _check_pin(new_pin)
        der = open_der(self._envelope, old_pin)
        envelope = seal_der(der, new_pin, self._certificate)
        return type(self)(envelope, certificate=self._certificate, chain=self._chain)


class UnlockedKeys:
    """A thread-safe, process-wide cache of unlocked keys that forgets idle entries.

    Expiry is lazy: it happens on the next call (or :meth:`purge`). A key leaving the cache
    (expired, forgotten, replaced or cleared) is locked.
    """

    def __init__(
        self, idle_seconds: float = 900.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Create an empty cache.

        :param idle_seconds: how long an entry lives without being used.
        :param clock: a monotonic clock in seconds (for tests).
        """
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._entries: dict[str, tuple[PinProtectedKey, float]] = {}
        self._mutex = threading.Lock()

    def get(self, key_id: str) -> PinProtectedKey | None:
        """Return the unlocked key and mark it used, or None if absent or expired.

        :param key_id: the application's id of the key.
        """
        with self._mutex:
            self._purge_locked()
            entry = self._entries.get(key_id)
            if entry is None:
                return None
            self._entries[key_id] = (entry[0], self._clock())
            return entry[0]

    def put(self, key_id: str, key: PinProtectedKey) -> None:
        """Cache an unlocked key.

        :param key_id: the application's id of the key.
        :param key: an unlocked key.
        :raises KeySourceError: the key is locked.
        """
        if not key.unlocked:
            raise KeySourceError("Only an unlocked key can be kept; unlock it with the PIN first.")
        with self._mutex:
            self._purge_locked()
            previous = self._entries.get(key_id)
            self._entries[key_id] = (key, self._clock())
        if previous is not None and previous[0] is not key:
            previous[0].lock()

    def forget(self, key_id: str) -> None:
        """Lock and drop one key (no error if absent).

        :param key_id: the application's id of the key.
        """
        with self._mutex:
            entry = self._entries.pop(key_id, None)
        if entry is not None:
            entry[0].lock()

    def clear(self) -> None:
        """Lock and drop every key."""
        with self._mutex:
            entries, self._entries = self._entries, {}
        for key, _ in entries.values():
            key.lock()

    def purge(self) -> int:
        """Lock and drop the expired keys now; return how many."""
        with self._mutex:
            return self._purge_locked()

    def _purge_locked(self) -> int:
        """Drop expired entries; the caller holds the mutex."""
        deadline = self._clock() - self._idle_seconds
        expired = [kid for kid, (_, used) in self._entries.items() if used <= deadline]
        for kid in expired:
            self._entries.pop(kid)[0].lock()
        return len(expired)
