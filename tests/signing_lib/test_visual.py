"""The picture comparison: what each signer saw beside what the file shows now."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.form_fields import TextField
from signing.routes import RouteSlot, prepare_route, sign_route_step
from signing.sign import PadesLevel, SignatureRequest, sign_pdf
from signing.stamps import LeaderStamp, SealStamp
from signing.validate import Verdict, validate_pdf
from signing.visual import SignedRange, VisualCheck, VisualOptions, compare_signatures

ORGANISATION = "UBND Thành phố Hòa Bình Xanh"
ROUTE = [RouteSlot("chair"), RouteSlot("secretary"), RouteSlot("seal", "seal")]
NUMBER_BOX = (100.0, 700.0, 260.0, 716.0)  # blank on plain_pdf's pages (its text is at y=760)


def stamp(field: str) -> LeaderStamp | SealStamp:
    now = datetime.now(UTC)
    if field == "seal":
        return SealStamp(agency=ORGANISATION, signed_at=now)
    return LeaderStamp(
        full_name="Trần Văn Minh", title="Chủ tịch", organisation=ORGANISATION, signed_at=now
    )


@pytest.fixture
def route(make_pdf, make_signer, trust):
    """Run the route chair → secretary → seal over ``pages`` pages; return the final bytes."""

    def run(pages: int = 2, text_fields=(), seal_values=()) -> bytes:
        data = prepare_route(make_pdf(pages=pages), ROUTE, text_fields)
        for slot in ROUTE:
            seal = slot.kind == "seal"
            data = sign_route_step(
                data,
                make_signer(seal=seal),
                field_name=slot.field_name,
                trust=trust,
                stamp=stamp(slot.field_name),
                level=PadesLevel.B_B,
                form_values=seal_values if seal else (),
            )
        return data

    return run


def updated(data: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def added_text(text: bytes, page: int = 0):
    """An update that draws ``text`` (a content stream) on ``page`` after what is there."""

    def change(writer):
        page_ref, _resources = writer.find_page_for_modification(page)
        node = page_ref.get_object()
        extra = writer.add_object(generic.StreamObject(stream_data=text))
        node["/Contents"] = generic.ArrayObject([node.raw_get("/Contents"), extra])
        writer.mark_update(page_ref)

    return change


def checks_of(data: bytes, trust, **options):
    report = validate_pdf(data, trust)
    ranges = [SignedRange(*entry) for entry in report.ranges()]
    return compare_signatures(data, ranges, VisualOptions(**options))


def test_a_route_of_three_signatures_stays_unchanged_with_the_later_stamps_allowed(route, trust):
    data = route()
    report = validate_pdf(data, trust, visual=VisualOptions())
    assert [sig.verdict for sig in report.signatures] == [Verdict.VALID] * 3
    chair, secretary, seal = (sig.visual for sig in report.signatures)
    assert not chair.changed and chair.error is None and chair.pages_compared == 2
    assert chair.allowed == ("seal", "secretary")  # filled later, foreseen as empty fields
    assert secretary.allowed == ("seal",) and seal.allowed == ()
    assert report.all_valid


def test_the_clerks_number_written_into_its_empty_field_is_allowed(route, trust):
    number = TextField("doc_number", -1, NUMBER_BOX)
    data = route(text_fields=[number], seal_values=(("doc_number", "Số: 07/BB-UBND"),))
    report = validate_pdf(data, trust, visual=VisualOptions())
    assert report.all_valid, [sig.reason_en for sig in report.signatures]
    assert "doc_number" in report.signatures[0].visual.allowed


def test_text_drawn_after_signing_is_a_change_with_its_place(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(pages=3), make_signer(), SignatureRequest("Sig1"))
    tampered = updated(signed, added_text(b"BT /F1 24 Tf 300 400 Td (NEW TEXT) Tj ET", page=1))
    [check] = checks_of(tampered, trust)
    assert check.changed and check.changed_pages == (2,)
    [change] = check.pages
    assert change.kind == "content" and (change.width, change.height) == (595.0, 842.0)
    [region] = change.regions
    assert 280 <= region.x0 <= 305 and 395 <= region.x1 - 0 and region.x1 <= 460
    assert 380 <= region.y0 <= 402 and 415 <= region.y1 <= 440  # the text's line, in points


def test_the_visual_change_makes_a_valid_signature_changed_after_signing(
    make_pdf, make_signer, trust
):
    signed = sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1"))
    report = validate_pdf(signed, trust)
    [check] = checks_of(updated(signed, added_text(b"BT /F1 24 Tf 72 300 Td (X) Tj ET")), trust)
    [sig] = report.with_visual([check]).signatures
    assert sig.verdict == Verdict.CHANGED and sig.visual is check
    assert "trang 1" in sig.reason_vi and "page 1" in sig.reason_en
    text = report.with_visual([check]).to_text("en")
    assert "Pages changed after signing: 1" in text
    assert report.with_visual([check]).to_json()["signatures"][0]["visual"]["changed"] is True


def test_a_page_added_after_signing_is_reported(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(pages=1), make_signer(), SignatureRequest("Sig1"))

    def add_page(writer):
        pages_ref = writer.root.raw_get("/Pages")
        pages = pages_ref.get_object()
        first = pages["/Kids"][0]
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/Parent"): pages_ref,
                generic.pdf_name("/MediaBox"): first["/MediaBox"],
            }
        )
        pages["/Kids"].append(writer.add_object(page))
        pages[generic.pdf_name("/Count")] = generic.NumberObject(2)
        writer.mark_update(pages_ref)

    [check] = checks_of(updated(signed, add_page), trust)
    assert (check.pages_signed, check.pages_current) == (1, 2)
    assert [(p.page, p.kind) for p in check.pages] == [(2, "added")]


def test_a_new_stamp_is_allowed_on_a_blank_spot_but_not_over_the_text(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1"))
    on_blank = SignatureRequest("Late", stamp=stamp("chair"), box=(300, 100, 500, 180), page=0)
    [first, _late] = checks_of(sign_pdf(signed, make_signer(), on_blank), trust)
    assert not first.changed and first.allowed == ("Late",)
    over_text = SignatureRequest("Late", stamp=stamp("chair"), box=(60, 720, 260, 800), page=0)
    [first, _late] = checks_of(sign_pdf(signed, make_signer(), over_text), trust)
    assert first.changed and first.changed_pages == (1,) and first.allowed == ()


def test_the_page_limit_leaves_the_signature_not_fully_verified(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(pages=4), make_signer(), SignatureRequest("Sig1"))
    tampered = updated(signed, added_text(b"BT /F1 24 Tf 72 300 Td (X) Tj ET", page=3))
    [capped] = checks_of(tampered, trust, page_limit=2)
    assert capped.capped and capped.pages_compared == 2 and not capped.changed
    report = validate_pdf(signed, trust, visual=VisualOptions(page_limit=2))
    [sig] = report.signatures
    assert sig.verdict == Verdict.INVALID and not report.all_valid
    assert "Not fully verified: only 2 of 4 pages were compared" in sig.reason_en
    [whole] = checks_of(tampered, trust)
    assert not whole.capped and whole.pages_compared == 4 and whole.changed_pages == (4,)
    assert validate_pdf(signed, trust, visual=VisualOptions()).all_valid  # default: every page


def test_many_changes_on_a_page_are_merged_into_a_few_regions(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1"))
    lines = b"".join(
        b"BT /F1 9 Tf %d %d Td (x) Tj ET " % (40 + 45 * (i % 12), 60 + 50 * (i // 12))
        for i in range(120)
    )
    [check] = checks_of(updated(signed, added_text(lines)), trust)
    [change] = check.pages
    assert 1 <= len(change.regions) <= 8


def test_a_file_pdfium_cannot_read_is_not_valid(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1"))
    report = validate_pdf(signed, trust)
    [check] = compare_signatures(b"%PDF-1.7 broken", [SignedRange("Sig1", 10)])
    assert check.error and not check.changed
    [sig] = report.with_visual([check]).signatures
    assert sig.verdict == Verdict.INVALID and "could not be compared" in sig.reason_en
    [missing] = report.with_visual([]).signatures  # no check at all: not shown unchanged
    assert missing.verdict == Verdict.INVALID


def test_a_check_survives_its_json(route, trust):
    [chair, *_rest] = checks_of(route(pages=1), trust)
    assert VisualCheck.from_json(chair.to_json()) == chair


def field_change(name: str, change):
    """An update that applies ``change`` to the field ``name``'s dictionary."""

    def apply(writer):
        for ref in writer.root["/AcroForm"]["/Fields"]:
            if str(ref.get_object().get("/T")) == name:
                change(writer, ref.get_object())
                writer.mark_update(ref)

    return apply


def test_a_placeholder_moved_over_the_text_before_it_is_filled_is_a_change(
    make_pdf, make_signer, trust
):
    data = prepare_route(make_pdf(), ROUTE)
    data = sign_route_step(
        data,
        make_signer(),
        field_name="chair",
        trust=trust,
        stamp=stamp("chair"),
        level=PadesLevel.B_B,
    )
    over_text = [generic.FloatObject(v) for v in (60, 720, 300, 800)]

    def move(_writer, field):
        field[generic.pdf_name("/Rect")] = generic.ArrayObject(over_text)

    moved = updated(data, field_change("secretary", move))
    moved = sign_pdf(moved, make_signer(), SignatureRequest("secretary", stamp=stamp("secretary")))
    chair = checks_of(moved, trust)[0]
    assert chair.changed and chair.changed_pages == (1,)


def test_an_empty_field_whose_appearance_changes_is_not_filling(make_pdf, make_signer, trust):
    number = TextField("doc_number", 0, NUMBER_BOX)
    data = prepare_route(make_pdf(), ROUTE, [number])
    data = sign_route_step(
        data,
        make_signer(),
        field_name="chair",
        trust=trust,
        stamp=stamp("chair"),
        level=PadesLevel.B_B,
    )

    def draw(writer, field):
        look = generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                generic.pdf_name("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(0)] * 2
                    + [generic.NumberObject(160), generic.NumberObject(16)]
                ),
            },
            stream_data=b"0 g 0 0 160 16 re f",
        )
        field[generic.pdf_name("/AP")] = generic.DictionaryObject(
            {generic.pdf_name("/N"): writer.add_object(look)}
        )

    [chair] = checks_of(updated(data, field_change("doc_number", draw)), trust)[:1]
    assert chair.changed and chair.allowed == ()


def test_a_colour_change_alone_is_a_change(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1"))
    black = b"0 0 0 rg BT /F1 24 Tf 72 300 Td (SAME TEXT) Tj ET"
    with_black = updated(signed, added_text(black))
    blue = updated(with_black, added_text(b"0 0 1 rg BT /F1 24 Tf 72 300 Td (SAME TEXT) Tj ET"))
    report = validate_pdf(blue, trust)
    later = [SignedRange("black", len(with_black))]  # as if the black text had been signed
    [check] = compare_signatures(blue, later)
    assert check.changed, report


def test_a_revision_pdfium_cannot_open_does_not_hide_the_others(make_pdf, make_signer, trust):
    signed = sign_pdf(make_pdf(), make_signer(), SignatureRequest("Sig1"))
    good, broken = compare_signatures(
        signed, [SignedRange("Sig1", len(signed)), SignedRange("broken", 0)]
    )
    assert good.error is None and not good.changed and good.pages_compared == 1
    assert broken.error and broken.field_name == "broken"


def drawn_box(writer, width: float, height: float):
    """Return a form XObject that fills its box in blue: a look of a stamp."""
    box = generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height))
    look = generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
            generic.pdf_name("/BBox"): box,
        },
        stream_data=b"0 0 1 rg 0 0 %g %g re f" % (width, height),
    )
    return writer.add_object(look)


def test_a_signature_value_written_without_a_valid_signature_is_a_change(
    make_pdf, make_signer, trust
):
    data = prepare_route(make_pdf(), ROUTE)
    data = sign_route_step(
        data, make_signer(), field_name="chair", trust=trust, stamp=stamp("chair"),
        level=PadesLevel.B_B,
    )  # fmt: skip

    def fake(writer, field):
        value = generic.DictionaryObject({generic.pdf_name("/Type"): generic.pdf_name("/Sig")})
        field[generic.pdf_name("/V")] = writer.add_object(value)
        x0, y0, x1, y1 = (float(v) for v in field["/Rect"])
        field[generic.pdf_name("/AP")] = generic.DictionaryObject(
            {generic.pdf_name("/N"): drawn_box(writer, x1 - x0, y1 - y0)}
        )

    [chair] = validate_pdf(
        updated(data, field_change("secretary", fake)), trust, visual=VisualOptions()
    ).signatures
    assert chair.verdict == Verdict.CHANGED and chair.visual.allowed == ()
