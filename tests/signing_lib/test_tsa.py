"""The internal CA's own timestamping authority: its certificate, its tokens, its refusals."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import algos, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from signing import PadesLevel, SignatureRequest, TrustSettings, sign_pdf, validate_pdf
from signing.ca_loading import read_certificate
from signing.tsa import (
    RENEW_BEFORE,
    TSA_POLICY,
    ensure_tsa,
    load_tsa,
    renewal_due,
    timestamp_response,
)
from tests.signing_lib.conftest import CA_PASSPHRASE


def request_for(data: bytes, algorithm: str = "sha256", **extra: object) -> bytes:
    imprint = tsp.MessageImprint(
        {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
            "hashed_message": hashlib.new(algorithm, data).digest(),
        }
    )
    fields = {"version": "v1", "message_imprint": imprint, "nonce": 424242, "cert_req": True}
    return tsp.TimeStampReq({**fields, **extra}).dump()


def test_the_ca_certifies_a_timestamping_authority(ca):
    certificate = ensure_tsa(ca, CA_PASSPHRASE)
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert certificate.issuer == ca.issuing_certificate.subject
    assert ensure_tsa(ca, CA_PASSPHRASE) == certificate  # kept while it has years left
    assert oct((ca.directory / "tsa-key.pem").stat().st_mode & 0o777) == "0o600"


def test_a_token_answers_the_request_under_our_policy(ca):
    ensure_tsa(ca, CA_PASSPHRASE)
    stamper = load_tsa(ca.directory, CA_PASSPHRASE)
    answer = tsp.TimeStampResp.load(timestamp_response(stamper, request_for(b"bien ban")))
    assert answer["status"]["status"].native == "granted"
    info = answer["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["policy"].native == TSA_POLICY and info["nonce"].native == 424242
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"bien ban").digest()
    assert abs(info["gen_time"].native - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("body", "failure"),
    [
        (request_for(b"x", "sha1"), "bad_alg"),
        (request_for(b"x", req_policy="1.2.3.4"), "unaccepted_policy"),
        (b"\x30\x03\x02\x01", "bad_data_format"),
        (bytes(range(64)), "bad_data_format"),
    ],
    ids=["sha1", "another-policy", "truncated", "not-der"],
)
def test_a_request_it_cannot_serve_is_refused_with_the_reason(ca, body, failure):
    ensure_tsa(ca, CA_PASSPHRASE)
    answer = core.Sequence.load(timestamp_response(load_tsa(ca.directory, CA_PASSPHRASE), body))
    assert len(answer) == 1  # a status and no token
    status = tsp.PKIStatusInfo.load(answer[0].dump())
    assert status["status"].native == "rejection" and failure in status["fail_info"].native


def test_a_signature_timestamped_by_it_is_b_t_and_valid(ca, make_pdf, make_signer):
    ensure_tsa(ca, CA_PASSPHRASE)
    stamper = load_tsa(ca.directory, CA_PASSPHRASE)
    signed = sign_pdf(
        make_pdf(), make_signer(), SignatureRequest("Sig1", level=PadesLevel.B_T), tsa=stamper
    )
    trust = TrustSettings.of([ca.root_certificate], [ca.issuing_certificate])
    [report] = validate_pdf(signed, trust).signatures
    assert report.valid and report.pades_level == "B-T" and report.timestamp is not None


def test_a_certificate_near_its_end_is_replaced(ca):
    first = ensure_tsa(ca, CA_PASSPHRASE)
    key_before = (ca.directory / "tsa-key.pem").read_bytes()
    ending = ca.issue_timestamping(first.public_key(), validity_days=RENEW_BEFORE.days - 1)
    (ca.directory / "tsa.pem").write_bytes(ending.public_bytes(serialization.Encoding.PEM))
    assert renewal_due(ca.directory) < datetime.now(UTC)
    renewed = ensure_tsa(ca, CA_PASSPHRASE)
    assert renewed.serial_number != ending.serial_number
    assert read_certificate(ca.directory / "tsa.pem") == renewed
    assert (ca.directory / "tsa-key.pem").read_bytes() != key_before  # a new key too
    assert load_tsa(ca.directory, CA_PASSPHRASE) is not None
