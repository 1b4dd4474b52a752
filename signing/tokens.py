"""Key sources held outside the server: PKCS#12 imports and PKCS#11 tokens.

Each source hands out a pyHanko :class:`~pyhanko.sign.signers.Signer` whose certificate registry
holds the chain, ready for :class:`~pyhanko.sign.signers.PdfSigner`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from pkcs11 import PinIncorrect, PinLocked, PKCS11Error, Session
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer

from .errors import KeySourceError, WrongPin
from .keys import PinProtectedKey, _check_key, _LoadedKeySigner
from .trust import to_asn1

__all__ = ["Pkcs11KeySource", "Pkcs12KeySource"]


class Pkcs12KeySource:
    """A key and certificate imported from a PKCS#12 (.p12/.pfx) file, e.g. from an external CA.

    The key is plaintext in memory: re-wrap it with :meth:`to_pin_protected` to keep it.
    """

    def __init__(
        self,
        private_key: PrivateKeyTypes,
        *,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        """Wrap a key that belongs to ``certificate`` (prefer :meth:`from_bytes`).

        :raises KeySourceError: the key is not RSA/EC or does not fit the certificate.
        """
        self._key = _check_key(private_key, certificate)
        self._certificate = certificate
        self._chain = tuple(chain)
        self._signer = _LoadedKeySigner(self._key, certificate, self._chain)

    @classmethod
    def from_bytes(cls, data: bytes, passphrase: bytes | None) -> Pkcs12KeySource:
        """Read a PKCS#12 archive.

        :param data: the archive's bytes.
        :param passphrase: its passphrase, or None for an unencrypted archive.
        :raises WrongPin: the passphrase does not open the archive.
        :raises KeySourceError: not a PKCS#12 archive, or no key or certificate inside.
        """
        try:
            key, certificate, others = pkcs12.load_key_and_certificates(data, passphrase)
        except ValueError as exc:
            # cryptography says "Could not deserialize" for non-PKCS#12 bytes and
            # "Invalid password or PKCS12 data" for a wrong passphrase.
            if "deserialize" in str(exc):
                raise KeySourceError("This file is not a PKCS#12 (.p12/.pfx) archive.") from exc
            raise WrongPin("The passphrase of the PKCS#12 file is wrong. Try again.") from exc
        if key is None or certificate is None:
            raise KeySourceError(
                "The PKCS#12 file must hold both a private key and its certificate."
            )
        chain = [c for c in others if c != certificate]
        return cls(key, certificate=certificate, chain=chain)

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The other certificates of the archive, without the signer's certificate."""
        return self._chain

    def signer(self) -> Signer:
        """Return the pyHanko signer (the same object each time)."""
        return self._signer

    def to_pin_protected(self, pin: str) -> PinProtectedKey:
        """Seal the imported key under a PIN for the server to keep.

        :param pin: the signer's PIN, at least ``MIN_PIN_LENGTH`` characters.
        :raises KeySourceError: the PIN is too short.
        """
        return PinProtectedKey.seal(
            self._key, pin, certificate=self._certificate, chain=self._chain
        )


class Pkcs11KeySource:
    """A key on a PKCS#11 token (smart card, HSM; tested with SoftHSM2), used in a with-block.

    The session is not thread-safe: use one source per thread. The certificate is taken from
    ``certificate`` if given, else read from the token (``cert_label``, default ``key_label``).
    """

    def __init__(
        self,
        *,
        library: str,
        token_label: str,
        user_pin: str,
        key_label: str,
        certificate: x509.Certificate | None = None,
        cert_label: str | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        """Describe the token; nothing is opened until ``with``.

        :param library: path of the PKCS#11 module (e.g. ``/usr/lib/softhsm/libsofthsm2.so``).
        :param token_label: label of the token.
        :param user_pin: the token's user PIN.
        :param key_label: label of the private key on the token.
        :param certificate: the signer's certificate, if not read from the token.
        :param cert_label: label of the certificate on the token (when ``certificate`` is None).
        :param chain: intermediates (and optionally the root), without the signer's certificate.
        """
        self._library = library
        self._token_label = token_label
        self._user_pin = user_pin
        self._key_label = key_label
        self._given_certificate = certificate
        self._cert_label = cert_label
        self._chain = tuple(chain)
        self._session: Session | None = None
        self._signer: PKCS11Signer | None = None
        self._certificate = certificate

    def __enter__(self) -> Pkcs11KeySource:
        """Open a session on the token and find the key (and certificate)."""
        if self._session is not None:
            raise KeySourceError("This token is already open.")
        session = self._open_session()
        try:
            signer = PKCS11Signer(
                session,
                key_label=self._key_label,
                cert_label=self._cert_label,
                signing_cert=to_asn1(self._given_certificate)
                if self._given_certificate is not None
                else None,
                ca_chain=[to_asn1(c) for c in self._chain],
            )
            # reading signing_cert loads the key handle and the certificate now, not mid-signing
            cert_der = signer.signing_cert.dump()
        except (PKCS11Error, PyHankoSigningError) as exc:
            session.close()
            raise KeySourceError(f"The key {self._key_label!r} is not usable: {exc}") from exc
        self._session, self._signer = session, signer
        self._certificate = x509.load_der_x509_certificate(cert_der)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the session."""
        session, self._session, self._signer = self._session, None, None
        if session is not None:
            session.close()

    def _open_session(self) -> Session:
        """Open a logged-in session, translating PKCS#11 errors."""
        try:
            return open_pkcs11_session(
                self._library,
                token_criteria=TokenCriteria(label=self._token_label),
                user_pin=self._user_pin,
            )
        except PinIncorrect as exc:
            raise WrongPin("The token PIN is wrong. Check it and try again.") from exc
        except PinLocked as exc:
            raise KeySourceError("The token is locked after too many wrong PINs.") from exc
        except PKCS11Error as exc:
            raise KeySourceError(
                f"Cannot open the token {self._token_label!r}: {exc or type(exc).__name__}"
            ) from exc

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate (read from the token inside the with-block if not given).

        :raises KeySourceError: not given and the token is not open.
        """
        if self._certificate is None:
            raise KeySourceError("Open the token first to read its certificate.")
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The intermediates (and optionally the root), without the signer's certificate."""
        return self._chain

    def signer(self) -> PKCS11Signer:
        """Return the token's pyHanko signer (only inside the with-block).

        :raises KeySourceError: the token is not open.
        """
        if self._signer is None:
            raise KeySourceError("The token is not open: use the key source in a with-block.")
        return self._signer
