"""Key sources: a signer's PIN-sealed key, a PKCS#12 import and a PKCS#11 token sign real PDFs."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pkcs11
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pkcs11.util.x509 import decode_x509_certificate
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign.signers import PdfSignatureMetadata, Signer, sign_pdf
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.errors import KeySourceError, WrongPin
from signing.keys import PinProtectedKey, UnlockedKeys
from signing.tokens import Pkcs11KeySource, Pkcs12KeySource

PIN = "246810"
IN_CI = os.environ.get("CI", "").lower() == "true"
SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "meeting-test"
TOKEN_PIN = "123456"


@dataclass(frozen=True)
class Identity:
    """A private key with its certificate and the chain up to (without) the root."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND Phường Thử Nghiệm"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


_NO_USAGE = dict.fromkeys(
    "digital_signature content_commitment key_encipherment data_encipherment key_agreement"
    " key_cert_sign crl_sign encipher_only decipher_only".split(),
    False,
)


def _issue(subject, public_key, issuer, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    wanted = ("key_cert_sign", "crl_sign") if ca else ("digital_signature", "content_commitment")
    usage = x509.KeyUsage(**(_NO_USAGE | dict.fromkeys(wanted, True)))
    issuer_id = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(issuer_id, critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def root() -> Identity:
    """Return a self-signed test root CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Test Root CA")
    return Identity(key, _issue(name, key.public_key(), name, key, ca=True), ())


@pytest.fixture(scope="module")
def intermediate(root: Identity) -> Identity:
    """Return an issuing CA under the root."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _issue(
        _name("Test Issuing CA"), key.public_key(), root.certificate.subject, root.key, ca=True
    )
    return Identity(key, cert, ())


def _person(name: str, key, intermediate: Identity) -> Identity:
    cert = _issue(
        _name(name), key.public_key(), intermediate.certificate.subject, intermediate.key, ca=False
    )
    return Identity(key, cert, (intermediate.certificate,))


@pytest.fixture(scope="module")
def rsa_person(intermediate: Identity) -> Identity:
    """Return an RSA-2048 signer (the chairman)."""
    return _person("Nguyễn Văn An", rsa.generate_private_key(65537, 2048), intermediate)


@pytest.fixture(scope="module")
def ec_person(intermediate: Identity) -> Identity:
    """Return an EC P-256 signer (the secretary)."""
    return _person("Trần Thị Bình", ec.generate_private_key(ec.SECP256R1()), intermediate)


@pytest.fixture(params=["rsa", "ec"])
def person(request: pytest.FixtureRequest) -> Identity:
    """Return an RSA signer, then an EC signer."""
    return request.getfixturevalue(f"{request.param}_person")


@pytest.fixture
def sealed(rsa_person: Identity) -> PinProtectedKey:
    """Return the chairman's key sealed under PIN (locked)."""
    return PinProtectedKey.seal(
        rsa_person.key, PIN, certificate=rsa_person.certificate, chain=rsa_person.chain
    )


def blank_pdf() -> bytes:
    """Return a one-page A4 PDF with a drawn rectangle."""
    writer = PdfFileWriter()
    contents = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 72 600 200 100 re f"))
    writer.insert_page(PageObject(contents=contents, media_box=[0, 0, 595, 842]))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_and_validate(signer: Signer, root: Identity):
    """Sign a fresh PDF in field Sig1 and validate it trusting only the test root."""
    out = sign_pdf(
        IncrementalPdfFileWriter(BytesIO(blank_pdf())),
        PdfSignatureMetadata(field_name="Sig1"),
        signer=signer,
    )
    reader = PdfFileReader(BytesIO(out.getvalue()))
    trust_root = asn1_x509.Certificate.load(
        root.certificate.public_bytes(serialization.Encoding.DER)
    )
    context = ValidationContext(trust_roots=[trust_root], allow_fetching=False)
    return validate_pdf_signature(reader.embedded_signatures[0], context)


def _pkcs8(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_sealed_key_signs_a_pdf_that_validates(person: Identity, root: Identity):
    key = PinProtectedKey.seal(person.key, PIN, certificate=person.certificate, chain=person.chain)
    stored = PinProtectedKey.from_envelope(
        key.envelope, certificate=person.certificate, chain=person.chain
    )

    stored.unlock(PIN)
    status = sign_and_validate(stored.signer(), root)

    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.dump() == person.certificate.public_bytes(serialization.Encoding.DER)


def test_wrong_pin_is_refused_and_key_stays_locked(sealed: PinProtectedKey):
    with pytest.raises(WrongPin, match="PIN is wrong"):
        sealed.unlock("135790")

    assert not sealed.unlocked
    with pytest.raises(KeySourceError, match="locked"):
        sealed.signer()


def test_envelope_holds_no_plaintext_key(sealed: PinProtectedKey, rsa_person: Identity):
    envelope = sealed.envelope
    fields = json.loads(envelope)
    der = _pkcs8(rsa_person.key)

    assert {"v": 1, "kdf": "scrypt", "r": 8, "p": 1}.items() <= fields.items()
    assert fields["n"] >= 2**14
    assert b"BEGIN" not in envelope and b"PRIVATE" not in envelope
    assert der not in envelope and der[-64:] not in base64.b64decode(fields["ct"])
    assert base64.b64encode(der)[:64] not in envelope


def test_envelope_cannot_be_moved_to_another_certificate(
    sealed: PinProtectedKey, ec_person: Identity
):
    with pytest.raises(KeySourceError, match="another certificate"):
        PinProtectedKey.from_envelope(sealed.envelope, certificate=ec_person.certificate)

    # Forging the fingerprint field does not help: the AAD binds the real certificate.
    fields = json.loads(sealed.envelope)
    fields["cert_sha256"] = ec_person.certificate.fingerprint(hashes.SHA256()).hex()
    forged = PinProtectedKey.from_envelope(
        json.dumps(fields).encode(), certificate=ec_person.certificate
    )
    with pytest.raises(WrongPin):
        forged.unlock(PIN)
    assert not forged.unlocked


@pytest.mark.parametrize(
    "damage",
    [b"not json", b"{}", b'{"v": 2}', b"[1, 2]"],
)
def test_damaged_envelope_is_refused(rsa_person: Identity, damage: bytes):
    with pytest.raises(KeySourceError, match="envelope"):
        PinProtectedKey.from_envelope(damage, certificate=rsa_person.certificate)


def test_envelope_with_a_huge_scrypt_cost_is_refused(sealed: PinProtectedKey, rsa_person):
    fields = json.loads(sealed.envelope) | {"n": 2**24}

    with pytest.raises(KeySourceError, match="unsupported"):
        PinProtectedKey.from_envelope(
            json.dumps(fields).encode(), certificate=rsa_person.certificate
        )


def test_unlock_decrypts_once_and_keeps_one_signer(sealed: PinProtectedKey):
    started = time.perf_counter()
    sealed.unlock(PIN)
    first_unlock = time.perf_counter() - started

    started = time.perf_counter()
    sealed.unlock(PIN)
    first = sealed.signer()
    second = sealed.signer()
    again = time.perf_counter() - started

    assert first is second
    assert first_unlock > 0.01  # scrypt really ran the first time
    assert again < 0.005  # no second scrypt (~35 ms) nor RSA parse (~40 ms): microseconds


def test_lock_drops_the_key(sealed: PinProtectedKey):
    sealed.unlock(PIN)
    sealed.lock()

    assert not sealed.unlocked
    with pytest.raises(KeySourceError):
        sealed.signer()


def test_pin_change_reseals_the_key(sealed: PinProtectedKey, root: Identity):
    changed = sealed.with_new_pin(PIN, "975310")

    assert changed.envelope != sealed.envelope
    with pytest.raises(WrongPin):
        changed.unlock(PIN)
    changed.unlock("975310")
    assert sign_and_validate(changed.signer(), root).valid


def test_pin_change_needs_the_old_pin_and_a_long_new_one(sealed: PinProtectedKey):
    with pytest.raises(WrongPin):
        sealed.with_new_pin("000000", "975310")
    with pytest.raises(KeySourceError, match="at least 6"):
        sealed.with_new_pin(PIN, "12345")


def test_short_pin_is_refused(rsa_person: Identity):
    with pytest.raises(KeySourceError, match="too short"):
        PinProtectedKey.seal(rsa_person.key, "12345", certificate=rsa_person.certificate)


def test_key_must_belong_to_the_certificate(rsa_person: Identity, ec_person: Identity):
    with pytest.raises(KeySourceError, match="does not belong"):
        PinProtectedKey.seal(rsa_person.key, PIN, certificate=ec_person.certificate)


def test_only_rsa_and_ec_keys_are_accepted(rsa_person: Identity):
    with pytest.raises(KeySourceError, match="Only RSA and EC"):
        PinProtectedKey.seal(
            ed25519.Ed25519PrivateKey.generate(), PIN, certificate=rsa_person.certificate
        )


def test_unlocked_keys_forget_idle_keys(sealed: PinProtectedKey):
    cache = UnlockedKeys(idle_seconds=0.2)
    sealed.unlock(PIN)
    cache.put("user-7", sealed)

    assert cache.get("user-7") is sealed
    time.sleep(0.3)

    assert cache.get("user-7") is None
    assert not sealed.unlocked


def test_unlocked_keys_use_refreshes_the_idle_timer(sealed: PinProtectedKey):
    now = [0.0]
    cache = UnlockedKeys(idle_seconds=10, clock=lambda: now[0])
    sealed.unlock(PIN)
    cache.put("user-7", sealed)

    now[0] = 8.0
    assert cache.get("user-7") is sealed
    now[0] = 16.0
    assert cache.get("user-7") is sealed
    now[0] = 26.5
    assert cache.purge() == 1
    assert cache.get("user-7") is None


def test_unlocked_keys_forget_and_clear_lock_the_keys(sealed, rsa_person):
    other = PinProtectedKey.seal(rsa_person.key, PIN, certificate=rsa_person.certificate)
    cache = UnlockedKeys()
    for key_id, key in (("a", sealed), ("b", other)):
        key.unlock(PIN)
        cache.put(key_id, key)

    cache.forget("a")
    assert cache.get("a") is None and not sealed.unlocked
    cache.clear()
    assert cache.get("b") is None and not other.unlocked


def test_unlocked_keys_refuse_a_locked_key(sealed: PinProtectedKey):
    with pytest.raises(KeySourceError, match="unlock"):
        UnlockedKeys().put("user-7", sealed)


def _p12(identity: Identity, passphrase: bytes | None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        b"chairman", identity.key, identity.certificate, list(identity.chain), encryption
    )


def test_pkcs12_import_signs_and_rewraps_for_the_server(person: Identity, root: Identity):
    source = Pkcs12KeySource.from_bytes(_p12(person, b"ca-export"), b"ca-export")

    assert source.certificate == person.certificate
    assert source.chain == person.chain
    assert source.signer() is source.signer()
    assert sign_and_validate(source.signer(), root).valid

    kept = source.to_pin_protected(PIN)
    kept.unlock(PIN)
    assert sign_and_validate(kept.signer(), root).valid


def test_pkcs12_rsa_pss_signature_validates(rsa_person: Identity, root: Identity):
    signer = Pkcs12KeySource.from_bytes(_p12(rsa_person, None), None).signer()
    signer.prefer_pss = True

    status = sign_and_validate(signer, root)

    assert status.valid and status.intact
    assert status.pkcs7_signature_mechanism == "rsassa_pss"


def test_pkcs12_wrong_passphrase_is_refused(rsa_person: Identity):
    with pytest.raises(WrongPin, match="passphrase"):
        Pkcs12KeySource.from_bytes(_p12(rsa_person, b"ca-export"), b"guess")


def test_pkcs12_without_a_key_or_garbage_is_refused(rsa_person: Identity):
    certs_only = pkcs12.serialize_key_and_certificates(
        b"x", None, rsa_person.certificate, None, serialization.NoEncryption()
    )

    with pytest.raises(KeySourceError, match="private key and its certificate"):
        Pkcs12KeySource.from_bytes(certs_only, None)
    with pytest.raises(KeySourceError, match="not a PKCS#12"):
        Pkcs12KeySource.from_bytes(b"hello", b"x")


def _softhsm_util() -> str:
    """Return the path of softhsm2-util; skip outside CI, fail under CI=true, if missing."""
    util = shutil.which("softhsm2-util")
    if util is None or not Path(SOFTHSM_LIB).exists():
        if IN_CI:
            pytest.fail("SoftHSM2 is required under CI=true: apt-get install softhsm2")
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    return util


@pytest.fixture
def softhsm_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_person: Identity
) -> Iterator[Identity]:
    """Create a private SoftHSM2 token holding the chairman's key under label ``signer``."""
    util = _softhsm_util()
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(
        rsa_person.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    init = f"--init-token --free --label {TOKEN_LABEL} --pin {TOKEN_PIN} --so-pin 12345678"
    subprocess.run([util, *init.split()], check=True, capture_output=True)
    load = f"--token {TOKEN_LABEL} --label signer --id 01 --pin {TOKEN_PIN}"
    subprocess.run([util, "--import", key_pem, *load.split()], check=True, capture_output=True)
    # SoftHSM reads its config and token list once per load: start from a fresh load.
    pkcs11.unload(SOFTHSM_LIB)
    yield rsa_person
    pkcs11.unload(SOFTHSM_LIB)


def token_source(identity: Identity, **overrides) -> Pkcs11KeySource:
    settings = {
        "library": SOFTHSM_LIB,
        "token_label": TOKEN_LABEL,
        "user_pin": TOKEN_PIN,
        "key_label": "signer",
        "certificate": identity.certificate,
        "chain": identity.chain,
    }
    return Pkcs11KeySource(**(settings | overrides))


def test_token_key_signs_a_pdf_that_validates(softhsm_token: Identity, root: Identity):
    source = token_source(softhsm_token)

    with source:
        status = sign_and_validate(source.signer(), root)

    assert status.intact and status.valid and status.trusted
    with pytest.raises(KeySourceError, match="with-block"):
        source.signer()


def test_token_certificate_can_be_read_from_the_token(softhsm_token: Identity, root: Identity):
    der = softhsm_token.certificate.public_bytes(serialization.Encoding.DER)
    token = pkcs11.lib(SOFTHSM_LIB).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=TOKEN_PIN) as session:
        attrs = decode_x509_certificate(der)
        attrs |= {pkcs11.Attribute.TOKEN: True, pkcs11.Attribute.LABEL: "signer-cert"}
        session.create_object(attrs)
    source = token_source(softhsm_token, certificate=None, cert_label="signer-cert")

    with pytest.raises(KeySourceError, match="Open the token"):
        _ = source.certificate
    with source:
        assert source.certificate == softhsm_token.certificate
        assert sign_and_validate(source.signer(), root).valid


def test_token_wrong_pin_is_refused(softhsm_token: Identity):
    with pytest.raises(WrongPin, match="token PIN"), token_source(softhsm_token, user_pin="654321"):
        pass


def test_token_unknown_label_or_key_is_refused(softhsm_token: Identity):
    with (
        pytest.raises(KeySourceError, match="Cannot open the token"),
        token_source(softhsm_token, token_label="no-such-token"),
    ):
        pass
    with (
        pytest.raises(KeySourceError, match="not usable"),
        token_source(softhsm_token, key_label="no-such-key"),
    ):
        pass
