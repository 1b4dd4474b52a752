"""Round trips: every PAdES level and key source signs, and the result validates."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from signing.ca import generate_private_key
from signing.errors import SigningError, WrongPin
from signing.keys import PinProtectedKey
from signing.sign import (
    PadesLevel,
    SignatureRequest,
    finish_external_signature,
    prepare_external_signature,
    sign_pdf,
)
from signing.stamps import LeaderStamp
from signing.validate import Verdict, validate_pdf


@pytest.mark.parametrize("level", list(PadesLevel))
def test_every_level_signs_and_validates(level, make_pdf, make_signer, trust, services):
    key = make_signer()
    signed = sign_pdf(
        make_pdf(),
        key,
        SignatureRequest("Sig1", level=level),
        tsa=services.tsa_url,
        trust=trust,
    )
    report = validate_pdf(signed, trust)
    [sig] = report.signatures
    assert sig.verdict == Verdict.VALID, sig.reason_en
    assert sig.pades_level == str(level)
    # LT data (and the LTA document timestamp) arrive in updates after the signed revision.
    late_updates = level in {PadesLevel.B_LT, PadesLevel.B_LTA}
    assert sig.coverage == ("ENTIRE_REVISION" if late_updates else "ENTIRE_FILE")
    assert "Trần Văn Minh" in sig.signer
    assert report.all_valid


def test_visible_leader_stamp(make_pdf, make_signer, trust, services):
    stamp = LeaderStamp(
        full_name="Trần Văn Minh",
        title="Chủ tịch UBND thành phố",
        organisation="UBND Thành phố Hòa Bình Xanh",
        signed_at=datetime.now(UTC),
    )
    signed = sign_pdf(
        make_pdf(pages=2),
        make_signer(),
        SignatureRequest("chair", level=PadesLevel.B_T, stamp=stamp, box=(300, 60, 500, 150)),
        tsa=services.tsa_url,
    )
    assert validate_pdf(signed, trust).all_valid


def test_higher_levels_need_their_services(make_pdf, make_signer):
    with pytest.raises(SigningError, match="timestamp authority"):
        sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1", level=PadesLevel.B_T))


def test_wrong_pin_is_refused_and_nothing_is_signed(ca, pin):
    private_key = generate_private_key("ec-p256")
    cert = ca.issue_signer(
        public_key=private_key.public_key(),
        full_name="Lê Thị Hoa",
        title="Phó Chủ tịch",
        organisation=ca.config.organisation,
    )
    key = PinProtectedKey.seal(private_key, pin, certificate=cert, chain=ca.chain)
    with pytest.raises(WrongPin):
        key.unlock("000000")
    assert not key.unlocked


def test_hash_out_signing_with_an_external_key(make_pdf, ca, trust, services):
    """The server prepares; the key that signs never reaches the server (here: a local EC key)."""
    browser_key = ec.generate_private_key(ec.SECP256R1())
    cert = ca.issue_signer(
        public_key=browser_key.public_key(),
        full_name="Lê Thị Hoa",
        title="Phó Chủ tịch",
        organisation=ca.config.organisation,
    )
    prepared = prepare_external_signature(
        make_pdf(),
        cert,
        ca.chain,
        SignatureRequest("Sig1", level=PadesLevel.B_T),
        tsa=services.tsa_url,
    )
    assert 0 < len(prepared.signed_attributes) < 400
    value = browser_key.sign(prepared.signed_attributes, ec.ECDSA(hashes.SHA256()))
    signed = finish_external_signature(prepared, value)
    [sig] = validate_pdf(signed, trust).signatures
    assert sig.verdict == Verdict.VALID, sig.reason_en
    assert sig.pades_level == "B-T"


def test_hash_out_refuses_a_wrong_value(make_pdf, ca):
    browser_key = ec.generate_private_key(ec.SECP256R1())
    cert = ca.issue_signer(
        public_key=browser_key.public_key(),
        full_name="A",
        title="B",
        organisation=ca.config.organisation,
    )
    prepared = prepare_external_signature(make_pdf(), cert, ca.chain, SignatureRequest("Sig1"))
    other = ec.generate_private_key(ec.SECP256R1()).sign(
        prepared.signed_attributes, ec.ECDSA(hashes.SHA256())
    )
    with pytest.raises(SigningError, match="does not match"):
        finish_external_signature(prepared, other)


def test_poppler_pdfsig_accepts_our_signature(make_pdf, make_signer, trust, services, tmp_path):
    signed = sign_pdf(
        make_pdf(pages=3),
        make_signer(),
        SignatureRequest("Sig1", level=PadesLevel.B_T),
        tsa=services.tsa_url,
    )
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout, result.stdout
