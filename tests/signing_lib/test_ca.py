"""The internal CA: create, load, issue signer and seal certificates, revoke, publish CRLs."""

from __future__ import annotations

import asyncio
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
)
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError

from signing.ca import (
    DOCUMENT_SIGNING,
    CAConfig,
    InternalCA,
    KeyType,
    generate_private_key,
)
from signing.errors import CertificateAuthorityError, WrongPin

PASSPHRASE = b"mat-khau-CA-2024"
ORGANISATION = "Ủy ban nhân dân Thành phố Hòa Bình Xanh"
CONFIG = CAConfig(
    organisation=ORGANISATION, crl_base_url="http://127.0.0.1:5000/ca", key_type="ec-p256"
)


@pytest.fixture(scope="session")
def ca_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Create one EC CA per session (fast to unlock); tests work on copies."""
    directory = tmp_path_factory.mktemp("template") / "ca"
    InternalCA.create(directory, CONFIG, PASSPHRASE)
    return directory


@pytest.fixture
def ca(ca_template: Path, tmp_path: Path) -> InternalCA:
    """Return a private copy of the session CA, unlocked."""
    directory = tmp_path / "ca"
    shutil.copytree(ca_template, directory)
    return InternalCA.load(directory, PASSPHRASE)


@pytest.fixture
def signer_key() -> ec.EllipticCurvePrivateKey:
    """Return a fresh EC key for a signer."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def chairwoman(ca: InternalCA, signer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    """Issue the chairwoman's signing certificate."""
    return ca.issue_signer(
        public_key=signer_key.public_key(),
        full_name="Nguyễn Thị Hồng Nhung",
        title="Chủ tịch",
        organisation=ORGANISATION,
        email="nhung@hoabinhxanh.gov.vn",
    )


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _validate(ca: InternalCA, leaf: x509.Certificate) -> None:
    """Validate ``leaf`` as pyHanko would: trusted root, CRLs at hand, hard-fail."""
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(_der(ca.root_certificate))],
        other_certs=[asn1_x509.Certificate.load(_der(ca.issuing_certificate))],
        crls=[ca.crl(), ca.root_crl()],
        revocation_mode="hard-fail",
    )
    validator = CertificateValidator(
        asn1_x509.Certificate.load(_der(leaf)),
        intermediate_certs=[asn1_x509.Certificate.load(_der(ca.issuing_certificate))],
        validation_context=context,
    )
    asyncio.run(validator.async_validate_usage({"digital_signature", "non_repudiation"}))


def test_load_unlocks_the_created_ca(ca_template: Path) -> None:
    loaded = InternalCA.load(ca_template, PASSPHRASE)

    assert loaded.config == CONFIG
    assert loaded.chain == [loaded.issuing_certificate, loaded.root_certificate]
    assert loaded.root_certificate == x509.load_pem_x509_certificate(
        (ca_template / "root.pem").read_bytes()
    )


def test_wrong_passphrase_is_refused_clearly(ca_template: Path) -> None:
    with pytest.raises(WrongPin, match="passphrase is wrong"):
        InternalCA.load(ca_template, b"not-the-passphrase")


def test_loading_a_missing_ca_says_so(tmp_path: Path) -> None:
    with pytest.raises(CertificateAuthorityError, match="No CA in"):
        InternalCA.load(tmp_path / "nowhere", PASSPHRASE)


def test_create_refuses_a_directory_holding_a_ca(ca: InternalCA) -> None:
    before = (ca.directory / "root.pem").read_bytes()

    with pytest.raises(CertificateAuthorityError, match="already holds a CA"):
        InternalCA.create(ca.directory, CONFIG, PASSPHRASE)
    assert (ca.directory / "root.pem").read_bytes() == before


def test_private_keys_are_encrypted_and_private(ca: InternalCA) -> None:
    for name in ("root-key.pem", "issuing-key.pem"):
        path = ca.directory / name
        pem = path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError, match="encrypted"):
            serialization.load_pem_private_key(pem, password=None)
    everything = b"".join(p.read_bytes() for p in ca.directory.rglob("*") if p.is_file())
    assert PASSPHRASE not in everything


def test_chain_verifies_from_leaf_to_root(ca: InternalCA, chairwoman: x509.Certificate) -> None:
    ee_policy = ExtensionPolicy.permit_all().require_present(
        x509.KeyUsage, Criticality.CRITICAL, None
    )
    verifier = (
        PolicyBuilder()
        .store(Store([ca.root_certificate]))
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
        .build_client_verifier()
    )

    verified = verifier.verify(chairwoman, [ca.issuing_certificate])

    assert verified.chain == [chairwoman, ca.issuing_certificate, ca.root_certificate]
    chairwoman.verify_directly_issued_by(ca.issuing_certificate)
    ca.issuing_certificate.verify_directly_issued_by(ca.root_certificate)


def test_vietnamese_names_round_trip_as_utf8(chairwoman: x509.Certificate) -> None:
    subject = chairwoman.subject

    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Thị Hồng Nhung"
    assert subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Chủ tịch"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORGANISATION
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    parsed = asn1_x509.Certificate.load(_der(chairwoman)).subject.chosen
    values = {rdn[0]["type"].dotted: rdn[0]["value"] for rdn in parsed}
    for oid in (NameOID.COMMON_NAME, NameOID.TITLE, NameOID.ORGANIZATION_NAME):
        assert values[oid.dotted_string].name == "utf8_string"
    assert values[NameOID.COUNTRY_NAME.dotted_string].name == "printable_string"


def test_signer_certificate_carries_signing_extensions(
    ca: InternalCA, chairwoman: x509.Certificate
) -> None:
    extensions = chairwoman.extensions
    key_usage = extensions.get_extension_for_class(x509.KeyUsage)
    eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    points = extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    aki = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    issuer_ski = ca.issuing_certificate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    )

    assert key_usage.critical
    assert key_usage.value.digital_signature and key_usage.value.content_commitment
    assert not key_usage.value.key_cert_sign
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]
    assert extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert aki.key_identifier == issuer_ski.value.digest
    assert extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert points[0].full_name == [
        x509.UniformResourceIdentifier("http://127.0.0.1:5000/ca/issuing.crl")
    ]
    san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["nhung@hoabinhxanh.gov.vn"]


def test_ca_certificates_are_constrained(ca: InternalCA) -> None:
    root, issuing = ca.root_certificate, ca.issuing_certificate
    root_constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
    issuing_constraints = issuing.extensions.get_extension_for_class(x509.BasicConstraints)
    issuing_points = issuing.extensions.get_extension_for_class(x509.CRLDistributionPoints)

    assert root.subject == root.issuer and issuing.issuer == root.subject
    assert root_constraints.critical and root_constraints.value.path_length == 1
    assert issuing_constraints.critical and issuing_constraints.value.path_length == 0
    for certificate in (root, issuing):
        key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        assert key_usage.key_cert_sign and key_usage.crl_sign
        assert certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert issuing_points.value[0].full_name == [
        x509.UniformResourceIdentifier("http://127.0.0.1:5000/ca/root.crl")
    ]
    assert issuing.not_valid_before_utc.tzinfo is UTC


def test_seal_names_the_organisation(
    ca: InternalCA, signer_key: ec.EllipticCurvePrivateKey
) -> None:
    seal = ca.issue_seal(public_key=signer_key.public_key(), organisation=ORGANISATION)

    assert seal.subject.rfc4514_string() == f"CN={ORGANISATION},O={ORGANISATION},C=VN"
    key_usage = seal.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature and key_usage.content_commitment
    assert [entry.kind for entry in ca.issued()] == ["seal"]


@pytest.mark.parametrize("key_type", ["rsa2048", "rsa3072", "ec-p256"])
def test_every_key_type_gets_a_valid_certificate(ca: InternalCA, key_type: KeyType) -> None:
    key = generate_private_key(key_type)

    certificate = ca.issue_signer(
        public_key=key.public_key(), full_name="Trần Văn Bình", title="", organisation="UBND"
    )

    assert certificate.public_key() == key.public_key()
    certificate.verify_directly_issued_by(ca.issuing_certificate)
    assert certificate.subject.get_attributes_for_oid(NameOID.TITLE) == []
    _validate(ca, certificate)


def test_generated_keys_have_the_asked_shape() -> None:
    rsa_key = generate_private_key("rsa2048")
    ec_key = generate_private_key("ec-p256")

    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    assert rsa_key.key_size == 2048 and rsa_key.public_key().public_numbers().e == 65537
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    assert isinstance(ec_key.curve, ec.SECP256R1)


@pytest.mark.parametrize("key_type", ["rsa2048", "rsa3072", "ec-p256"])
def test_a_ca_of_each_key_type_issues_and_revokes(
    tmp_path: Path, signer_key: ec.EllipticCurvePrivateKey, key_type: KeyType
) -> None:
    config = CAConfig(
        organisation="UBND Phường 1", crl_base_url="https://ca.example.vn/ca/", key_type=key_type
    )
    InternalCA.create(tmp_path / "ca", config, PASSPHRASE)
    ca = InternalCA.load(tmp_path / "ca", PASSPHRASE)
    certificate = ca.issue_seal(public_key=signer_key.public_key(), organisation="UBND Phường 1")

    ca.revoke(certificate.serial_number)
    crl = x509.load_der_x509_crl(ca.crl())

    assert ca.config == config
    kind, size = {
        "rsa2048": (rsa.RSAPublicKey, 2048),
        "rsa3072": (rsa.RSAPublicKey, 3072),
        "ec-p256": (ec.EllipticCurvePublicKey, 256),
    }[key_type]
    for ca_certificate in ca.chain:
        public_key = ca_certificate.public_key()
        assert isinstance(public_key, kind) and public_key.key_size == size
    assert crl.is_signature_valid(ca.issuing_certificate.public_key())
    assert crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name == [
        x509.UniformResourceIdentifier("https://ca.example.vn/ca/issuing.crl")
    ]


def test_revoked_certificate_is_listed_in_the_crl(
    ca: InternalCA, chairwoman: x509.Certificate
) -> None:
    when = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    now = datetime.now(UTC).replace(microsecond=0)
    assert ca.is_revoked(chairwoman.serial_number) is False

    ca.revoke(chairwoman.serial_number, reason=x509.ReasonFlags.key_compromise, when=when)
    crl = x509.load_der_x509_crl(ca.crl(now=now))

    assert ca.is_revoked(chairwoman.serial_number)
    assert crl.is_signature_valid(ca.issuing_certificate.public_key())
    assert crl.issuer == ca.issuing_certificate.subject
    assert crl.last_update_utc == now
    assert crl.next_update_utc == now + timedelta(days=7)
    entry = crl.get_revoked_certificate_by_serial_number(chairwoman.serial_number)
    assert entry is not None and entry.revocation_date_utc == when
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.key_compromise
    assert [item.revoked_at for item in ca.issued()] == [when]


def test_revocation_survives_reloading(ca: InternalCA, chairwoman: x509.Certificate) -> None:
    ca.revoke(chairwoman.serial_number)

    reloaded = InternalCA.load(ca.directory, PASSPHRASE)

    assert reloaded.is_revoked(chairwoman.serial_number)
    crl = x509.load_der_x509_crl(reloaded.crl())
    entry = crl.get_revoked_certificate_by_serial_number(chairwoman.serial_number)
    assert entry is not None and len(entry.extensions) == 0  # "unspecified" is left out


def test_crl_numbers_increase(ca: InternalCA) -> None:
    def number(der: bytes) -> int:
        crl = x509.load_der_x509_crl(der)
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number

    first, second = number(ca.crl()), number(ca.crl())
    reloaded = InternalCA.load(ca.directory, PASSPHRASE)

    assert first < second < number(reloaded.crl())
    assert number(ca.root_crl()) < number(ca.root_crl())


def test_root_crl_is_empty_and_signed_by_the_root(ca: InternalCA) -> None:
    crl = x509.load_der_x509_crl(ca.root_crl())

    assert crl.issuer == ca.root_certificate.subject
    assert crl.is_signature_valid(ca.root_certificate.public_key())
    assert len(crl) == 0


def test_revoking_an_unknown_serial_is_an_error(ca: InternalCA) -> None:
    with pytest.raises(CertificateAuthorityError, match="has not issued"):
        ca.revoke(x509.random_serial_number())


def test_issued_lists_what_the_ca_signed(ca: InternalCA, chairwoman: x509.Certificate) -> None:
    (entry,) = ca.issued()

    assert entry.serial_number == chairwoman.serial_number
    assert entry.subject == chairwoman.subject.rfc4514_string()
    assert entry.kind == "signer"
    assert entry.not_after == chairwoman.not_valid_after_utc
    assert entry.revoked_at is None
    assert bytes.fromhex(entry.fingerprint_sha256) == chairwoman.fingerprint(hashes.SHA256())
    stored = ca.directory / "issued" / f"{chairwoman.serial_number:x}.pem"
    assert x509.load_pem_x509_certificate(stored.read_bytes()) == chairwoman


def test_validity_is_cut_at_the_issuing_ca_expiry(
    ca: InternalCA, signer_key: ec.EllipticCurvePrivateKey
) -> None:
    certificate = ca.issue_seal(
        public_key=signer_key.public_key(), organisation=ORGANISATION, validity_days=3650 * 5
    )

    assert certificate.not_valid_after_utc == ca.issuing_certificate.not_valid_after_utc


def test_naive_times_are_refused(ca: InternalCA, signer_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(CertificateAuthorityError, match="timezone-aware"):
        ca.issue_seal(
            public_key=signer_key.public_key(),
            organisation=ORGANISATION,
            not_before=datetime(2025, 1, 1),
        )


def test_pyhanko_certvalidator_accepts_good_and_refuses_revoked(
    ca: InternalCA, chairwoman: x509.Certificate
) -> None:
    _validate(ca, chairwoman)

    ca.revoke(chairwoman.serial_number, reason=x509.ReasonFlags.superseded)

    with pytest.raises(RevokedError):
        _validate(ca, chairwoman)
