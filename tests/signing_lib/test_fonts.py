"""The serif of stamps and documents: Tinos cut to 1000 units per em, drawn at its real widths.

pyHanko writes a stamp font's glyph widths (``/W``) in font units as if every font had 1000
units per em; Tinos has 2048, so uncut it would spread the stamp's text out of its box.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from fontTools import ttLib
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from signing.errors import SigningError
from signing.fonts import (
    SERIF_ENV,
    advance_widths,
    sans_font_path,
    serif_source,
    set_serif_source,
    static_serif,
    vietnamese_font_path,
)
from signing.stamps import DEFAULT_BOX, InMemoryGlyphAccumulatorFactory, LeaderStamp, stamp_style

FACES = [(400, False), (700, False), (400, True), (700, True)]
_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
#: Every Vietnamese letter, lower and upper case, with each of the five tones (134 + đ/Đ).
VIETNAMESE_LETTERS = sorted(
    {
        unicodedata.normalize("NFC", letter)
        for base in _BASES
        for tone in _TONES
        for letter in (base + tone, base.upper() + tone)
    }
    | {"đ", "Đ"}
)
STAMP = LeaderStamp(
    full_name="Nguyễn Thị Phương Thảo",
    title="Phó Chủ tịch Ủy ban nhân dân",
    organisation="Ủy ban nhân dân Thành phố Hòa Bình Xanh",
    signed_at=datetime(2026, 11, 22, 3, 15, 3, tzinfo=UTC),
)


@pytest.fixture
def stamp_font_forgotten() -> Iterator[None]:
    """Let a test choose the serif's folder; the environment and the chosen font come back."""
    original = os.environ.get(SERIF_ENV)
    set_serif_source(None)
    yield
    set_serif_source(None if original is None else Path(original))


def _signed(simple: signers.SimpleSigner, style: TextStampStyle) -> bytes:
    """Return a blank A4 page signed into a new field drawn with ``style``."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595.28, 841.89))
        blank = io.BytesIO()
        pdf.save(blank)
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Sig1"),
        simple,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec("Sig1", box=DEFAULT_BOX, on_page=-1),
    )
    return bytes(pdf_signer.sign_pdf(IncrementalPdfFileWriter(blank)).getvalue())


def _type0_fonts(resources: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """Yield the Type0 fonts of ``resources`` and of the form XObjects it holds, deeply."""
    for font in resources.get("/Font", {}).values():
        if font.get("/Subtype") == pikepdf.Name.Type0:
            yield font
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == pikepdf.Name.Form and "/Resources" in xobject:
            yield from _type0_fonts(xobject.Resources)


def _widths_against_advances(data: bytes) -> list[tuple[str, float, float]]:
    """Return (font, width in /W, the embedded glyph's advance per 1000 em) for each glyph."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (widget,) = pdf.pages[0].Annots
        for font in _type0_fonts(widget.AP.N.Resources):
            cid_font = font.DescendantFonts[0]
            program = cid_font.FontDescriptor.FontFile2.read_bytes()
            with ttLib.TTFont(io.BytesIO(program)) as embedded:
                per_unit = 1000 / embedded["head"].unitsPerEm
                order, metrics = embedded.getGlyphOrder(), embedded["hmtx"]
                entries = list(cid_font.W)
                for first, widths in zip(entries[::2], entries[1::2], strict=True):
                    for cid, width in enumerate(widths, start=int(first)):  # CID = GID
                        advance = metrics[order[cid]][0] * per_unit
                        found.append((str(font.BaseFont), float(width), advance))
    return found


@pytest.mark.parametrize(("weight", "italic"), FACES)
def test_each_serif_face_has_1000_units_per_em_and_every_vietnamese_letter(
    weight: int, italic: bool
) -> None:
    with ttLib.TTFont(serif_source(weight, italic=italic)) as source:
        source_per_em = source["head"].unitsPerEm
        source_cmap, source_metrics = source.getBestCmap(), source["hmtx"]
        source_advances = {c: source_metrics[source_cmap[ord(c)]][0] for c in VIETNAMESE_LETTERS}

    with ttLib.TTFont(static_serif(weight, italic=italic)) as font:
        units_per_em = font["head"].unitsPerEm
        cmap, metrics = font.getBestCmap(), font["hmtx"]
        missing = [c for c in VIETNAMESE_LETTERS if ord(c) not in cmap]
        advances = {c: metrics[cmap[ord(c)]][0] for c in VIETNAMESE_LETTERS if c not in missing}
        tables = set(font.keys())

    assert len(VIETNAMESE_LETTERS) == 2 * (len(_BASES) * len(_TONES) + 1)
    assert all(len(letter) == 1 for letter in VIETNAMESE_LETTERS)  # precomposed, as drawn
    assert source_per_em == 2048
    assert units_per_em == 1000
    assert missing == []
    # The glyphs were scaled, not only the header: each advance is the source's in 1000ths.
    for letter, advance in advances.items():
        assert abs(advance - source_advances[letter] * 1000 / 2048) <= 0.5, letter
    assert tables.isdisjoint({"fvar", "GSUB", "GPOS", "GDEF", "fpgm", "prep", "cvt "})


def test_the_stamps_are_drawn_in_the_serif_and_the_seal_in_noto_sans() -> None:
    assert vietnamese_font_path().name.startswith("Tinos_400Regular-upm1000-")
    assert sans_font_path().name.startswith("NotoSans-400-")
    assert advance_widths()["W"] == pytest.approx(0.944, abs=0.002)  # Times New Roman's W


def test_a_stamp_in_the_serif_carries_the_widths_of_its_glyphs(
    signer: signers.SimpleSigner,
) -> None:
    widths = _widths_against_advances(_signed(signer, stamp_style(STAMP)))

    assert {font.split("+")[-1].split("-")[0] for font, _, _ in widths} == {"Tinos"}
    assert len(widths) > 30
    assert [(w, a) for _, w, a in widths if abs(w - a) > 1] == []


def test_the_width_check_catches_pyhankos_bug_with_the_uncut_2048_unit_font(
    signer: signers.SimpleSigner,
) -> None:
    style = stamp_style(STAMP)
    uncut = InMemoryGlyphAccumulatorFactory(str(serif_source()))
    style = dataclasses.replace(
        style, text_box_style=dataclasses.replace(style.text_box_style, font=uncut)
    )

    widths = _widths_against_advances(_signed(signer, style))

    spread = [width / advance for _, width, advance in widths if advance]
    assert spread and all(ratio == pytest.approx(2.048, abs=0.01) for ratio in spread)


def test_a_missing_serif_says_to_run_make_install(
    tmp_path: Path, stamp_font_forgotten: None
) -> None:
    set_serif_source(tmp_path)

    with pytest.raises(SigningError, match=r"Run `make install`"):
        vietnamese_font_path()


def test_the_chosen_serif_folder_serves_this_process_and_its_children(
    tmp_path: Path, stamp_font_forgotten: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen, temporary = tmp_path / "tinos", tmp_path / "tmp"
    chosen.mkdir()
    temporary.mkdir()
    shutil.copy(serif_source(), chosen / "Tinos_400Regular.ttf")
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # cut into a folder of this test
    set_serif_source(chosen)

    in_child = subprocess.run(
        [sys.executable, "-c", "from signing.fonts import serif_source; print(serif_source())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()

    assert serif_source() == chosen / "Tinos_400Regular.ttf"
    assert in_child == str(chosen / "Tinos_400Regular.ttf")
    assert vietnamese_font_path().parent == temporary / f"signing-fonts-{os.getuid()}"
