"""People's signing certificates on the web: enrol, import a .p12, revoke, the authenticator app."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import Role, SigningFactor, SigningKey
from meeting_server.services.certificates import WrongSecret, check_totp, totp_required
from signing import CAConfig, InternalCA
from tests.support.clients import PASSWORD, fetch, signed_in
from tests.support.people import actor
from tests.support.signing_setup import CA_PASSPHRASE, PIN, with_internal_ca

NOT_TRUSTED = "not issued by a certification authority this server trusts"
P12_PASSPHRASE = b"mat-khau-tep-p12"


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def clerk(create_user):
    return create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu", unit="Văn thư")


def enrol_form(purpose: str = "signer", **changes: str) -> dict[str, str]:
    return {"password": PASSWORD, "pin": PIN, "pin_again": PIN, "purpose": purpose, **changes}


def keys_of(app, username: str) -> list[SigningKey]:
    with app.app_context():
        holder = actor(username)
        return list(db.session.scalars(select(SigningKey).where(SigningKey.user_id == holder.id)))


def revoked_serials(http) -> set[int]:
    """Read the published CRL the way a validator does."""
    response = fetch(http, "/ca/issuing.crl")
    assert response.status_code == 200
    return {entry.serial_number for entry in x509.load_der_x509_crl(response.data)}


def test_a_leader_creates_a_certificate_and_sees_it(app, chair):
    http = signed_in(app, "chutich")
    page = http.get("/certificates/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "You have no signing certificate yet." in text
    assert "The PIN is never stored" in text and "cannot be recovered" in text
    assert "Organisation seal" not in text  # a leader signs, never seals

    created = http.post("/certificates/enrol", data=enrol_form())
    assert created.status_code == 302
    (key,) = keys_of(app, "chutich")
    assert key.origin == "internal" and key.purpose == "signer" and key.revoked_at is None
    text = http.get("/certificates/").get_data(as_text=True)
    assert "Your certificate is ready." in text
    assert "Trần Văn Minh" in text and key.fingerprint in text and key.serial_hex in text
    assert "Issued by this server" in text and "cert-badge-valid" in text
    valid_until = key.not_after.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert valid_until.strftime("%H:%M %d/%m/%Y") in text  # Vietnam time, dd/mm/yyyy


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"password": "not-my-password"}, 403, "Your account password is not right."),
        ({"pin_again": "135790"}, 400, "The two PINs differ."),
        ({"pin": "1234", "pin_again": "1234"}, 400, "Choose a PIN of at least 6 characters."),
        ({"pin": PASSWORD, "pin_again": PASSWORD}, 400, "Choose a PIN different from"),
    ],
)
def test_a_refused_enrolment_says_why_and_stores_nothing(app, chair, changes, status, message):
    http = signed_in(app, "chutich")
    refused = http.post("/certificates/enrol", data=enrol_form(**changes))
    assert refused.status_code == status
    text = refused.get_data(as_text=True)
    assert message in text and 'class="field-error"' in text
    assert 'name="pin_again"' in text  # the form is back, to try again
    assert keys_of(app, "chutich") == []


def test_a_participant_cannot_hold_a_certificate(app, participant):
    http = signed_in(app, "daibieu1")
    text = http.get("/certificates/").get_data(as_text=True)
    assert "Your role does not sign documents" in text and 'name="pin"' not in text
    assert http.post("/certificates/enrol", data=enrol_form()).status_code == 403
    assert keys_of(app, "daibieu1") == []
    assert http.post("/certificates/totp/start").status_code == 302  # for signing in, though


def test_a_clerk_enrols_the_organisation_seal(app, clerk, chair):
    http = signed_in(app, "vanthu")
    assert '<option value="seal"' in http.get("/certificates/").get_data(as_text=True)
    assert http.post("/certificates/enrol", data=enrol_form("seal")).status_code == 302
    (seal,) = keys_of(app, "vanthu")
    assert seal.purpose == "seal" and "Ủy ban nhân dân" in seal.subject

    leader = signed_in(app, "chutich")
    refused = leader.post("/certificates/enrol", data=enrol_form("seal"))
    assert refused.status_code == 409
    assert "Your role does not sign documents with this kind" in refused.get_data(as_text=True)
    assert keys_of(app, "chutich") == []


def test_a_new_certificate_revokes_the_previous_one(app, chair):
    http = signed_in(app, "chutich")
    assert http.post("/certificates/enrol", data=enrol_form()).status_code == 302
    (first,) = keys_of(app, "chutich")
    assert int(first.serial_hex, 16) not in revoked_serials(http)

    assert (
        http.post(
            "/certificates/enrol", data=enrol_form(pin="975310", pin_again="975310")
        ).status_code
        == 302
    )
    previous, current = sorted(keys_of(app, "chutich"), key=lambda k: k.id)
    assert previous.revoked_at is not None and previous.revocation_reason == "superseded"
    assert current.revoked_at is None
    assert int(previous.serial_hex, 16) in revoked_serials(http)
    text = http.get("/certificates/").get_data(as_text=True)
    assert "Earlier certificates (1)" in text and "Replaced by a new certificate" in text


def issue_p12(ca: InternalCA, full_name: str = "Trần Văn Minh") -> bytes:
    """Build the .p12 file a CA hands out: a key, its certificate and the chain."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    certificate = ca.issue_signer(
        public_key=private_key.public_key(),
        full_name=full_name,
        title="Chủ tịch",
        organisation=ca.config.organisation,
    )
    return pkcs12.serialize_key_and_certificates(
        b"chutich", private_key, certificate, ca.chain, BestAvailableEncryption(P12_PASSPHRASE)
    )


def import_form(data: bytes, passphrase: bytes = P12_PASSPHRASE) -> dict[str, object]:
    return {
        **enrol_form(),
        "passphrase": passphrase.decode(),
        "file": (BytesIO(data), "chutich.p12"),
    }


def test_a_p12_from_a_trusted_ca_is_imported(app, chair):
    our_ca = InternalCA.load(Path(app.config["CA_DIR"]), CA_PASSPHRASE)
    http = signed_in(app, "chutich")
    imported = http.post("/certificates/import", data=import_form(issue_p12(our_ca)))
    assert imported.status_code == 302
    (key,) = keys_of(app, "chutich")
    assert key.origin == "imported" and "Trần Văn Minh" in key.subject
    text = http.get("/certificates/").get_data(as_text=True)
    assert "Your certificate is imported." in text and "Imported (.p12)" in text


def test_a_p12_from_an_unknown_ca_is_refused(app, chair, tmp_path):
    config = CAConfig(
        organisation="CA tự lập", crl_base_url="http://ca.invalid", key_type="ec-p256"
    )
    own_ca = InternalCA.create(tmp_path / "own-ca", config, b"own-passphrase")
    http = signed_in(app, "chutich")
    refused = http.post("/certificates/import", data=import_form(issue_p12(own_ca)))
    assert refused.status_code == 400 and NOT_TRUSTED in refused.get_data(as_text=True)
    assert keys_of(app, "chutich") == []


def test_a_wrong_p12_passphrase_is_refused(app, chair):
    our_ca = InternalCA.load(Path(app.config["CA_DIR"]), CA_PASSPHRASE)
    http = signed_in(app, "chutich")
    refused = http.post(
        "/certificates/import", data=import_form(issue_p12(our_ca), passphrase=b"doan-sai")
    )
    assert refused.status_code == 403
    assert "The passphrase of the .p12 file is wrong." in refused.get_data(as_text=True)
    assert keys_of(app, "chutich") == []


def test_a_file_that_is_no_p12_is_refused(app, chair):
    http = signed_in(app, "chutich")
    refused = http.post("/certificates/import", data=import_form(b"%PDF-1.7 not a key"))
    assert refused.status_code == 400
    assert "is not a PKCS#12 (.p12/.pfx) file" in refused.get_data(as_text=True)


def test_an_admin_revokes_a_certificate_and_the_crl_lists_it(app, admin, chair):
    assert (
        signed_in(app, "chutich").post("/certificates/enrol", data=enrol_form()).status_code == 302
    )
    (key,) = keys_of(app, "chutich")
    leader = signed_in(app, "chutich")
    assert leader.get("/certificates/all").status_code == 403
    assert leader.post(f"/certificates/{key.id}/revoke", data={"reason": "x"}).status_code == 403

    http = signed_in(app, "admin")
    listing = http.get("/certificates/all").get_data(as_text=True)
    assert "Trần Văn Minh" in listing and "Lãnh đạo" in listing and key.fingerprint in listing
    no_reason = http.post(f"/certificates/{key.id}/revoke", data={"reason": "  "})
    assert no_reason.status_code == 400
    assert "Say why the certificate is revoked." in no_reason.get_data(as_text=True)
    assert keys_of(app, "chutich")[0].revoked_at is None

    revoked = http.post(f"/certificates/{key.id}/revoke", data={"reason": "Nghỉ hưu"})
    assert revoked.status_code == 302
    (key,) = keys_of(app, "chutich")
    assert key.revoked_at is not None and key.revocation_reason == "Nghỉ hưu"
    assert int(key.serial_hex, 16) in revoked_serials(http)
    listing = http.get("/certificates/all").get_data(as_text=True)
    assert "Revoked" in listing and f'data-testid="revoke-{key.id}"' not in listing
    again = http.post(f"/certificates/{key.id}/revoke", data={"reason": "Nghỉ hưu"})
    assert again.status_code == 409 and "already revoked" in again.get_data(as_text=True)
    assert "Revoked" in signed_in(app, "chutich").get("/certificates/").get_data(as_text=True)


def test_the_authenticator_app_is_set_up_and_a_code_works_once(app, chair):
    http = signed_in(app, "chutich")
    assert http.post("/certificates/totp/start").status_code == 302
    with app.app_context():
        secret = db.session.get(SigningFactor, actor("chutich").id).secret
    text = http.get("/certificates/").get_data(as_text=True)
    assert secret[:4] in text and "<svg" in text and "otpauth://totp/" in text

    wrong = http.post("/certificates/totp/confirm", data={"code": "abcdef"})
    assert wrong.status_code == 403 and "The authenticator code is wrong" in wrong.get_data(
        as_text=True
    )
    code = pyotp.TOTP(secret).now()
    assert http.post("/certificates/totp/confirm", data={"code": code}).status_code == 302
    with app.app_context():
        holder = actor("chutich")
        assert totp_required(holder)
        with pytest.raises(WrongSecret):  # the code that turned it on cannot sign: no replay
            check_totp(holder, code)
    assert "is on" in http.get("/certificates/").get_data(as_text=True)


def test_turning_the_authenticator_app_off_needs_the_password(app, chair):
    http = signed_in(app, "chutich")
    http.post("/certificates/totp/start")
    with app.app_context():
        secret = db.session.get(SigningFactor, actor("chutich").id).secret
    http.post("/certificates/totp/confirm", data={"code": pyotp.TOTP(secret).now()})
    refused = http.post("/certificates/totp/disable", data={"password": "doan-thu"})
    assert refused.status_code == 403
    assert "Your account password is not right." in refused.get_data(as_text=True)
    with app.app_context():
        assert totp_required(actor("chutich"))
    assert http.post("/certificates/totp/disable", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        assert not totp_required(actor("chutich"))


@pytest.fixture
def strict_limit(app_config):
    app_config["CERTIFICATE_LIMIT_PER_USER"] = "3 per hour"


def test_refused_attempts_are_limited_per_person(strict_limit, app, chair, secretary):
    http = signed_in(app, "chutich")
    assert http.post("/certificates/totp/start").status_code == 302  # a success is not counted
    for _ in range(3):
        assert http.post("/certificates/enrol", data=enrol_form(password="x")).status_code == 403
    blocked = http.post("/certificates/enrol", data=enrol_form())
    assert blocked.status_code == 429
    assert "Too many refused attempts." in blocked.get_data(as_text=True)
    assert keys_of(app, "chutich") == []
    other = signed_in(app, "thuky")  # another person is not held back
    assert other.post("/certificates/enrol", data=enrol_form()).status_code == 302


@pytest.fixture
def no_ca_passphrase(app_config, tmp_path):
    app_config["CA_PASSPHRASE_FILE"] = str(tmp_path / "missing-passphrase")


def test_without_the_ca_passphrase_the_page_says_what_to_do(no_ca_passphrase, app, chair):
    http = signed_in(app, "chutich")
    text = http.get("/certificates/").get_data(as_text=True)
    assert "the administrator must create the internal certification authority" in text
    assert 'data-testid="enrol"' not in text and 'data-testid="import"' in text
    refused = http.post("/certificates/enrol", data=enrol_form())
    assert refused.status_code == 409 and "meeting-server ca init" in refused.get_data(as_text=True)
    assert keys_of(app, "chutich") == []


def test_the_pages_need_a_sign_in(client):
    assert client.get("/certificates/").status_code == 302
    assert client.post("/certificates/enrol", data=enrol_form()).status_code == 302
