"""The internal CA's own RFC 3161 timestamping authority (TSA).

Signatures at PAdES B-T and above carry a timestamp token from a TSA; archive (B-LTA) document
timestamps too. An office with no outside TSA gets one from its own CA: a timestamping
certificate issued by the issuing CA (its only extended key usage id-kp-timeStamping,
critical) and an RSA key, kept beside the CA::

    tsa.pem       the TSA certificate
    tsa-key.pem   PKCS#8, encrypted with the CA passphrase, mode 0600

The tokens are assembled by pyHanko's ``DummyTimeStamper`` (asn1crypto structures, signed with
``cryptography``) — the library's own RFC 3161 token builder, named "dummy" because it signs
whatever it is sent, which is what a TSA does. :class:`InternalTimeStamper` adds what a
service needs: its own policy, the accepted digest algorithms only (others are refused with
``badAlg``), a fresh 64-bit serial per token and the key loaded once.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus

from .ca import InternalCA
from .ca_loading import read_certificate, read_key
from .ca_store import write_service_key
from .errors import CertificateAuthorityError, SigningError
from .sign import Tsa, timestamper_for
from .trust import TrustSettings, run_released, to_asn1

__all__ = [
    "RENEW_BEFORE",
    "TSA_POLICY",
    "InternalTimeStamper",
    "ensure_tsa",
    "load_tsa",
    "renewal_due",
    "timestamp_response",
    "timestamp_token",
    "token_time",
]

#: The policy our tokens are issued under: an OID of the UUID arc (ITU-T X.667), which needs no
#: registration: 2.25 followed by the decimal value of this product's UUID
#: 46003ace-d4eb-4c4b-bcfc-5e7c0f873448.
TSA_POLICY = "2.25.93047152471597880785315586737405637704"
#: Digests a request may use; anything else is answered ``badAlg``.
DIGESTS = frozenset({"sha256", "sha384", "sha512"})
#: A TSA certificate lives this long (cut at the issuing CA's own end).
VALIDITY_DAYS = 3 * 365
#: A TSA certificate closer than this to its end is replaced by a new one.
RENEW_BEFORE = timedelta(days=180)
CERT_FILE, KEY_FILE = "tsa.pem", "tsa-key.pem"


class InternalTimeStamper(DummyTimeStamper):
    """A TSA over one certificate and RSA key: tokens for pyHanko, or answers to requests."""

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer one RFC 3161 request: a token, or a rejection saying why."""
        algorithm = req["message_imprint"]["hash_algorithm"]["algorithm"].native
        if algorithm not in DIGESTS:
            return _rejection("bad_alg", f"digest {algorithm} is not accepted")
        policy = req["req_policy"].native
        if policy is not None and policy != TSA_POLICY:
            return _rejection("unaccepted_policy", f"policy {policy} is not ours")
        return super().request_tsa_response(req)

    def _build_tst_info(
        self, message_imprint: tsp.MessageImprint, dt: datetime, req: tsp.TimeStampReq
    ) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(TSA_POLICY)
        info["accuracy"] = tsp.Accuracy({"seconds": 1})
        return info

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),  # type: ignore[no-untyped-call]
                simple_cms_attribute(  # type: ignore[no-untyped-call]
                    "signing_time", cms.Time({"utc_time": core.UTCTime(dt)})
                ),
                simple_cms_attribute(  # type: ignore[no-untyped-call]
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute(  # type: ignore[no-untyped-call]
                    "message_digest", hashlib.new(md_algorithm, tst_info_data).digest()
                ),
            ]
        )
        digest = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
        signature = self._key.sign(signed_attrs.dump(), PKCS1v15(), digest[md_algorithm])
        return signature, signed_attrs

    @functools.cached_property
    def _key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_der_private_key(  # our own key, checked when it was loaded
            self.tsa_key.dump(), password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(key, rsa.RSAPrivateKey):
            raise CertificateAuthorityError("The TSA key must be an RSA key.")
        return key

    @classmethod
    def of(
        cls, certificate: x509.Certificate, key: rsa.RSAPrivateKey, chain: list[x509.Certificate]
    ) -> InternalTimeStamper:
        """Build a timestamper from ``cryptography`` objects (``chain``: issuing CA, root)."""
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(
            tsa_cert=to_asn1(certificate),
            tsa_key=asn1_keys.PrivateKeyInfo.load(der),
            certs_to_embed=[to_asn1(c) for c in chain],  # type: ignore[arg-type]
        )


def timestamp_token(tsa: Tsa, data: bytes) -> bytes:
    """Return a DER RFC 3161 timestamp token (a CMS ``ContentInfo``) over SHA-256(``data``)."""
    stamper = timestamper_for(tsa)
    if stamper is None:
        raise SigningError("A timestamp needs a timestamp authority.")
    digest = hashlib.sha256(data).digest()
    return bytes(asyncio.run(stamper.async_timestamp(digest, "sha256")).dump())


def token_time(token: bytes, data: bytes, trust: TrustSettings) -> datetime | None:
    """Return the time ``token`` vouches ``data`` existed at, if the token is intact, covers
    exactly ``data`` and comes from a TSA ``trust`` trusts; else None."""
    try:
        signed_data = cms.ContentInfo.load(token)["content"]
        context = trust.context()
        found = run_released(
            validate_tst_signed_data(
                signed_data, context, lambda name: hashlib.new(name, data).digest()
            ),
            context,
        )
        status = TimestampSignatureStatus(**found)
    except Exception:  # a damaged token is simply not a proof  # noqa: BLE001
        return None
    return status.timestamp if status.intact and status.valid and status.trusted else None


def timestamp_response(stamper: InternalTimeStamper, body: bytes) -> bytes:
    """Answer the DER ``TimeStampReq`` ``body`` with a DER ``TimeStampResp`` (never raises)."""
    try:
        request = tsp.TimeStampReq.load(body)
        request.native  # noqa: B018 — parse it all now: a malformed request is refused here
    except (ValueError, TypeError, KeyError) as error:
        return bytes(_rejection("bad_data_format", f"not a timestamp request: {error}").dump())
    return bytes(stamper.request_tsa_response(request).dump())


def renewal_due(directory: Path) -> datetime | None:
    """Return when the TSA certificate in ``directory`` is to be replaced (None: there is none)."""
    path = directory / CERT_FILE
    if not path.exists():
        return None
    return read_certificate(path).not_valid_after_utc - RENEW_BEFORE


def ensure_tsa(ca: InternalCA, passphrase: bytes) -> x509.Certificate:
    """Give ``ca`` a TSA certificate and key, or a new pair when the current one ends within
    :data:`RENEW_BEFORE`; return the certificate in use."""
    path = ca.directory / CERT_FILE
    due = renewal_due(ca.directory)
    if due is not None and due > datetime.now(UTC):
        return read_certificate(path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    certificate = ca.issue_timestamping(key.public_key(), VALIDITY_DAYS)
    write_service_key(ca.directory, (CERT_FILE, KEY_FILE), key, certificate, passphrase)
    return certificate


def load_tsa(directory: Path, passphrase: bytes) -> InternalTimeStamper | None:
    """Return the CA's timestamper, or None if the CA in ``directory`` has no TSA yet."""
    if not (directory / CERT_FILE).exists():
        return None
    certificate = read_certificate(directory / CERT_FILE)
    key = read_key(directory / KEY_FILE, passphrase)
    if not isinstance(key, rsa.RSAPrivateKey) or key.public_key() != certificate.public_key():
        raise CertificateAuthorityError(f"{directory / KEY_FILE} does not match {CERT_FILE}.")
    chain = [read_certificate(directory / "issuing.pem"), read_certificate(directory / "root.pem")]
    return InternalTimeStamper.of(certificate, key, chain)


class _Rejection(core.Sequence):  # type: ignore[misc]
    """A ``TimeStampResp`` with no token, which RFC 3161 allows and asn1crypto's class does not."""

    _fields = [("status", tsp.PKIStatusInfo)]


def _rejection(status: str, text: str) -> _Rejection:
    info = {"status": "rejection", "status_string": [text], "fail_info": {status}}
    return _Rejection({"status": tsp.PKIStatusInfo(info)})
