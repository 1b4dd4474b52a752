"""Fixtures for the signing library: an internal CA, a local CRL server and timestamp authority."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.ca import CAConfig, InternalCA, generate_private_key
from signing.keys import PinProtectedKey
from signing.ocsp import ensure_responder, load_responder
from signing.testing import LocalServices, plain_pdf
from signing.trust import TrustSettings

PIN = "246810"
CA_PASSPHRASE = b"ca-passphrase-for-tests"


@pytest.fixture(scope="session")
def services() -> Iterator[LocalServices]:
    """CRLs of the CA under test and a timestamp authority, on 127.0.0.1."""
    with LocalServices() as running:
        yield running


@pytest.fixture
def ca(tmp_path: Path, services: LocalServices) -> InternalCA:
    """A fresh internal CA whose CRLs and OCSP responder the local server publishes."""
    config = CAConfig(
        organisation="Ủy ban nhân dân Thành phố Hòa Bình Xanh",
        crl_base_url=services.base_url + "/ca",
        key_type="ec-p256",
    )
    services.ca = InternalCA.create(tmp_path / "ca", config, CA_PASSPHRASE)
    ensure_responder(services.ca, CA_PASSPHRASE)
    services.ocsp = load_responder(services.ca.directory, CA_PASSPHRASE)
    return services.ca


@pytest.fixture
def trust(ca: InternalCA, services: LocalServices) -> TrustSettings:
    return TrustSettings.of([ca.root_certificate, services.tsa_root], [ca.issuing_certificate])


@pytest.fixture
def make_signer(ca: InternalCA):
    """Return a factory of unlocked PIN-protected keys with certificates from ``ca``."""

    def factory(
        full_name: str = "Trần Văn Minh",
        title: str = "Chủ tịch",
        *,
        seal: bool = False,
        **validity: object,
    ) -> PinProtectedKey:
        private_key = generate_private_key("ec-p256")
        if seal:
            cert = ca.issue_seal(
                public_key=private_key.public_key(), organisation=ca.config.organisation
            )
        else:
            cert = ca.issue_signer(
                public_key=private_key.public_key(),
                full_name=full_name,
                title=title,
                organisation=ca.config.organisation,
                **validity,
            )
        key = PinProtectedKey.seal(private_key, PIN, certificate=cert, chain=ca.chain)
        key.unlock(PIN)
        return key

    return factory


@pytest.fixture
def pin() -> str:
    """The PIN of the keys ``make_signer`` creates."""
    return PIN


@pytest.fixture(scope="module")
def signer() -> signers.SimpleSigner:
    """Return a pyHanko signer over a throwaway self-signed EC certificate (no CA needed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tran Van Minh (test)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore(),
    )


@pytest.fixture
def make_pdf():
    """Return a factory of plain A4 PDFs: ``make_pdf(pages=1)``."""
    return plain_pdf
