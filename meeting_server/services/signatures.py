"""The app's side of signing: the internal CA folder, trust settings, key files, sign, verify.

The only module of the app that imports ``signing`` (ARCHITECTURE.md); the CLI and the views
call these functions.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import current_app
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from signing import (
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
    WrongPin,
    generate_private_key,
    sign_pdf,
    signed_revision,
    validate_pdf,
)
from signing.sign import Tsa
from signing.trust import run_released, to_asn1
from signing.tsa import token_time

from ..offload import offload
from . import timestamps
from .internal_ca import PUBLISHED_CRLS, ca_dir

__all__ = [
    "InternalCA",
    "KeyMaterial",
    "PadesLevel",
    "PinProtectedKey",
    "SignatureRequest",
    "SigningError",
    "WrongPin",
    "check_trusted",
    "issue_key",
    "new_key",
    "open_key",
    "pem_chain",
    "pkcs12_key",
    "sign_document",
    "stamp_of",
    "stored_key",
    "trust_settings",
    "timestamp_time",
    "verify_document",
]


@dataclass(frozen=True)
class KeyMaterial:
    """A PIN-sealed key with its certificate and chain: what a ``SigningKey`` row stores."""

    envelope: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (hex)."""
        return hashlib.sha256(self.certificate.public_bytes(Encoding.DER)).hexdigest()

    @property
    def certificate_pem(self) -> str:
        """The certificate, then its chain, as PEM text."""
        return pem_chain(self.certificate, self.chain)


def new_key(ca: InternalCA, pin: str, *, full_name: str | None, title: str) -> KeyMaterial:
    """Generate a key and issue a signer (or, without a name, the seal) certificate for it.

    The private key exists only in memory until it is sealed under ``pin``. Key generation
    and the PIN's scrypt take a few hundred milliseconds: off the event loop.
    """
    return offload(_new_key, ca, pin, full_name, title)


def _new_key(ca: InternalCA, pin: str, full_name: str | None, title: str) -> KeyMaterial:
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
    return KeyMaterial(key.envelope, cert, tuple(ca.chain))


def pkcs12_key(data: bytes, passphrase: str, pin: str) -> KeyMaterial:
    """Open a PKCS#12 file and seal its key under ``pin`` (a wrong passphrase: ``WrongPin``)."""
    return offload(_pkcs12_key, data, passphrase, pin)


def _pkcs12_key(data: bytes, passphrase: str, pin: str) -> KeyMaterial:
    source = Pkcs12KeySource.from_bytes(data, passphrase.encode() if passphrase else None)
    key = source.to_pin_protected(pin)
    return KeyMaterial(key.envelope, source.certificate, source.chain)


def check_trusted(certificate: x509.Certificate, chain: Sequence[x509.Certificate]) -> None:
    """Refuse a certificate that does not chain to a trusted root or may not sign documents."""
    settings = trust_settings(configured_roots())
    context = settings.context()
    validator = CertificateValidator(
        to_asn1(certificate),
        intermediate_certs=[to_asn1(c) for c in chain],
        validation_context=context,
    )
    try:
        run_released(validator.async_validate_usage({"non_repudiation"}), context)
    except PathBuildingError:
        raise SigningError("untrusted") from None
    except PathValidationError as error:
        raise SigningError(f"invalid: {error}") from None


def issue_key(
    ca: InternalCA, out: Path, pin: str, *, full_name: str | None, title: str
) -> x509.Certificate:
    """Generate a key and its certificate (see :func:`new_key`) and store both in ``out``.

    ``out/cert.pem`` gets the certificate and its chain, ``out/key.json`` the PIN-protected key.
    """
    material = new_key(ca, pin, full_name=full_name, title=title)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cert.pem").write_text(material.certificate_pem)
    (out / "key.json").write_bytes(material.envelope)
    os.chmod(out / "key.json", 0o600)
    return material.certificate


def pem_chain(certificate: x509.Certificate, chain: Sequence[x509.Certificate]) -> str:
    """Return the certificate and its chain as PEM text."""
    return b"".join(c.public_bytes(Encoding.PEM) for c in (certificate, *chain)).decode()


def stored_key(envelope: bytes, certificate_pem: str, pin: str) -> PinProtectedKey:
    """Unlock a stored key with its holder's PIN (raises ``WrongPin``, changing nothing).

    The PIN's scrypt (~0.2 s by design) runs off the event loop.
    """
    return offload(_unlocked, envelope, certificate_pem, pin)


def _unlocked(envelope: bytes, certificate_pem: str, pin: str) -> PinProtectedKey:
    certs = x509.load_pem_x509_certificates(certificate_pem.encode())
    key = PinProtectedKey.from_envelope(envelope, certificate=certs[0], chain=certs[1:])
    key.unlock(pin)
    return key


def configured_roots() -> tuple[Path, ...]:
    """The extra trusted roots (``TRUSTED_ROOTS``: PEM files of external CAs)."""
    value = current_app.config.get("TRUSTED_ROOTS") or ()
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    return tuple(Path(str(part).strip()) for part in value)


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
        return _unlocked(key_file.read_bytes(), (key_file.parent / "cert.pem").read_text(), secret)
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
    tsa: Tsa,
) -> bytes:
    """Sign ``data``; ``visible`` ("leader" or "seal") adds a stamp from the certificate."""
    if visible:
        request = replace(request, stamp=stamp_of(visible, key.certificate))
    long_term = request.level in {PadesLevel.B_LT, PadesLevel.B_LTA}
    trust = trust_settings() if long_term else None
    if tsa is None and request.level != PadesLevel.B_B:
        tsa = timestamps.authority()
    if isinstance(key, Pkcs11KeySource):
        with key:
            return sign_pdf(data, key, request, tsa=tsa, trust=trust)
    return sign_pdf(data, key, request, tsa=tsa, trust=trust)


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


def stamp_of(kind: str, cert: x509.Certificate) -> LeaderStamp | SealStamp:
    """Return the stamp ("leader" or "seal") a certificate's subject signs with, signed now."""

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
    return stamp


def verify_stored_document(data: bytes) -> DocumentReport:
    """Validate one of our own files (internal CA and ``TRUSTED_ROOTS``) off the event loop."""
    trust = trust_settings(configured_roots())  # read here: the worker thread has no app
    return offload(validate_pdf, data, trust)


def timestamp_time(token: bytes, data: bytes) -> datetime | None:
    """Return when the RFC 3161 ``token`` says ``data`` existed (None: not a trusted token)."""
    return offload(token_time, token, data, trust_settings(configured_roots()))


def signed_revision_of(data: bytes, number: int) -> bytes | None:
    """Return the bytes signature ``number`` (from 1) of our own ``data`` signed, or None."""
    return offload(_revision, data, number, trust_settings(configured_roots()))


def _revision(data: bytes, number: int, trust: TrustSettings) -> bytes | None:
    found = validate_pdf(data, trust).signatures
    if not 1 <= number <= len(found):
        return None
    return signed_revision(data, found[number - 1])


def trust_files() -> dict[str, list[str]]:
    """Return the files :func:`trust_settings` reads: PEM roots, PEM intermediates, DER CRLs.

    For a worker process that builds its own ``TrustSettings`` from them; the extra roots
    (``TRUSTED_ROOTS``) are included.
    """
    folder = ca_dir()
    files: dict[str, list[str]] = {"roots": [], "others": [], "crls": []}
    if (folder / "root.pem").exists():
        files["roots"].append(str(folder / "root.pem"))
        files["others"].append(str(folder / "issuing.pem"))
        files["crls"] += [str(p) for name in PUBLISHED_CRLS if (p := folder / name).exists()]
    files["roots"] += [str(path) for path in configured_roots()]
    return files
