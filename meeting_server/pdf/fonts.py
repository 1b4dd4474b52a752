"""The serif of the PDFs we generate with fpdf2 (demo documents, minutes, attendance sheets).

Decree 30 documents are set in Times New Roman: we use Tinos (its metrics, every Vietnamese
letter), vendored from npm by ``make install`` and cut by the project's one font cutter,
:func:`signing.fonts.static_serif`, once per user (1000 units per em, like the stamps). A
sandboxed child (``children/minutes.py``) finds the same cut in the same private folder, or
cuts it itself (~0.5 s a face) the first time.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path

import pikepdf
from fontTools import ttLib
from fpdf import FPDF

from signing.fonts import static_serif

__all__ = [
    "FAMILY",
    "add_fonts",
    "drawable",
    "static_fonts",
    "without_open_action",
]

#: The family name the faces are registered under in an ``FPDF`` document.
FAMILY = "Tinos"


@functools.cache
def static_fonts() -> dict[str, Path]:
    """Return the regular, bold, italic and bold italic faces (every glyph), cut once per user.

    :raises signing.SigningError: the vendored font is missing (the message says what to run).
    """
    return {
        "": static_serif(400, unicodes=None),
        "B": static_serif(700, unicodes=None),
        "I": static_serif(400, italic=True, unicodes=None),
        "BI": static_serif(700, italic=True, unicodes=None),
    }


def add_fonts(pdf: FPDF) -> None:
    """Register the four faces as ``FAMILY`` in ``pdf``."""
    for style, path in static_fonts().items():
        pdf.add_font(FAMILY, style, path)


@functools.cache
def _covered() -> frozenset[int]:
    with ttLib.TTFont(static_fonts()[""], lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str) -> str:
    """Return ``text`` in NFC (no combining accents to misplace), tabs as spaces, and every
    character the font lacks (emoji, CJK, control characters) as "?"."""
    text = unicodedata.normalize("NFC", text).replace("\t", "    ")
    covered = _covered()
    return "".join(c if c == "\n" or (c.isprintable() and ord(c) in covered) else "?" for c in text)


def without_open_action(pdf: FPDF) -> bytes:
    """Serialise ``pdf`` without the /OpenAction that fpdf2 always writes.

    Our upload screening strips that action, so a generated file uploaded again is stored
    byte for byte (same SHA-256) only without it.
    """
    with pikepdf.open(io.BytesIO(pdf.output())) as document:
        if "/OpenAction" in document.Root:
            del document.Root["/OpenAction"]
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()
