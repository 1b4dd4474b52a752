"""The internal CA's OCSP responder over HTTP: `POST /ca/ocsp` and `GET /ca/ocsp/<base64>`
answer for anyone, every new certificate names it, and a finished route embeds its answers."""

from __future__ import annotations

import base64
import io
from urllib.parse import quote, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID
from pyhanko.pdf_utils.reader import PdfFileReader

from meeting_server.extensions import db
from meeting_server.models import SigningRequest
from meeting_server.services import internal_ca
from meeting_server.storage import blob_store
from tests.support.clients import PASSWORD
from tests.support.people import actor
from tests.support.signing_setup import CA_PASSPHRASE, enrol, enrol_route_people, with_internal_ca
from tests.views.test_signing import send, sign

OCSP = "/ca/ocsp"


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def people(app, secretary, chair, create_user):
    enrol_route_people(app, create_user)


@pytest.fixture
def enrolled(app, chair):
    """The chair's freshly enrolled certificate and the issuing CA's."""
    with app.app_context():
        key = enrol(actor("chutich"), PASSWORD)
        db.session.commit()
        certificate = x509.load_pem_x509_certificates(key.certificate_pem.encode())[0]
    issuing = x509.load_pem_x509_certificate((internal_ca_dir(app) / "issuing.pem").read_bytes())
    return certificate, issuing


def internal_ca_dir(app):
    with app.app_context():
        return internal_ca.ca_dir()


def request_for(certificate, issuer, nonce: bytes | None = None) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1())  # noqa: S303
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def test_a_new_certificate_names_the_responder_which_says_good(app, client, enrolled):
    certificate, issuing = enrolled
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    [responder] = [
        a.access_location.value
        for a in access.value
        if a.access_method == AuthorityInformationAccessOID.OCSP
    ]
    assert responder == app.config["PUBLIC_URL"] + OCSP
    answer = client.post(
        urlsplit(responder).path,
        data=request_for(certificate, issuing, nonce=b"0123456789abcdef"),
        content_type="application/ocsp-request",
    )
    assert answer.status_code == 200 and answer.mimetype == "application/ocsp-response"
    assert answer.headers["Cache-Control"] == "no-store"
    reply = ocsp.load_der_ocsp_response(answer.data)
    assert reply.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert reply.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert reply.serial_number == certificate.serial_number
    assert reply.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == (
        b"0123456789abcdef"
    )


def test_a_get_request_carries_the_request_in_the_url(client, enrolled):
    certificate, issuing = enrolled
    encoded = quote(base64.b64encode(request_for(certificate, issuing)).decode(), safe="")
    answer = client.get(f"{OCSP}/{encoded}")
    assert answer.status_code == 200 and answer.mimetype == "application/ocsp-response"
    assert "max-age=60" in answer.headers["Cache-Control"]
    reply = ocsp.load_der_ocsp_response(answer.data)
    assert reply.certificate_status is ocsp.OCSPCertStatus.GOOD


def test_a_revoked_certificate_is_said_to_be_revoked(app, client, enrolled):
    certificate, issuing = enrolled
    with app.app_context():
        ca = internal_ca.load_ca(CA_PASSPHRASE)
        internal_ca.revoke_certificate(ca, format(certificate.serial_number, "x"))
    answer = client.post(
        OCSP, data=request_for(certificate, issuing), content_type="application/ocsp-request"
    )
    reply = ocsp.load_der_ocsp_response(answer.data)
    assert reply.certificate_status is ocsp.OCSPCertStatus.REVOKED


def test_the_responder_says_what_to_send(client):
    wrong = client.post(OCSP, data=b"hello", content_type="text/plain")
    assert wrong.status_code == 415 and "application/ocsp-request" in wrong.text
    huge = client.post(OCSP, data=b"0" * 20_000, content_type="application/ocsp-request")
    assert huge.status_code == 413
    garbled = client.post(OCSP, data=b"hello", content_type="application/ocsp-request")
    reply = ocsp.load_der_ocsp_response(garbled.data)
    assert reply.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    not_base64 = ocsp.load_der_ocsp_response(client.get(f"{OCSP}/%25%25%25").data)
    assert not_base64.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_no_responder_without_the_ca_passphrase(make_app, tmp_path):
    app = make_app(CA_PASSPHRASE_FILE=str(tmp_path / "missing"))
    http = app.test_client()
    assert http.post(OCSP, data=b"x", content_type="application/ocsp-request").status_code == 404
    assert http.get(f"{OCSP}/MAA=").status_code == 404


def test_a_new_ca_has_its_responder(make_app, tmp_path):
    app = make_app(CA_DIR=str(tmp_path / "new-ca"))
    with app.app_context():
        internal_ca.create_ca("Sở Tài chính", "ec-p256", b"mat-khau-ca-moi")
    assert (tmp_path / "new-ca" / "ocsp.pem").is_file()
    assert oct((tmp_path / "new-ca" / "ocsp-key.pem").stat().st_mode & 0o777) == "0o600"


def test_a_finished_route_embeds_the_responders_answers(app, people):
    request_id = send(app)
    for username in ("chutich", "phochutich", "vanthu"):
        assert sign(app, username, request_id).json["ok"]
    with app.app_context():
        latest = db.session.get(SigningRequest, request_id).latest
        data = blob_store().path_for(latest.sha256).read_bytes()
    reader = PdfFileReader(io.BytesIO(data))
    answers = [
        ocsp.load_der_ocsp_response(o.get_object().data) for o in reader.root["/DSS"]["/OCSPs"]
    ]
    good = {a.serial_number for a in answers if a.certificate_status is ocsp.OCSPCertStatus.GOOD}
    signers = {s.signer_cert.serial_number for s in reader.embedded_regular_signatures}
    assert len(signers) == 3 and signers <= good
