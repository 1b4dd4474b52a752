"""Visible signature stamps: Vietnamese text that stays inside its field, the red seal, slots."""

from __future__ import annotations

import io
import itertools
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools import ttLib
from PIL import Image, ImageDraw
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.errors import SigningError
from signing.stamps import (
    DEFAULT_BOX,
    Box,
    LeaderStamp,
    SealStamp,
    Stamp,
    default_box,
    make_seal_image,
    stamp_style,
    stamp_text,
    vietnamese_font_path,
)

A4 = (595.28, 841.89)
VIETNAMESE = (
    "Ủy ban nhân dân Thành phố Hòa Bình Xanh – Chủ tịch Trần Văn Minh – "
    "Phó Chủ tịch Lê Thị Hoa – Đóng dấu ắằẳẵặ ếềểễệ ốồổỗộ ướừửữự"
)
AGENCY = "Ủy ban nhân dân Thành phố Hòa Bình Xanh"
SIGNED_AT = datetime(2026, 11, 22, 3, 15, 3, tzinfo=UTC)
RENDERS = Path(tempfile.gettempdir()) / "signing-stamp-renders"
SCALE = 2


@dataclass(frozen=True)
class SignedPage:
    """A one-page PDF with every stamp signed into its own field."""

    data: bytes
    fields: dict[str, tuple[Stamp, Box]]


# --- fixtures and helpers ---------------------------------------------------------------------


def _handwriting(image_format: str) -> bytes:
    """Return a squiggle that stands in for a scanned handwritten signature."""
    image = Image.new("RGB", (600, 220), "white")
    points = [(30 + i * 5.4, 110 + 60 * math.sin(i / 9) * math.cos(i / 23)) for i in range(100)]
    ImageDraw.Draw(image).line(points, fill=(20, 30, 140), width=7)
    output = io.BytesIO()
    image.save(output, format=image_format)
    return output.getvalue()


STAMPS: dict[str, Stamp] = {
    "Sig1": LeaderStamp(
        full_name="Nguyễn Thị Phương Thảo Hoàng Xuân Trường",
        title="Phó Chủ tịch Thường trực Ủy ban nhân dân",
        organisation=AGENCY,
        signed_at=SIGNED_AT,
    ),
    "Sig2": LeaderStamp(
        full_name="Trần Văn Minh",
        title="Chủ tịch",
        organisation=AGENCY,
        signed_at=SIGNED_AT + timedelta(minutes=5),
        signature_image=_handwriting("JPEG"),
    ),
    "Sig3": SealStamp(agency=AGENCY, signed_at=SIGNED_AT + timedelta(minutes=9)),
}


def _blank_pdf() -> bytes:
    """Return an A4 page with one line of text at the top."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=A4)
        helvetica = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
        page = pdf.pages[0]
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=helvetica))
        page.Contents = pdf.make_stream(b"BT /F1 14 Tf 72 770 Td (Bien ban hop) Tj ET")
        output = io.BytesIO()
        pdf.save(output)
    return output.getvalue()


def _sign(data: bytes, simple: signers.SimpleSigner, stamp: Stamp, name: str, box: Box) -> bytes:
    """Sign ``data`` into a new field ``name`` on the last page, drawn with ``stamp``."""
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=name),
        simple,
        stamp_style=stamp_style(stamp, box=box),
        new_field_spec=fields.SigFieldSpec(name, box=box, on_page=-1),
    )
    signed = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)))
    return bytes(signed.getvalue())


@pytest.fixture(scope="module")
def signed_page(signer: signers.SimpleSigner) -> SignedPage:
    """Sign the three stamps one after the other into slots 0, 1 and 2 of one page."""
    data = _blank_pdf()
    placed: dict[str, tuple[Stamp, Box]] = {}
    for slot, (name, stamp) in enumerate(STAMPS.items()):
        box = default_box(*A4, slot)
        data = _sign(data, signer, stamp, name, box)
        placed[name] = (stamp, box)
    return SignedPage(data=data, fields=placed)


def _strip_span(stream: pikepdf.Object) -> bytes:
    """Return the content of ``stream`` without its ``/Span`` marked-content sections."""
    kept: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
    dropped: list[bool] = []
    for instruction in pikepdf.parse_content_stream(stream):
        operator = str(instruction.operator)
        if operator in ("BDC", "BMC"):
            dropped.append(operator == "BDC" and instruction.operands[0] == pikepdf.Name.Span)
            if dropped[-1]:
                continue
        elif operator == "EMC" and dropped.pop():
            continue
        kept.append(instruction)
    return pikepdf.unparse_content_stream(kept)


def _without_actual_text(data: bytes) -> bytes:
    """Return a copy whose widget appearances have no ``/ActualText`` spans.

    pyHanko wraps each line in ``/Span <</ActualText ...>> BDC``; pdfium positions such
    characters without the widget's placement matrix (they land near the page origin), so we
    read the glyphs themselves, through the embedded font's ToUnicode map.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for annotation in pdf.pages[-1].get("/Annots", []):
            appearance = annotation.AP.N
            appearance.write(_strip_span(appearance))
        output = io.BytesIO()
        pdf.save(output)
    return output.getvalue()


@dataclass(frozen=True)
class PageText:
    """The characters pdfium finds on the flattened last page."""

    chars: list[tuple[str, tuple[float, float, float, float]]]
    bounded: dict[str, str]


def _read_text(signed: SignedPage) -> PageText:
    """Flatten the widgets into the page content with pdfium and read its text."""
    pdf = pdfium.PdfDocument(_without_actual_text(signed.data))
    try:
        pdf.init_forms()  # pdfium flattens (and renders) widgets only with a form environment
        page = pdf[len(pdf) - 1]
        page.flatten()
        page.close()
        page = pdf[len(pdf) - 1]
        textpage = page.get_textpage()
        chars = [
            (textpage.get_text_range(index, 1), textpage.get_charbox(index))
            for index in range(textpage.count_chars())
        ]
        bounded = {
            name: textpage.get_text_bounded(*box) for name, (_, box) in signed.fields.items()
        }
        textpage.close()
        page.close()
    finally:
        pdf.close()
    return PageText(chars=[(c, b) for c, b in chars if not c.isspace()], bounded=bounded)


def _render(data: bytes, filename: str) -> Image.Image:
    """Render the last page with its widgets at ``SCALE``x and keep a PNG copy to look at."""
    pdf = pdfium.PdfDocument(data)
    try:
        pdf.init_forms()
        page = pdf[len(pdf) - 1]
        image: Image.Image = page.render(scale=SCALE, may_draw_forms=True).to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    RENDERS.mkdir(exist_ok=True)
    image.save(RENDERS / filename)
    return image


def _inside(rect: tuple[float, float, float, float], box: Box, slack: float = 0.5) -> bool:
    """Tell whether ``rect`` (left, bottom, right, top) lies within ``box``."""
    left, bottom, right, top = rect
    return (
        left >= box[0] - slack
        and bottom >= box[1] - slack
        and right <= box[2] + slack
        and top <= box[3] + slack
    )


def _nearest(rect: tuple[float, float, float, float], signed: SignedPage) -> str | None:
    """Return the field whose centre is nearest to a character in the bottom third of the page."""
    x, y = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    if y > A4[1] / 3:
        return None

    def distance(name: str) -> float:
        x1, y1, x2, y2 = signed.fields[name][1]
        return math.hypot(x - (x1 + x2) / 2, y - (y1 + y2) / 2)

    return min(signed.fields, key=distance)


def _pixels(box: Box, grow: int = 0) -> tuple[int, int, int, int]:
    """Return the pixel rectangle (left, top, right, bottom) of ``box`` in a render."""
    left, bottom, right, top = (round(v * SCALE) for v in box)
    height = round(A4[1] * SCALE)
    return (left - grow, height - top - grow, right + grow, height - bottom + grow)


def _ink(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Return the bounding box of the non-white pixels of ``image``, or ``None``."""
    return image.convert("L").point(lambda value: 255 if value < 250 else 0).getbbox()


@pytest.fixture(scope="module")
def page_text(signed_page: SignedPage) -> PageText:
    """Return the text of the signed page."""
    return _read_text(signed_page)


# --- the font ---------------------------------------------------------------------------------


def test_stamp_font_has_1000_units_per_em_and_covers_vietnamese() -> None:
    path = vietnamese_font_path()

    with ttLib.TTFont(path, lazy=True) as font:
        units_per_em = font["head"].unitsPerEm
        cmap = font.getBestCmap()
        is_static = "fvar" not in font

    assert units_per_em == 1000
    assert is_static
    assert [char for char in VIETNAMESE if ord(char) not in cmap] == []
    assert vietnamese_font_path() == path  # cut once, then reused


def test_a_font_cache_that_others_can_write_to_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / f"signing-fonts-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    vietnamese_font_path.cache_clear()

    try:
        with pytest.raises(SigningError, match="not a private directory"):
            vietnamese_font_path()
    finally:
        vietnamese_font_path.cache_clear()


def test_stamp_text_shows_the_signer_and_vietnam_time() -> None:
    text = stamp_text(STAMPS["Sig2"])

    assert text.split("\n") == [  # dd/mm/yyyy HH:MM, as the office reads it (Decree 30)
        "Ký bởi: Trần Văn Minh",
        "Chủ tịch",
        "Thời gian ký: 22/11/2026 10:20",
    ]


def test_stamp_text_keeps_each_value_on_its_own_line() -> None:
    decomposed = "Tra\u0302\u0300n Va\u0306n Minh"  # NFD, as some keyboards type it
    stamp = SealStamp(agency=f"  {decomposed}\nĐội\t2\u200b ", signed_at=SIGNED_AT)

    assert stamp_text(stamp) == "Trần Văn Minh Đội 2\nĐóng dấu: 22/11/2026 10:15"


def test_naive_signing_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SealStamp(agency=AGENCY, signed_at=datetime(2026, 11, 22, 10, 15))  # noqa: DTZ001


# --- signed and rendered ----------------------------------------------------------------------


LEADERS = [name for name, stamp in STAMPS.items() if isinstance(stamp, LeaderStamp)]


def test_the_seal_draws_its_image_only(signed_page: SignedPage, page_text: PageText) -> None:
    """Decree 30/2020: the organisation's signature shows as the seal's image, no text."""
    assert page_text.bounded["Sig3"].split() == []
    assert not [char for char, rect in page_text.chars if _nearest(rect, signed_page) == "Sig3"]


@pytest.mark.parametrize("name", LEADERS)
def test_stamp_text_is_on_the_page_inside_its_field(
    signed_page: SignedPage, page_text: PageText, name: str
) -> None:
    stamp, box = signed_page.fields[name]

    assert page_text.bounded[name].split() == stamp_text(stamp).split()


@pytest.mark.parametrize("name", LEADERS)
def test_every_stamp_character_lies_within_its_field(
    signed_page: SignedPage, page_text: PageText, name: str
) -> None:
    stamp, box = signed_page.fields[name]
    expected = "".join(stamp_text(stamp).split())

    in_field = [
        (char, rect) for char, rect in page_text.chars if _nearest(rect, signed_page) == name
    ]

    assert "".join(char for char, _ in in_field) == expected
    assert [char for char, rect in in_field if not _inside(rect, box)] == []


def test_stamps_draw_nothing_outside_their_fields(signed_page: SignedPage) -> None:
    image = _render(signed_page.data, "three-stamps.png")
    covered = image.copy()
    for _, box in signed_page.fields.values():
        ImageDraw.Draw(covered).rectangle(_pixels(box, grow=1), fill="white")
    bottom_third = (0, round(A4[1] * 2 / 3 * SCALE), image.width, image.height)

    assert _ink(image.crop(bottom_third)) is not None, "the stamps drew nothing"
    assert _ink(covered.crop(bottom_third)) is None


def test_seal_and_signature_images_are_drawn(signed_page: SignedPage) -> None:
    image = _render(signed_page.data, "three-stamps.png")

    def colours(name: str) -> set[tuple[int, int, int]]:
        data = image.crop(_pixels(signed_page.fields[name][1])).tobytes()
        return set(zip(data[0::3], data[1::3], data[2::3], strict=True))

    assert any(r > 180 and g < 90 and b < 100 for r, g, b in colours("Sig3"))  # red seal
    assert any(b > 100 and r < 80 for r, g, b in colours("Sig2"))  # blue handwriting
    assert not any(r > 180 and g < 90 and b < 100 for r, g, b in colours("Sig1"))


def test_stamped_signatures_stay_intact(
    signed_page: SignedPage, signer: signers.SimpleSigner
) -> None:
    reader = PdfFileReader(io.BytesIO(signed_page.data))
    context = ValidationContext(trust_roots=[signer.signing_cert])

    statuses = [
        validate_pdf_signature(embedded, signer_validation_context=context)
        for embedded in reader.embedded_signatures
    ]

    assert [(s.intact, s.valid) for s in statuses] == [(True, True)] * 3


def test_percent_signs_in_values_are_shown_as_typed(
    signer: signers.SimpleSigner,
) -> None:
    stamp = LeaderStamp(
        full_name="Lê 100% Hoa %(ts)s %s",
        title="Phó Chủ tịch %%",
        organisation=AGENCY,
        signed_at=SIGNED_AT,
    )
    box = DEFAULT_BOX
    data = _sign(_blank_pdf(), signer, stamp, "Sig1", box)

    text = _read_text(SignedPage(data=data, fields={"Sig1": (stamp, box)}))

    assert "Lê 100% Hoa %(ts)s %s" in " ".join(text.bounded["Sig1"].split())
    assert "Phó Chủ tịch %%" in text.bounded["Sig1"]


def test_characters_the_font_lacks_are_refused() -> None:
    stamp = LeaderStamp("王小明 😀", "Chủ tịch", AGENCY, SIGNED_AT)

    with pytest.raises(SigningError, match="U\\+738B"):
        stamp_style(stamp)


def test_unreadable_signature_image_is_refused() -> None:
    stamp = LeaderStamp("Trần Văn Minh", "Chủ tịch", AGENCY, SIGNED_AT, b"GIF89a not a png")

    with pytest.raises(SigningError, match="not a readable PNG or JPEG"):
        stamp_style(stamp)


# --- the seal image ---------------------------------------------------------------------------


def test_seal_image_is_a_red_seal_on_a_transparent_background() -> None:
    data = make_seal_image(AGENCY, size_px=400)

    with Image.open(io.BytesIO(data)) as opened:
        image_format, image = opened.format, opened.convert("RGBA")
    colours = image.getcolors(maxcolors=400 * 400) or []
    opaque = [(count, rgba) for count, rgba in colours if rgba[3] == 255]  # type: ignore[index]
    corners = [image.getpixel(xy) for xy in ((0, 0), (399, 0), (0, 399), (399, 399))]

    assert image_format == "PNG" and image.size == (400, 400)
    assert [rgba[3] for rgba in corners] == [0, 0, 0, 0]  # type: ignore[index]
    assert image.getpixel((200, 200))[0] > 180  # type: ignore[index]  # the star's centre
    assert sum(count for count, _ in opaque) > 400 * 400 // 20
    assert all(r > 150 and g < 90 and b < 100 for _, (r, g, b, _) in opaque)  # type: ignore[misc]


def test_seal_image_needs_a_usable_size() -> None:
    with pytest.raises(ValueError, match="at least 64"):
        make_seal_image(AGENCY, size_px=32)


# --- where stamps go --------------------------------------------------------------------------


@pytest.mark.parametrize("page", [A4, (841.89, 595.28), (612.0, 792.0), (420.94, 595.28)])
def test_default_boxes_sit_side_by_side_on_the_page(page: tuple[float, float]) -> None:
    boxes: list[Box] = []
    for slot in itertools.count():
        try:
            boxes.append(default_box(*page, slot))
        except ValueError:
            break

    assert len(boxes) >= 6
    assert all(0 <= x1 < x2 <= page[0] and 0 <= y1 < y2 <= page[1] for x1, y1, x2, y2 in boxes)
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert boxes[0][2] > boxes[1][2]  # slot 0 at the right, where the signer's block goes
    assert boxes[0][1] == min(box[1] for box in boxes)


def test_default_box_is_slot_zero_of_an_a4_page() -> None:
    assert default_box(*A4, 0) == DEFAULT_BOX
    with pytest.raises(ValueError, match="No stamp slot"):
        default_box(*A4, -1)
    with pytest.raises(ValueError, match="No stamp slot"):
        default_box(150.0, 300.0, 0)
