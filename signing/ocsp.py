"""The internal CA's OCSP responder (RFC 6960).

Every leaf the CA issues names ``{crl_base_url}/ocsp`` in its AuthorityInformationAccess; what
answers there is a *delegated* responder: a certificate issued by the issuing CA (its only
extended key usage id-kp-OCSPSigning, critical; id-pkix-ocsp-nocheck, so nobody asks about the
responder itself) and a key of the CA's key type, kept beside the CA::

    ocsp.pem       the responder certificate
    ocsp-key.pem   PKCS#8, encrypted with the CA passphrase, mode 0600

Only the responder key is unlocked; the status comes from the CA's index
(:class:`~signing.ca_store.CAStore`), read afresh for every request. Answers, built and signed
by ``cryptography.x509.ocsp``:

- *good*, or *revoked* with the time and reason of the index, for a serial the CA issued;
- *unknown* for a serial it never issued;
- ``unauthorized`` for certificates of any other issuer (the root's issuing CA included: the
  root publishes a CRL), ``malformedRequest`` for anything that does not parse.

Both SHA-1 and SHA-2 CertIDs are accepted and echoed as sent; a nonce is echoed too. Each
answer holds from now (``thisUpdate``) for :data:`NEXT_UPDATE` (``nextUpdate``): a day, so a
cached answer is never older than the CRL a verifier could fetch instead, which is published on
every revocation.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from .ca import InternalCA, PrivateKey
from .ca_certificates import generate_private_key
from .ca_loading import read_certificate, read_key
from .ca_store import CAStore, write_service_key
from .errors import CertificateAuthorityError

__all__ = [
    "NEXT_UPDATE",
    "RENEW_BEFORE",
    "OcspResponder",
    "ensure_responder",
    "get_request_body",
    "load_responder",
    "renewal_due",
]

#: An answer's nextUpdate is this long after its thisUpdate.
NEXT_UPDATE = timedelta(days=1)
#: A responder certificate lives this long (cut at the issuing CA's own end).
VALIDITY_DAYS = 365
#: A responder certificate closer than this to its end is replaced by a new one.
RENEW_BEFORE = timedelta(days=30)
CERT_FILE, KEY_FILE = "ocsp.pem", "ocsp-key.pem"
#: CertID hash algorithms a request may use.
ALGORITHMS = (hashes.SHA1(), hashes.SHA256(), hashes.SHA384(), hashes.SHA512())  # noqa: S303


class OcspResponder:
    """Answer OCSP requests about the certificates of one issuing CA.

    :param directory: The CA's directory (its index gives the status).
    :param issuing: The issuing CA certificate.
    :param certificate: The responder certificate, issued by ``issuing``.
    :param key: The responder's private key.
    """

    def __init__(
        self,
        directory: Path,
        issuing: x509.Certificate,
        certificate: x509.Certificate,
        key: PrivateKey,
    ) -> None:
        """Keep the material and work out the issuer hashes each algorithm gives."""
        self._store = CAStore(directory)
        self.issuing_certificate = issuing
        self.certificate = certificate
        self._key = key
        self._issuer: dict[str, tuple[bytes, bytes]] = {}
        for algorithm in ALGORITHMS:
            probe = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuing, algorithm)
            built = probe.build()
            self._issuer[algorithm.name] = (built.issuer_name_hash, built.issuer_key_hash)

    def respond(self, request: bytes) -> bytes:
        """Answer the DER ``OCSPRequest`` ``request`` with a DER ``OCSPResponse`` (never raises).

        :param request: The request as received (POST body, or decoded GET path).
        """
        try:
            parsed = ocsp.load_der_ocsp_request(request)
            algorithm = parsed.hash_algorithm
            nonces = [e.value for e in parsed.extensions if isinstance(e.value, x509.OCSPNonce)]
        except (ValueError, UnsupportedAlgorithm):
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        mine = self._issuer.get(algorithm.name)
        if mine != (parsed.issuer_name_hash, parsed.issuer_key_hash):
            return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
        return self._answer(parsed, algorithm, nonces[0] if nonces else None)

    def responses_for(self, certificates: Iterable[x509.Certificate]) -> tuple[bytes, ...]:
        """Return a DER ``OCSPResponse`` for each of ``certificates`` this CA issued.

        For long-term signatures, which embed them (:func:`signing.longterm.extend_to_lta`);
        others' certificates are skipped.

        :param certificates: Certificates of any issuers; duplicates are answered once.
        """
        answers: dict[int, bytes] = {}
        for certificate in certificates:
            if certificate.issuer != self.issuing_certificate.subject:
                continue
            builder = ocsp.OCSPRequestBuilder().add_certificate(
                certificate, self.issuing_certificate, hashes.SHA256()
            )
            answers.setdefault(
                certificate.serial_number,
                self.respond(builder.build().public_bytes(serialization.Encoding.DER)),
            )
        return tuple(answers.values())

    def _answer(
        self,
        request: ocsp.OCSPRequest,
        algorithm: hashes.HashAlgorithm,
        nonce: x509.OCSPNonce | None,
    ) -> bytes:
        """Sign the status of the one certificate ``request`` asks about."""
        now = datetime.now(UTC).replace(microsecond=0)
        entry = self._store.entry(request.serial_number)
        status, revoked_at, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
        if entry is not None and entry["revoked_at"] is None:
            status = ocsp.OCSPCertStatus.GOOD
        elif entry is not None:
            status = ocsp.OCSPCertStatus.REVOKED
            revoked_at = datetime.fromisoformat(entry["revoked_at"])
            reason = x509.ReasonFlags(entry["reason"])
            if reason is x509.ReasonFlags.unspecified:  # as in the CRL: omitted
                reason = None
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                request.issuer_name_hash,
                request.issuer_key_hash,
                request.serial_number,
                algorithm,
                status,
                now,
                now + NEXT_UPDATE,
                revoked_at,
                reason,
            )  # fmt: skip
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.certificate)
            .certificates([self.certificate])
        )
        if nonce is not None:
            builder = builder.add_extension(nonce, critical=False)
        response = builder.sign(self._key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)


def get_request_body(encoded: str) -> bytes:
    """Return the DER request of a GET URL's last part (RFC 6960 A.1: URL-encoded base64).

    Anything that is not base64 gives ``b""``, which :meth:`OcspResponder.respond` refuses as
    malformed.

    :param encoded: The path after ``/ocsp/``, as sent or already URL-decoded.
    """
    try:
        return base64.b64decode(unquote(encoded), validate=True)
    except (binascii.Error, ValueError):
        return b""


def renewal_due(directory: Path) -> datetime | None:
    """Return when the responder certificate in ``directory`` is to be replaced (None: none).

    :param directory: The CA's directory.
    """
    path = directory / CERT_FILE
    if not path.exists():
        return None
    return read_certificate(path).not_valid_after_utc - RENEW_BEFORE


def ensure_responder(ca: InternalCA, passphrase: bytes) -> x509.Certificate:
    """Give ``ca`` a responder certificate and key, or a new pair when the current one ends
    within :data:`RENEW_BEFORE`; return the certificate in use.

    :param ca: The unlocked CA; its issuing CA signs the certificate.
    :param passphrase: The CA passphrase; it encrypts the responder key.
    """
    due = renewal_due(ca.directory)
    if due is not None and due > datetime.now(UTC):
        return read_certificate(ca.directory / CERT_FILE)
    key = generate_private_key(ca.config.key_type)
    certificate = ca.issue_ocsp_signing(key.public_key(), VALIDITY_DAYS)
    write_service_key(ca.directory, (CERT_FILE, KEY_FILE), key, certificate, passphrase)
    return certificate


def load_responder(directory: Path, passphrase: bytes) -> OcspResponder | None:
    """Return the CA's responder, or None if the CA in ``directory`` has none yet.

    :param directory: The CA's directory.
    :param passphrase: The CA passphrase; it decrypts the responder key only.
    :raises WrongPin: if the passphrase is wrong.
    :raises CertificateAuthorityError: if the key does not match the certificate.
    """
    if not (directory / CERT_FILE).exists():
        return None
    certificate = read_certificate(directory / CERT_FILE)
    key = read_key(directory / KEY_FILE, passphrase)
    if key.public_key() != certificate.public_key():
        raise CertificateAuthorityError(f"{directory / KEY_FILE} does not match {CERT_FILE}.")
    return OcspResponder(directory, read_certificate(directory / "issuing.pem"), certificate, key)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    """Return a DER ``OCSPResponse`` with an error status and no body."""
    response = ocsp.OCSPResponseBuilder.build_unsuccessful(status)
    return response.public_bytes(serialization.Encoding.DER)
