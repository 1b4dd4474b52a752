"""A three-signer route plus the clerk's seal, signed in order."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.errors import RouteError, SigningError
from signing.form_fields import fill_text_fields
from signing.routes import (
    RouteSlot,
    TextField,
    empty_text_fields,
    prepare_route,
    route_fields,
    sign_route_step,
)
from signing.sign import PadesLevel
from signing.stamps import LeaderStamp, SealStamp, seal_box
from signing.validate import Verdict, validate_pdf

ORGANISATION = "UBND Thành phố Hòa Bình Xanh"
ROUTE = [
    RouteSlot("chair"),
    RouteSlot("vice_chair"),
    RouteSlot("secretary"),
    RouteSlot("seal", "seal"),
]
PEOPLE = {
    "chair": ("Trần Văn Minh", "Chủ tịch"),
    "vice_chair": ("Lê Thị Hoa", "Phó Chủ tịch"),
    "secretary": ("Nguyễn Thị Thu", "Thư ký cuộc họp"),
}


def _stamp(field):
    now = datetime.now(UTC)
    if field == "seal":
        return SealStamp(agency=ORGANISATION, signed_at=now)
    name, title = PEOPLE[field]
    return LeaderStamp(full_name=name, title=title, organisation=ORGANISATION, signed_at=now)


def _run_route(
    data, make_signer, trust, services, fields=("chair", "vice_chair", "secretary", "seal")
):
    for field in fields:
        key = make_signer(seal=True) if field == "seal" else make_signer(*PEOPLE[field])
        data = sign_route_step(
            data,
            key,
            field_name=field,
            trust=trust,
            stamp=_stamp(field),
            level=PadesLevel.B_T,
            tsa=services.tsa_url,
            reason="Phê duyệt biên bản",
        )
    return data


def test_three_signers_and_the_seal_all_validate_at_the_end(
    make_pdf, make_signer, trust, services, tmp_path
):
    prepared = prepare_route(make_pdf(pages=2), ROUTE)
    assert route_fields(prepared) == [(f.field_name, False) for f in ROUTE]
    done = _run_route(prepared, make_signer, trust, services)
    assert route_fields(done) == [(f.field_name, True) for f in ROUTE]
    report = validate_pdf(done, trust)
    assert [s.field_name for s in report.signatures] == ["chair", "vice_chair", "secretary", "seal"]
    for sig in report.signatures:
        assert sig.verdict == Verdict.VALID, (sig.field_name, sig.reason_en, sig.modification_level)
    assert report.signatures[0].certification == "FILL_FORMS"  # the first one certifies, P=2
    assert report.all_valid
    path = tmp_path / "route.pdf"
    path.write_bytes(done)
    pdfsig = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout
    assert pdfsig.count("Signature is Valid") == 4, pdfsig
    assert "Total document signed" in pdfsig


def test_a_broken_earlier_signature_stops_the_route(make_pdf, make_signer, trust, services):
    data = _run_route(
        prepare_route(make_pdf(), ROUTE), make_signer, trust, services, fields=("chair",)
    )
    tampered = _swap_page_text(data)
    with pytest.raises(RouteError, match="chair"):
        sign_route_step(
            tampered,
            make_signer(*PEOPLE["vice_chair"]),
            field_name="vice_chair",
            trust=trust,
            stamp=_stamp("vice_chair"),
            level=PadesLevel.B_T,
            tsa=services.tsa_url,
        )


def test_route_refuses_unknown_or_signed_fields(make_pdf, make_signer, trust, services):
    data = _run_route(
        prepare_route(make_pdf(), ROUTE), make_signer, trust, services, fields=("chair",)
    )
    with pytest.raises(RouteError, match="already signed"):
        sign_route_step(
            data, make_signer(), field_name="chair", trust=trust, stamp=None, level=PadesLevel.B_B
        )
    with pytest.raises(RouteError, match="no signature field"):
        sign_route_step(
            data, make_signer(), field_name="mayor", trust=trust, stamp=None, level=PadesLevel.B_B
        )
    with pytest.raises(RouteError, match="already signed"):
        prepare_route(data, ROUTE)


def _swap_page_text(data: bytes) -> bytes:
    """Append an incremental update that replaces page 1's content (a forged revision)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 760 Td (Noi dung da bi sua) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ISSUE_FIELDS = [
    TextField("doc_number", 0, (80, 760, 250, 780)),
    TextField("doc_date", 0, (300, 760, 540, 780), "centre"),
]
ISSUE = (("doc_number", "05/BB-UBND"), ("doc_date", "ngày 07 tháng 12 năm 2026"))


def test_the_seal_writes_the_number_and_date_and_every_signature_stays_valid(
    make_pdf, make_signer, trust, services, tmp_path
):
    """Decree 30: the clerk numbers and dates the document as they seal it, in one revision."""
    data = prepare_route(
        make_pdf(pages=2), [RouteSlot("chair"), RouteSlot("seal", "seal")], ISSUE_FIELDS
    )
    assert empty_text_fields(data) == {"doc_number", "doc_date"}
    data = _run_route(data, make_signer, trust, services, fields=("chair",))
    before = len(data)
    data = sign_route_step(
        data,
        make_signer(seal=True),
        field_name="seal",
        trust=trust,
        stamp=_stamp("seal"),
        level=PadesLevel.B_T,
        tsa=services.tsa_url,
        form_values=ISSUE,
    )
    assert data.count(b"%%EOF", before) == 1  # the number, the date and the seal: one revision
    assert empty_text_fields(data) == set()
    report = validate_pdf(data, trust)
    assert [s.verdict for s in report.signatures] == [Verdict.VALID, Verdict.VALID]
    assert report.signatures[0].modification_level == "FORM_FILLING"
    path = tmp_path / "numbered.pdf"
    path.write_bytes(data)
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature is Valid") == 2, pdfsig
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True
    ).stdout
    assert "05/BB-UBND" in text and "ngày 07 tháng 12 năm 2026" in text


def test_a_field_is_written_once_and_only_if_it_exists(make_pdf, make_signer, trust, services):
    data = prepare_route(make_pdf(), [RouteSlot("seal", "seal")], ISSUE_FIELDS[:1])
    key = make_signer(seal=True)
    with pytest.raises(SigningError, match="no field 'doc_date'"):
        sign_route_step(
            data,
            key,
            field_name="seal",
            trust=trust,
            stamp=None,
            level=PadesLevel.B_B,
            form_values=(("doc_date", "ngày 07"),),
        )
    with pytest.raises(SigningError, match="already has a field"):
        prepare_route(make_pdf(), [RouteSlot("seal", "seal")], ISSUE_FIELDS[:1] * 2)
    signed = sign_route_step(
        data,
        key,
        field_name="seal",
        trust=trust,
        stamp=None,
        level=PadesLevel.B_B,
        form_values=ISSUE[:1],
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    with pytest.raises(SigningError, match="already holds '05/BB-UBND'"):
        fill_text_fields(writer, {"doc_number": "06/BB-UBND"})


def test_the_seal_covers_the_left_third_of_the_signature_image():
    leader = (360.0, 575.0, 510.0, 658.0)
    x1, y1, x2, y2 = seal_box(leader, 102.0)
    assert (x2 - x1, y2 - y1) == pytest.approx((102.0, 102.0))
    image_width = (leader[2] - leader[0]) * 0.7  # centred at the top of the stamp
    assert (x2 - leader[0]) == pytest.approx((150 - image_width) / 2 + image_width / 3)
    assert (y1 + y2) / 2 == pytest.approx(leader[3] - 2 - 83 * 0.55 / 2)  # on the image
