"""The internal CA's OCSP responder: its certificate, its answers, and long-term signatures
whose DSS carries its responses."""

from __future__ import annotations

import base64
import io
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.ca import CAConfig, InternalCA, generate_private_key
from signing.ca_loading import read_certificate
from signing.longterm import extend_to_lta
from signing.ocsp import (
    NEXT_UPDATE,
    RENEW_BEFORE,
    ensure_responder,
    get_request_body,
    load_responder,
    renewal_due,
)
from signing.routes import prepare_route
from signing.trust import TrustSettings
from signing.validate import validate_pdf
from tests.signing_lib.conftest import CA_PASSPHRASE
from tests.signing_lib.test_routes import ROUTE, _run_route

DER = serialization.Encoding.DER


def ask(responder, certificate, issuer, algorithm=None, nonce=None):
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        certificate, issuer, algorithm or hashes.SHA256()
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    answer = ocsp.load_der_ocsp_response(responder.respond(builder.build().public_bytes(DER)))
    return answer


@pytest.fixture
def responder(ca, services):
    return services.ocsp  # made with the CA by the ``ca`` fixture, served at /ca/ocsp


def test_the_responder_certificate_is_a_delegated_ocsp_signer(ca, responder):
    certificate = read_certificate(ca.directory / "ocsp.pem")
    assert certificate == responder.certificate
    assert certificate.issuer == ca.issuing_certificate.subject
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    assert certificate.extensions.get_extension_for_class(x509.OCSPNoCheck)
    with pytest.raises(x509.ExtensionNotFound):  # nobody asks the responder about itself
        certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    assert oct((ca.directory / "ocsp-key.pem").stat().st_mode & 0o777) == "0o600"
    assert ensure_responder(ca, CA_PASSPHRASE) == certificate  # kept while it has months left
    assert any(issued.kind == "ocsp" for issued in ca.issued())


def test_every_leaf_names_the_responder(ca, make_signer):
    certificate = make_signer().certificate
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    assert [(a.access_method, a.access_location.value) for a in access.value] == [
        (AuthorityInformationAccessOID.OCSP, ca.config.crl_base_url + "/ocsp")
    ]


@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA256()])  # noqa: S303
def test_an_issued_certificate_is_good(ca, responder, make_signer, algorithm):
    certificate = make_signer().certificate
    answer = ask(responder, certificate, ca.issuing_certificate, algorithm)
    assert answer.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == certificate.serial_number
    assert answer.hash_algorithm.name == algorithm.name  # the CertID is echoed as asked
    assert abs(answer.this_update_utc - datetime.now(UTC)) < timedelta(minutes=1)
    assert answer.next_update_utc - answer.this_update_utc == NEXT_UPDATE
    assert answer.certificates == [responder.certificate]
    assert (
        answer.responder_key_hash
        == x509.SubjectKeyIdentifier.from_public_key(responder.certificate.public_key()).digest
    )
    responder.certificate.public_key().verify(
        answer.signature, answer.tbs_response_bytes, _signature_algorithm(answer)
    )


def test_a_revoked_certificate_is_revoked_with_time_and_reason(ca, responder, make_signer):
    certificate = make_signer().certificate
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    ca.revoke(certificate.serial_number, reason=x509.ReasonFlags.key_compromise, when=when)
    answer = ask(responder, certificate, ca.issuing_certificate)
    assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_time_utc == when
    assert answer.revocation_reason is x509.ReasonFlags.key_compromise


def test_a_serial_the_ca_never_issued_is_unknown(ca, responder, make_signer):
    stranger = _certificate_with_serial(ca, make_signer().certificate, 0x1234567)
    answer = ask(responder, stranger, ca.issuing_certificate)
    assert answer.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


def test_certificates_of_another_issuer_are_unauthorized(ca, responder, tmp_path, services):
    other = InternalCA.create(
        tmp_path / "other", CAConfig("Sở Tài chính", "http://other.example/ca"), CA_PASSPHRASE
    )
    key = generate_private_key("ec-p256")
    stranger = other.issue_seal(public_key=key.public_key(), organisation="Sở Tài chính")
    answer = ask(responder, stranger, other.issuing_certificate)
    assert answer.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED
    about_issuing_ca = ask(responder, ca.issuing_certificate, ca.root_certificate)
    assert about_issuing_ca.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED


@pytest.mark.parametrize("body", [b"", b"not DER at all", b"\x30\x03\x02\x01\x01"])
def test_a_malformed_request_is_refused(responder, body):
    answer = ocsp.load_der_ocsp_response(responder.respond(body))
    assert answer.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_the_nonce_is_echoed(ca, responder, make_signer):
    answer = ask(responder, make_signer().certificate, ca.issuing_certificate, nonce=b"n" * 16)
    nonce = answer.extensions.get_extension_for_class(x509.OCSPNonce)
    assert nonce.value.nonce == b"n" * 16
    without = ask(responder, make_signer().certificate, ca.issuing_certificate)
    assert len(without.extensions) == 0


def test_get_requests_are_url_encoded_base64(ca, responder, make_signer):
    request = ocsp.OCSPRequestBuilder().add_certificate(
        make_signer().certificate, ca.issuing_certificate, hashes.SHA256()
    )
    der = request.build().public_bytes(DER)
    encoded = base64.b64encode(der).decode().replace("/", "%2F").replace("+", "%2B")
    assert get_request_body(encoded) == der
    assert get_request_body("%%not base64!") == b""


def test_an_ending_responder_certificate_is_renewed(ca, responder):
    first = responder.certificate
    key_before = (ca.directory / "ocsp-key.pem").read_bytes()
    ending = ca.issue_ocsp_signing(first.public_key(), validity_days=RENEW_BEFORE.days - 1)
    (ca.directory / "ocsp.pem").write_bytes(ending.public_bytes(serialization.Encoding.PEM))
    assert renewal_due(ca.directory) < datetime.now(UTC)
    renewed = ensure_responder(ca, CA_PASSPHRASE)
    assert renewed.serial_number != ending.serial_number
    assert (ca.directory / "ocsp-key.pem").read_bytes() != key_before  # a new key too
    assert load_responder(ca.directory, CA_PASSPHRASE).certificate == renewed


def test_a_ca_without_a_responder_loads_none(tmp_path):
    assert load_responder(tmp_path, CA_PASSPHRASE) is None
    assert renewal_due(tmp_path) is None


def test_a_b_lta_route_carries_ocsp_responses_that_validate_offline(
    ca, responder, make_pdf, make_signer, trust, services
):
    finished = _run_route(prepare_route(make_pdf(), ROUTE), make_signer, trust, services)
    archived = extend_to_lta(finished, trust, services.tsa_url, responder=responder)
    reader = PdfFileReader(io.BytesIO(archived))
    dss = reader.root["/DSS"]
    answers = [ocsp.load_der_ocsp_response(o.get_object().data) for o in dss["/OCSPs"]]
    good = {a.serial_number for a in answers if a.certificate_status is ocsp.OCSPCertStatus.GOOD}
    signers = {s.signer_cert.serial_number for s in reader.embedded_regular_signatures}
    assert len(signers) == 4 and signers <= good
    # Offline and hard-fail, with the root's CRL but no CRL of the issuing CA: only the OCSP
    # responses of the DSS can vouch for the signers, and without them nothing does.
    offline = TrustSettings(
        (ca.root_certificate, services.tsa_root),
        (ca.issuing_certificate,),
        crls=(ca.root_crl(),),
        allow_fetching=False,
        revocation_mode="hard-fail",
        ocsps=tuple(o.get_object().data for o in dss["/OCSPs"]),
    )
    report = validate_pdf(archived, offline)
    assert report.all_valid, [s.reason_en for s in report.signatures]
    assert [s.pades_level for s in report.signatures] == ["B-LTA"] * 4
    assert not validate_pdf(archived, replace(offline, ocsps=())).all_valid


@pytest.mark.skipif(
    subprocess.run(["which", "openssl"], check=False).returncode, reason="no openssl"
)
def test_openssl_asks_the_responder_over_http(ca, make_signer, services, tmp_path):
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(make_signer().certificate.public_bytes(serialization.Encoding.PEM))
    done = subprocess.run(
        ["openssl", "ocsp", "-issuer", str(ca.directory / "issuing.pem"), "-cert", str(leaf),
         "-url", services.base_url + "/ca/ocsp", "-CAfile", str(ca.directory / "root.pem"),
         "-verify_other", str(ca.directory / "issuing.pem")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "Response verify OK" in done.stderr + done.stdout, done.stderr
    assert f"{leaf}: good" in done.stdout, done.stdout


def _signature_algorithm(answer):
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.ECDSA(answer.signature_hash_algorithm)


def _certificate_with_serial(ca, template, serial):
    """The same subject and key signed by our issuing CA under a serial it never recorded."""
    key = serialization.load_pem_private_key(
        (ca.directory / "issuing-key.pem").read_bytes(), CA_PASSPHRASE
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(template.subject)
        .issuer_name(template.issuer)
        .public_key(template.public_key())
        .serial_number(serial)
        .not_valid_before(template.not_valid_before_utc)
        .not_valid_after(template.not_valid_after_utc)
    )
    return builder.sign(key, hashes.SHA256())
