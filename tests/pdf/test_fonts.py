"""The faces of the PDFs we generate: the Tinos serif, at 1000 units per em, in all four styles."""

from __future__ import annotations

import io
import os

import pytest
from fontTools import ttLib
from fpdf import FPDF
from pypdf import PdfReader

from meeting_server.pdf.fonts import FAMILY, add_fonts, drawable, static_fonts
from meeting_server.services import minutes as minutes_service


def test_the_documents_family_is_tinos_in_four_styles_at_1000_units_per_em():
    faces = static_fonts()

    assert FAMILY == "Tinos"
    assert set(faces) == {"", "B", "I", "BI"}
    for style, path in faces.items():
        with ttLib.TTFont(path, lazy=True) as font:
            assert font["head"].unitsPerEm == 1000, style
            assert font["name"].getDebugName(1) == "Tinos", style
            assert len(font.getBestCmap()) > 2000, style  # every glyph, not the stamps' subset


def test_vietnamese_is_kept_and_what_tinos_lacks_becomes_a_question_mark():
    assert drawable("Biên bản cuộc họp – Đồng ý ỹ\tx") == "Biên bản cuộc họp – Đồng ý ỹ    x"
    assert drawable("Ha\u0300 Nô\u0323i 会议 🙂") == "Hà Nội ?? ?"


@pytest.mark.parametrize("style", ["", "B", "I", "BI"])
def test_a_page_set_in_each_style_embeds_that_tinos_face(style):
    pdf = FPDF()
    add_fonts(pdf)
    pdf.add_page()
    pdf.set_font(FAMILY, style, 13)
    pdf.cell(text="Cộng hòa xã hội chủ nghĩa Việt Nam")

    page = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]
    (font,) = page["/Resources"]["/Font"].values()
    expected = {"": "Tinos", "B": "TinosBold", "I": "TinosItalic", "BI": "TinosBoldItalic"}
    assert str(font.get_object()["/BaseFont"]).split("+")[-1] == expected[style]
    assert page.extract_text() == "Cộng hòa xã hội chủ nghĩa Việt Nam"


def test_the_sandboxed_child_cuts_the_serif_itself_within_its_limits(
    published_meeting, tmp_path, monkeypatch
):
    """A fresh machine: no cut yet in the child's private font folder (its TMPDIR)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # read by the child only: the parent's is set

    pdf = minutes_service.render_pdf("attendance", minutes_service.minutes_data(published_meeting))

    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
    assert {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in fonts} <= {
        "Tinos",
        "TinosBold",
        "TinosItalic",
        "TinosBoldItalic",
    }
    cut = sorted(
        p.name.split("-")[0] for p in (tmp_path / f"signing-fonts-{os.getuid()}").iterdir()
    )
    assert cut == sorted(
        ["Tinos_400Regular", "Tinos_700Bold", "Tinos_400Regular_Italic", "Tinos_700Bold_Italic"]
    )
