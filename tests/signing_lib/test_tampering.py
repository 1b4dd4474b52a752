"""Negative cases: each is reported with a reason, and no exception escapes validation."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.ca import CAConfig, InternalCA
from signing.sign import PadesLevel, SignatureRequest, sign_pdf
from signing.trust import TrustSettings
from signing.validate import Verdict, signed_revision, validate_pdf


@pytest.fixture
def signed(make_pdf, make_signer, services, trust):
    return sign_pdf(
        make_pdf(pages=2),
        make_signer(),
        SignatureRequest("Sig1", level=PadesLevel.B_T),
        tsa=services.tsa_url,
    )


def _only(report):
    assert report.error is None
    [sig] = report.signatures
    return sig


def test_untouched_document_is_valid(signed, trust):
    assert _only(validate_pdf(signed, trust)).verdict == Verdict.VALID


def test_flipped_byte_inside_the_signed_range(signed, trust):
    position = signed.index(b"Bien ban 1")
    tampered = signed[:position] + b"X" + signed[position + 1 :]
    sig = _only(validate_pdf(tampered, trust))
    assert sig.verdict == Verdict.CHANGED
    assert "thay đổi" in sig.reason_vi


def test_incremental_update_swapping_page_content(signed, trust):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref, _res = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue(), trust)
    sig = _only(report)
    assert sig.verdict == Verdict.CHANGED, sig.reason_en
    assert signed_revision(out.getvalue(), sig) == signed  # what was signed stays downloadable


def test_junk_after_eof_is_reported(signed, trust):
    report = validate_pdf(signed + b"\nthis was appended later\n", trust)
    assert report.trailing_data and not report.all_valid
    assert "appended" in report.to_text("en")


def test_untrusted_root(signed, services):
    stranger = TrustSettings.of([services.tsa_root])
    sig = _only(validate_pdf(signed, stranger))
    assert sig.verdict == Verdict.UNKNOWN_SIGNER


def test_impostor_ca_with_the_same_name(signed, ca, services, tmp_path):
    impostor = InternalCA.create(
        tmp_path / "impostor",
        CAConfig(
            organisation=ca.config.organisation,
            crl_base_url=ca.config.crl_base_url,
            key_type="ec-p256",
        ),
        b"x" * 16,
    )
    assert impostor.root_certificate.subject == ca.root_certificate.subject
    fooled = TrustSettings.of(
        [impostor.root_certificate, services.tsa_root], [impostor.issuing_certificate]
    )
    sig = _only(validate_pdf(signed, fooled))
    assert sig.verdict == Verdict.UNKNOWN_SIGNER


def test_revoked_certificate(make_pdf, make_signer, ca, trust, services):
    key = make_signer()
    signed = sign_pdf(make_pdf(), key, SignatureRequest("Sig1"))
    ca.revoke(key.certificate.serial_number)
    sig = _only(validate_pdf(signed, trust))
    assert sig.verdict == Verdict.REVOKED
    assert "thu hồi" in sig.reason_vi


def test_expired_certificate(make_pdf, make_signer, trust):
    key = make_signer(not_before=datetime.now(UTC) - timedelta(days=800), validity_days=30)
    signed = sign_pdf(make_pdf(), key, SignatureRequest("Sig1"))
    sig = _only(validate_pdf(signed, trust))
    assert sig.verdict == Verdict.EXPIRED, sig.reason_en


def test_zeroed_signature_contents(signed, trust):
    tampered = re.sub(
        rb"/Contents <([0-9a-fA-F]+)>",
        lambda m: b"/Contents <" + b"0" * len(m.group(1)) + b">",
        signed,
        count=1,
    )
    report = validate_pdf(tampered, trust)
    assert not report.all_valid
    assert all(sig.verdict != Verdict.VALID for sig in report.signatures)


def test_byterange_zeroed(signed, trust):
    tampered = re.sub(
        rb"/ByteRange \[[^\]]*\]",
        lambda m: (b"/ByteRange [0 0 0 0]").ljust(len(m.group(0))),
        signed,
        count=1,
    )
    report = validate_pdf(tampered, trust)
    assert not report.all_valid
    text = report.to_text("vi")
    assert text.strip()


def test_not_a_pdf_at_all(trust):
    report = validate_pdf(b"hello", trust)
    assert report.error and not report.all_valid
    assert "Không đọc được" in report.to_text("vi")


def test_reports_render_as_json_and_text(signed, trust):
    report = validate_pdf(signed, trust)
    data = report.to_json()
    assert data["all_valid"] is True and data["signatures"][0]["verdict"] == "valid"
    assert "Chữ ký hợp lệ" in report.to_text("vi") and "Valid" in report.to_text("en")
