"""Noto Sans for the PDFs we generate with fpdf2 (demo documents, minutes, attendance sheets).

The faces are cut from the ``fontpkg-noto-sans`` variable fonts by the project's one font
cutter, :func:`signing.fonts.static_noto_sans`, once per user.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path

import pikepdf
from fontTools import ttLib
from fpdf import FPDF

from signing.fonts import static_noto_sans

__all__ = ["FAMILY", "add_noto_sans", "drawable", "static_fonts", "without_open_action"]

#: The family name the faces are registered under in an ``FPDF`` document.
FAMILY = "NotoSans"


@functools.cache
def static_fonts() -> dict[str, Path]:
    """Return the regular, bold and italic faces (every glyph of the font), cut once per user.

    :raises signing.SigningError: the font package is missing (the message says what to run).
    """
    return {
        "": static_noto_sans(400, unicodes=None),
        "B": static_noto_sans(700, unicodes=None),
        "I": static_noto_sans(400, italic=True, unicodes=None),
    }


def add_noto_sans(pdf: FPDF) -> None:
    """Register the regular, bold and italic faces as ``FAMILY`` in ``pdf``."""
    for style, path in static_fonts().items():
        pdf.add_font(FAMILY, style, path)


@functools.cache
def _covered() -> frozenset[int]:
    with ttLib.TTFont(static_fonts()[""], lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str) -> str:
    """Return ``text`` in NFC (no combining accents to misplace), tabs as spaces, and every
    character Noto Sans lacks (emoji, CJK, control characters) as "?"."""
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
