"""The app's side of signing: the internal CA folder, trust settings, key files, sign, verify.

The only module of the app that imports ``signing`` (ARCHITECTURE.md); the CLI and the views
call these functions.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import current_app

from signing import (
    CAConfig,
    DocumentReport,
    InternalCA,
    KeySource,
    LeaderStamp,
    PadesLevel,
    PinProtectedKey,
    Pkcs11KeySource,
    Pkcs12KeySource,
    SealStamp,
    SignatureRequest,
    SigningError,
    TrustSettings,
    generate_private_key,
    sign_pdf,
    validate_pdf,
)

__all__ = [
    "PUBLISHED_CRLS",
    "InternalCA",
    "PadesLevel",
    "SignatureRequest",
    "SigningError",
    "ca_dir",
    "create_ca",
    "issue_key",
    "load_ca",
    "open_key",
    "publish_crls",
    "published_crl",
    "revoke_certificate",
    "sign_document",
    "trust_settings",
    "verify_document",
]

PUBLISHED_CRLS = ("issuing.crl", "root.crl")


def ca_dir() -> Path:
    """Return the internal CA's folder (``CA_DIR``)."""
    return Path(current_app.config["CA_DIR"])


def create_ca(organisation: str, key_type: str, passphrase: bytes) -> InternalCA:
    """Create the internal CA; its CRLs point at ``PUBLIC_URL/ca/``."""
    config = CAConfig(
        organisation=organisation,
        crl_base_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/ca",
        key_type=key_type,  # type: ignore[arg-type]  # checked by CAConfig
    )
    ca = InternalCA.create(ca_dir(), config, passphrase)
    publish_crls(ca)
    return ca


def load_ca(passphrase: bytes) -> InternalCA:
    """Open the internal CA (its keys need the passphrase)."""
    return InternalCA.load(ca_dir(), passphrase)


def issue_key(
    ca: InternalCA, out: Path, pin: str, *, full_name: str | None, title: str
) -> x509.Certificate:
    """Generate a key, issue a signer (or, without a name, the seal) certificate, store both.

    ``out/cert.pem`` gets the certificate and its chain, ``out/key.json`` the PIN-protected key.
    """
    private_key = generate_private_key(ca.config.key_type)
    public_key = private_key.public_key()
    if full_name:
        cert = ca.issue_signer(
            public_key=public_key,
            full_name=full_name,
            title=title,
            organisation=ca.config.organisation,
        )
    else:
        cert = ca.issue_seal(public_key=public_key, organisation=ca.config.organisation)
    key = PinProtectedKey.seal(private_key, pin, certificate=cert, chain=ca.chain)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cert.pem").write_bytes(
        b"".join(c.public_bytes(Encoding.PEM) for c in (cert, *ca.chain))
    )
    (out / "key.json").write_bytes(key.envelope)
    os.chmod(out / "key.json", 0o600)
    return cert


def revoke_certificate(ca: InternalCA, serial_hex: str) -> None:
    """Revoke a certificate by its hexadecimal serial and publish the new CRLs."""
    try:
        serial = int(serial_hex, 16)
    except ValueError:
        raise SigningError(f"{serial_hex!r} is not a hexadecimal serial number.") from None
    ca.revoke(serial)
    publish_crls(ca)


def publish_crls(ca: InternalCA) -> None:
    """Write fresh CRLs into the CA folder, where ``/ca/<name>`` serves them."""
    for name, data in zip(PUBLISHED_CRLS, (ca.crl(), ca.root_crl()), strict=True):
        temporary = ca_dir() / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, ca_dir() / name)


def published_crl(name: str) -> Path | None:
    """Return the path of a published CRL, or ``None`` for anything else."""
    path = ca_dir() / name
    return path if name in PUBLISHED_CRLS and path.is_file() else None


def open_key(
    *,
    key_file: Path | None = None,
    p12: Path | None = None,
    secret: str,
    pkcs11: tuple[str, str, str] | None = None,
) -> KeySource:
    """Open a key: a ``key.json`` (beside its ``cert.pem``), a PKCS#12 file, or a token.

    :param secret: The PIN, the PKCS#12 passphrase or the token's user PIN.
    :param pkcs11: (library, token label, key label).
    """
    if key_file is not None:
        certs = x509.load_pem_x509_certificates((key_file.parent / "cert.pem").read_bytes())
        source = PinProtectedKey.from_envelope(
            key_file.read_bytes(), certificate=certs[0], chain=certs[1:]
        )
        source.unlock(secret)
        return source
    if p12 is not None:
        return Pkcs12KeySource.from_bytes(p12.read_bytes(), secret.encode())
    if pkcs11 is not None:
        library, token, label = pkcs11
        return Pkcs11KeySource(library=library, token_label=token, user_pin=secret, key_label=label)
    raise SigningError("Choose a key: a key.json file, a PKCS#12 file, or a PKCS#11 token.")


def sign_document(
    data: bytes,
    key: KeySource,
    request: SignatureRequest,
    *,
    visible: str | None,
    timestamp_url: str | None,
) -> bytes:
    """Sign ``data``; ``visible`` ("leader" or "seal") adds a stamp from the certificate."""
    if visible:
        request = _with_stamp(request, visible, key.certificate)
    long_term = request.level in {PadesLevel.B_LT, PadesLevel.B_LTA}
    trust = trust_settings() if long_term else None
    tsa = timestamp_url or current_app.config["TSA_URL"] or None
    if isinstance(key, Pkcs11KeySource):
        with key:
            return sign_pdf(data, key, request, timestamp_url=tsa, trust=trust)
    return sign_pdf(data, key, request, timestamp_url=tsa, trust=trust)


def verify_document(data: bytes, extra_roots: tuple[Path, ...] = ()) -> DocumentReport:
    """Validate every signature against the internal CA (and ``extra_roots``)."""
    return validate_pdf(data, trust_settings(extra_roots))


def trust_settings(extra_roots: tuple[Path, ...] = ()) -> TrustSettings:
    """Trust the internal CA's root (with its published CRLs) and any extra PEM roots."""
    roots: list[x509.Certificate] = []
    others: list[x509.Certificate] = []
    crls: list[bytes] = []
    folder = ca_dir()
    if (folder / "root.pem").exists():
        roots += x509.load_pem_x509_certificates((folder / "root.pem").read_bytes())
        others += x509.load_pem_x509_certificates((folder / "issuing.pem").read_bytes())
        crls += [path.read_bytes() for name in PUBLISHED_CRLS if (path := folder / name).exists()]
    for path in extra_roots:
        roots += x509.load_pem_x509_certificates(path.read_bytes())
    if not roots:
        raise SigningError(
            "No trusted root: run `meeting-server ca init`, or pass --trust ROOT.pem."
        )
    return TrustSettings.of(roots, others, crls)


def _with_stamp(request: SignatureRequest, kind: str, cert: x509.Certificate) -> SignatureRequest:
    def attribute(oid: x509.ObjectIdentifier) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    now = datetime.now(UTC)
    organisation = attribute(x509.NameOID.ORGANIZATION_NAME)
    stamp: LeaderStamp | SealStamp
    if kind == "seal":
        stamp = SealStamp(agency=organisation, signed_at=now)
    else:
        stamp = LeaderStamp(
            full_name=attribute(x509.NameOID.COMMON_NAME),
            title=attribute(x509.NameOID.TITLE),
            organisation=organisation,
            signed_at=now,
        )
    return replace(request, stamp=stamp)
