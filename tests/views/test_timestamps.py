"""The internal CA's timestamping authority over HTTP: `POST /ca/tsa` answers RFC 3161
requests for anyone (route signatures use it in-process: tests/views/test_signing.py)."""

from __future__ import annotations

import hashlib

import pytest
from asn1crypto import algos, tsp

from signing.tsa import TSA_POLICY
from tests.support.signing_setup import with_internal_ca

TSA = "/ca/tsa"


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


def timestamp_request(data: bytes) -> bytes:
    imprint = tsp.MessageImprint(
        {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "hashed_message": hashlib.sha256(data).digest(),
        }
    )
    return tsp.TimeStampReq({"version": "v1", "message_imprint": imprint, "cert_req": True}).dump()


def test_anyone_may_ask_the_tsa_for_a_token(app, client):
    answer = client.post(
        TSA, data=timestamp_request(b"bien ban"), content_type="application/timestamp-query"
    )
    assert answer.status_code == 200 and answer.mimetype == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(answer.data)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["policy"].native == TSA_POLICY


def test_the_tsa_says_what_to_send(client):
    wrong = client.post(TSA, data=b"hello", content_type="text/plain")
    assert wrong.status_code == 415 and "application/timestamp-query" in wrong.text
    huge = client.post(TSA, data=b"0" * 20_000, content_type="application/timestamp-query")
    assert huge.status_code == 413


def test_no_tsa_without_the_ca_passphrase(make_app, tmp_path):
    app = make_app(CA_PASSPHRASE_FILE=str(tmp_path / "missing"))
    answer = app.test_client().post(
        TSA, data=timestamp_request(b"x"), content_type="application/timestamp-query"
    )
    assert answer.status_code == 404
