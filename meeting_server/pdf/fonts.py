"""Noto Sans for the PDFs we generate with fpdf2 (demo documents, minutes, attendance sheets).

The font comes from the PyPI package ``fontpkg-noto-sans`` as a variable font; fpdf2 needs
static faces, so the regular, bold and italic instances are cut once (≈5 s) and kept in a
private per-user cache folder shared by every process and installation of this user.
"""

from __future__ import annotations

import functools
import io
import os
import unicodedata
from pathlib import Path

import pikepdf
from fontTools import ttLib
from fontTools.varLib import instancer
from fpdf import FPDF

from .font_cache import font_cache_folder

__all__ = [
    "FAMILY",
    "add_noto_sans",
    "drawable",
    "font_cache_folder",
    "noto_sans_path",
    "static_fonts",
    "without_open_action",
]

#: The family name the faces are registered under in an ``FPDF`` document.
FAMILY = "NotoSans"


def noto_sans_path() -> Path:
    """Return the variable Noto Sans font shipped by the ``fontpkg-noto-sans`` package."""
    try:
        import fontpkg_noto_sans
    except ImportError as exc:
        raise RuntimeError(
            "Font package fontpkg-noto-sans is not installed; "
            "run `pip install fontpkg-noto-sans` to generate PDFs."
        ) from exc
    path = Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"
    if not path.is_file():
        raise RuntimeError(f"Noto Sans font not found at {path}; reinstall fontpkg-noto-sans.")
    return path


def _instantiate(source: Path, weight: int, target: Path) -> None:
    """Write a static instance of a variable Noto Sans font at the given weight."""
    with ttLib.TTFont(source, recalcTimestamp=False, lazy=True) as font:
        # fpdf2 strips the OpenType layout tables when embedding (we use no text shaping), and
        # instancing their variations is what makes one weight take ~5 s instead of ~1 s.
        for tag in ("GDEF", "GPOS", "GSUB"):
            if tag in font:
                del font[tag]
        axes = {"wght": weight, "wdth": 100}
        instancer.instantiateVariableFont(font, axes, inplace=True, static=True)
        font.save(target)


@functools.cache
def static_fonts() -> dict[str, Path]:
    """Return the regular, bold and italic faces, cut on first use and then kept on disk."""
    regular = noto_sans_path()
    italic = regular.with_name("NotoSans-Italic[wdth,wght].ttf")
    if not italic.is_file():
        raise RuntimeError(f"Noto Sans Italic not found at {italic}; reinstall fontpkg-noto-sans.")
    folder = font_cache_folder()
    faces = {"": (regular, 400), "B": (regular, 700), "I": (italic, 400)}
    paths: dict[str, Path] = {}
    for style, (source, weight) in faces.items():
        # Named by the source's size and time, so that a font package upgrade cuts anew.
        source_info = source.stat()
        name = f"{source.stem}-{weight}-{source_info.st_size}-{int(source_info.st_mtime)}.ttf"
        paths[style] = folder / name
        if not paths[style].is_file():
            partial = folder / f".{name}.{os.getpid()}.tmp"
            _instantiate(source, weight, partial)
            os.replace(partial, paths[style])  # atomic: a racing process reads a whole font
    return paths


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
