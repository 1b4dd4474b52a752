"""The internal certificate authority: a root, an issuing CA, and signer and seal certificates.

Everything cryptographic is done by ``cryptography``. A CA lives in one directory::

    config.json          the CAConfig (no secrets)
    root.pem             root CA certificate (self-signed)
    issuing.pem          issuing CA certificate (signed by the root)
    root-key.pem         PKCS#8, encrypted with the CA passphrase, mode 0600
    issuing-key.pem      PKCS#8, encrypted with the CA passphrase, mode 0600
    index.json           issued certificates, revocations and CRL numbers
    issued/<serial>.pem  every issued certificate (serial in lower-case hex)

Every file is written atomically (temporary file, fsync, rename). Changes to ``index.json`` are
serialised with an ``flock`` on ``index.lock``, so several processes may share one CA directory;
:mod:`signing.ca_store` keeps these files. The passphrase is never stored; only the private keys
are encrypted with it.

The certificates themselves (profiles, extensions, subjects) are built by
:mod:`signing.ca_certificates`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from signing.ca_certificates import (
    CLOCK_SKEW,
    COMMON_NAME_MAX_BYTES,
    DOCUMENT_SIGNING,
    ca_name,
    generate_private_key,
    make_issuing,
    make_leaf,
    make_root,
    revoked_entry,
    seal_name,
    signer_name,
    subject_key_identifier,
)
from signing.ca_loading import read_certificate, read_key
from signing.ca_store import CAStore, write_atomic
from signing.errors import CertificateAuthorityError

__all__ = [
    "CLOCK_SKEW",
    "DOCUMENT_SIGNING",
    "CAConfig",
    "CertificateKind",
    "InternalCA",
    "IssuedCertificate",
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "generate_private_key",
]

KeyType = Literal["rsa2048", "rsa3072", "ec-p256"]
CertificateKind = Literal["signer", "seal", "tsa", "ocsp"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

_FORMAT = 1
_CA_FILES = ("config.json", "root.pem", "issuing.pem", "root-key.pem", "issuing-key.pem")


@dataclass(frozen=True)
class CAConfig:
    """The settings of an internal CA, stored in ``config.json``.

    :param organisation: The organisation running the CA; it names the CA certificates.
    :param crl_base_url: Where the CRLs are served: leaf certificates point at
        ``{crl_base_url}/issuing.crl``, the issuing CA certificate at ``{crl_base_url}/root.crl``.
    :param country: ISO 3166 two-letter country code.
    :param key_type: Key type of the two CA keys.
    :param root_validity_days: Lifetime of the root certificate.
    :param issuing_validity_days: Lifetime of the issuing CA certificate.
    :param crl_validity_days: Days between a CRL's thisUpdate and nextUpdate.
    """

    organisation: str
    crl_base_url: str
    country: str = "VN"
    key_type: KeyType = "rsa3072"
    root_validity_days: int = 3650 * 2
    issuing_validity_days: int = 3650
    crl_validity_days: int = 7

    def __post_init__(self) -> None:
        """Refuse settings that would produce unusable certificates."""
        if not self.organisation.strip():
            raise CertificateAuthorityError("The CA needs an organisation name.")
        if not self.crl_base_url.startswith(("http://", "https://")):
            raise CertificateAuthorityError("crl_base_url must be an http:// or https:// URL.")
        if len(self.country) != 2 or not self.country.isascii() or not self.country.isalpha():
            raise CertificateAuthorityError("country must be a two-letter code such as 'VN'.")
        if self.key_type not in get_args(KeyType):
            raise CertificateAuthorityError(f"Unknown key type {self.key_type!r}.")
        days = (self.root_validity_days, self.issuing_validity_days, self.crl_validity_days)
        if min(days) <= 0:
            raise CertificateAuthorityError("Validity periods must be positive numbers of days.")

    def crl_url(self, name: Literal["root", "issuing"]) -> str:
        """Return the URL of the root or issuing CRL."""
        return f"{self.crl_base_url.rstrip('/')}/{name}.crl"


@dataclass(frozen=True)
class IssuedCertificate:
    """One certificate issued by the CA, as recorded in its index.

    :param serial_number: The certificate's serial number.
    :param subject: The subject as an RFC 4514 string.
    :param kind: ``"signer"`` (a person), ``"seal"`` (the organisation), or the CA's own
        services: ``"tsa"`` and ``"ocsp"``.
    :param not_after: End of validity (aware UTC).
    :param revoked_at: Revocation time (aware UTC), or ``None`` if not revoked.
    :param fingerprint_sha256: SHA-256 of the DER certificate, lower-case hex.
    """

    serial_number: int
    subject: str
    kind: CertificateKind
    not_after: datetime
    revoked_at: datetime | None
    fingerprint_sha256: str


def _utc(value: datetime | None) -> datetime:
    """Return ``value`` (default: now) in UTC, whole seconds, refusing naive datetimes."""
    if value is None:
        value = datetime.now(UTC)
    elif value.tzinfo is None:
        raise CertificateAuthorityError("Times must be timezone-aware (use UTC).")
    return value.astimezone(UTC).replace(microsecond=0)


def _pem(certificate: x509.Certificate) -> bytes:
    """Return the certificate as PEM."""
    return certificate.public_bytes(serialization.Encoding.PEM)


def _read_config(path: Path) -> CAConfig:
    """Read ``config.json``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CertificateAuthorityError(
            f"No CA in {path.parent}: {path.name} is missing. Create one with InternalCA.create()."
        ) from error
    except ValueError as error:
        raise CertificateAuthorityError(f"{path} is not valid JSON.") from error
    names = {field.name for field in fields(CAConfig)}
    try:
        return CAConfig(**{key: value for key, value in data.items() if key in names})
    except TypeError as error:
        raise CertificateAuthorityError(f"{path} lacks a required setting: {error}") from error


def _issued(serial: str, entry: dict[str, Any]) -> IssuedCertificate:
    """Turn an index entry into an :class:`IssuedCertificate`."""
    revoked_at = entry["revoked_at"]
    return IssuedCertificate(
        serial_number=int(serial, 16),
        subject=entry["subject"],
        kind=entry["kind"],
        not_after=datetime.fromisoformat(entry["not_after"]),
        revoked_at=None if revoked_at is None else datetime.fromisoformat(revoked_at),
        fingerprint_sha256=entry["fingerprint_sha256"],
    )


class InternalCA:
    """A two-level CA (root → issuing CA → signer/seal certificates) kept in a directory.

    Build one with :meth:`create` or :meth:`load`; both keys stay decrypted in memory for the
    object's lifetime, so keep the object only as long as the CA is meant to be unlocked.
    """

    def __init__(
        self,
        directory: Path,
        config: CAConfig,
        certificates: tuple[x509.Certificate, x509.Certificate],
        keys: tuple[PrivateKey, PrivateKey],
    ) -> None:
        """Wrap loaded material; use :meth:`create` or :meth:`load` instead."""
        self.directory = directory
        self._store = CAStore(directory)
        self.config = config
        self.root_certificate, self.issuing_certificate = certificates
        self._root_key, self._issuing_key = keys

    @classmethod
    def create(cls, directory: Path, config: CAConfig, passphrase: bytes) -> InternalCA:
        """Create a new CA (root and issuing CA) in ``directory``.

        :param directory: Where the CA is kept; created (mode 0700) if missing.
        :param config: The CA settings.
        :param passphrase: Encrypts both private keys; it is not stored anywhere.
            Hazard: ``BestAvailableEncryption`` writes PBES2 with only 2048 PBKDF2-SHA256
            rounds (OpenSSL's default), so a stolen key file resists guessing only as well as
            the passphrase itself: use a long random one, not a PIN.
        :raises CertificateAuthorityError: if ``directory`` already holds a CA, or the
            passphrase is empty.
        """
        if not passphrase:
            raise CertificateAuthorityError("The CA passphrase must not be empty.")
        if any((directory / name).exists() for name in _CA_FILES):
            raise CertificateAuthorityError(f"{directory} already holds a CA; load it instead.")
        store = CAStore(directory)
        store.make_directories()
        now = _utc(None)
        root_key = generate_private_key(config.key_type)
        issuing_key = generate_private_key(config.key_type)
        root = make_root(config, root_key, now)
        issuing = make_issuing(config, root, root_key, issuing_key, now)
        encryption = serialization.BestAvailableEncryption(passphrase)
        for name, key in (("root-key.pem", root_key), ("issuing-key.pem", issuing_key)):
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
            write_atomic(directory / name, pem, mode=0o600)
        write_atomic(directory / "root.pem", _pem(root))
        write_atomic(directory / "issuing.pem", _pem(issuing))
        store.create_index()
        config_json = json.dumps({"format": _FORMAT, **asdict(config)}, ensure_ascii=False)
        write_atomic(directory / "config.json", config_json.encode("utf-8"))
        return cls(directory, config, (root, issuing), (root_key, issuing_key))

    @classmethod
    def load(cls, directory: Path, passphrase: bytes) -> InternalCA:
        """Load and unlock the CA kept in ``directory``.

        :param directory: The CA's directory.
        :param passphrase: The passphrase given to :meth:`create`.
        :raises WrongPin: if the passphrase does not decrypt the keys.
        :raises CertificateAuthorityError: if the CA is missing or its files do not match.
        """
        config = _read_config(directory / "config.json")
        root = read_certificate(directory / "root.pem")
        issuing = read_certificate(directory / "issuing.pem")
        root_key = read_key(directory / "root-key.pem", passphrase)
        issuing_key = read_key(directory / "issuing-key.pem", passphrase)
        if root_key.public_key() != root.public_key() or (
            issuing_key.public_key() != issuing.public_key()
        ):
            raise CertificateAuthorityError(
                f"The keys in {directory} do not match its certificates."
            )
        try:
            issuing.verify_directly_issued_by(root)
        except (ValueError, TypeError) as error:
            raise CertificateAuthorityError(
                f"{directory}: issuing.pem is not signed by the root."
            ) from error
        return cls(directory, config, (root, issuing), (root_key, issuing_key))

    @property
    def chain(self) -> list[x509.Certificate]:
        """Return the CA certificates a leaf needs: ``[issuing, root]``."""
        return [self.issuing_certificate, self.root_certificate]

    def issue_signer(
        self,
        *,
        public_key: PublicKey,
        full_name: str,
        title: str,
        organisation: str,
        email: str | None = None,
        not_before: datetime | None = None,
        validity_days: int = 730,
    ) -> x509.Certificate:
        """Issue a signing certificate for a person.

        :param public_key: The signer's RSA (≥ 2048 bits) or EC public key.
        :param full_name: The person's full name (CN), e.g. ``"Nguyễn Văn An"``; at most 64
            UTF-8 bytes.
        :param title: Job title (X.520 ``title``), e.g. ``"Chủ tịch"``; left out when empty.
        :param organisation: The person's organisation (O).
        :param email: Optional e-mail address (``emailAddress`` and SubjectAlternativeName).
        :param not_before: Start of validity (aware); default five minutes ago.
        :param validity_days: Lifetime; cut short at the issuing CA's own expiry.
        :raises CertificateAuthorityError: if a name or key is unusable.
        """
        if not full_name.strip() or len(full_name.encode()) > COMMON_NAME_MAX_BYTES:
            raise CertificateAuthorityError("The full name must have 1 to 64 bytes in UTF-8.")
        subject = signer_name(
            country=self.config.country,
            organisation=organisation,
            title=title,
            full_name=full_name,
            email=email,
        )
        extra: list[x509.ExtensionType] = []
        if email:
            extra.append(x509.SubjectAlternativeName([x509.RFC822Name(email)]))
        return self._issue(subject, public_key, "signer", not_before, validity_days, extra)

    def issue_seal(
        self,
        *,
        public_key: PublicKey,
        organisation: str,
        not_before: datetime | None = None,
        validity_days: int = 1095,
    ) -> x509.Certificate:
        """Issue an organisation seal certificate (CN = O = the organisation).

        :param public_key: The seal's RSA (≥ 2048 bits) or EC public key.
        :param organisation: The organisation's name; CN is shortened to 64 UTF-8 bytes if
            needed, O keeps it whole.
        :param not_before: Start of validity (aware); default five minutes ago.
        :param validity_days: Lifetime; cut short at the issuing CA's own expiry.
        :raises CertificateAuthorityError: if the name or key is unusable.
        """
        subject = seal_name(country=self.config.country, organisation=organisation)
        return self._issue(subject, public_key, "seal", not_before, validity_days, [])

    def issue_timestamping(self, public_key: PublicKey, validity_days: int) -> x509.Certificate:
        """Issue the certificate of the CA's own RFC 3161 timestamping authority (TSA)."""
        subject = ca_name(self.config, " TSA")
        usage = ExtendedKeyUsageOID.TIME_STAMPING
        return self._issue(subject, public_key, "tsa", None, validity_days, [], service=usage)

    def issue_ocsp_signing(self, public_key: PublicKey, validity_days: int) -> x509.Certificate:
        """Issue the certificate of the CA's delegated OCSP responder (RFC 6960 §4.2.2.2)."""
        subject = ca_name(self.config, " OCSP")
        extra: list[x509.ExtensionType] = [x509.OCSPNoCheck()]
        usage = ExtendedKeyUsageOID.OCSP_SIGNING
        return self._issue(subject, public_key, "ocsp", None, validity_days, extra, service=usage)

    def revoke(
        self,
        serial_number: int,
        *,
        reason: x509.ReasonFlags = x509.ReasonFlags.unspecified,
        when: datetime | None = None,
    ) -> None:
        """Revoke a certificate issued by this CA; the next :meth:`crl` lists it.

        Revoking an already revoked certificate changes nothing (the first date and reason stay).

        :param serial_number: Serial number of the certificate.
        :param reason: The CRL reason; ``remove_from_crl`` is refused.
        :param when: Revocation time (aware); default now.
        :raises CertificateAuthorityError: if this CA never issued ``serial_number``.
        """
        if reason is x509.ReasonFlags.remove_from_crl:
            raise CertificateAuthorityError("remove_from_crl is only meaningful in delta CRLs.")
        self._store.record_revocation(serial_number, _utc(when), reason)

    def is_revoked(self, serial_number: int) -> bool:
        """Tell whether this CA has revoked the certificate (unknown serials are not revoked).

        :param serial_number: Serial number of the certificate.
        """
        entry = self._store.entry(serial_number)
        return entry is not None and entry["revoked_at"] is not None

    def issued(self) -> list[IssuedCertificate]:
        """Return every certificate this CA issued, oldest first."""
        return [_issued(serial, entry) for serial, entry in self._store.issued_entries().items()]

    def crl(self, *, now: datetime | None = None) -> bytes:
        """Return a new DER CRL of the issuing CA listing every revoked certificate.

        Each call takes the next CRL number. Expired certificates stay listed, so old
        signatures keep their revocation evidence.

        :param now: thisUpdate (aware); default now. nextUpdate is ``crl_validity_days`` later.
        """
        this_update = _utc(now)
        number, issued = self._store.next_crl_number("issuing")
        revoked = [revoked_entry(s, e) for s, e in issued.items() if e["revoked_at"] is not None]
        return self._sign_crl(
            self.issuing_certificate, self._issuing_key, number, this_update, revoked
        )

    def root_crl(self, *, now: datetime | None = None) -> bytes:
        """Return a new DER CRL of the root (empty: the issuing CA is never revoked here).

        :param now: thisUpdate (aware); default now. nextUpdate is ``crl_validity_days`` later.
        """
        this_update = _utc(now)
        number, _ = self._store.next_crl_number("root")
        return self._sign_crl(self.root_certificate, self._root_key, number, this_update, [])

    def _issue(
        self,
        subject: x509.Name,
        public_key: PublicKey,
        kind: CertificateKind,
        not_before: datetime | None,
        validity_days: int,
        extra: list[x509.ExtensionType],
        *,
        service: x509.ObjectIdentifier | None = None,
    ) -> x509.Certificate:
        """Sign a leaf certificate, store it and record it in the index."""
        _check_public_key(public_key)
        if validity_days <= 0:
            raise CertificateAuthorityError("validity_days must be positive.")
        start = _utc(None) - CLOCK_SKEW if not_before is None else _utc(not_before)
        end = start + timedelta(days=validity_days)
        end = min(end, self.issuing_certificate.not_valid_after_utc)
        certificate = make_leaf(
            self.config,
            self.issuing_certificate,
            self._issuing_key,
            subject,
            public_key,
            (start, end),
            extra,
            service=service,
        )
        self._store.record_issued(certificate, kind)
        return certificate

    def _sign_crl(
        self,
        issuer: x509.Certificate,
        key: PrivateKey,
        number: int,
        this_update: datetime,
        revoked: list[x509.RevokedCertificate],
    ) -> bytes:
        """Sign a CRL for ``issuer`` and return it as DER."""
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            subject_key_identifier(issuer)
        )
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.subject)
            .last_update(this_update)
            .next_update(this_update + timedelta(days=self.config.crl_validity_days))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(aki, critical=False)
        )
        for entry in revoked:
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _check_public_key(public_key: object) -> None:
    """Refuse keys that PDF validators would not accept."""
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            raise CertificateAuthorityError("RSA keys must have at least 2048 bits.")
    elif not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise CertificateAuthorityError("Only RSA and EC public keys can be certified.")
