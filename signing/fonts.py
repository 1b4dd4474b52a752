"""The Vietnamese stamp font: a static Noto Sans Regular cut once per process, and its metrics.

pyHanko writes glyph widths in font units as if every font had 1000 units per em; a 2048-unit
font (DejaVu, Times New Roman) therefore spreads its text out of the box. We cut a static
Noto Sans Regular (1000 units per em, full Vietnamese coverage) out of the variable font of the
``fontpkg-noto-sans`` package once per process and use it for every stamp.
"""

from __future__ import annotations

import functools
import io
import os
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools import subset, ttLib
from fontTools.varLib import instancer
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .errors import SigningError

__all__ = [
    "InMemoryGlyphAccumulatorFactory",
    "advance_widths",
    "check_coverage",
    "clean_line",
    "vietnamese_font_path",
]

_FONT_FILE = "NotoSans[wdth,wght].ttf"
_FONT_AXES = {"wght": 400, "wdth": 100}
# pyHanko shapes precomposed (NFC) Vietnamese without the layout tables, and instancing their
# variations is what makes the cut take ~5 s instead of ~1 s.
_DROPPED_TABLES = ("GDEF", "GPOS", "GSUB")
_UNITS_PER_EM = 1000


# --- cutting the static instance --------------------------------------------------------------


def _noto_sans_source() -> Path:
    """Return the variable Noto Sans font of the ``fontpkg-noto-sans`` package."""
    try:
        import fontpkg_noto_sans
    except ImportError as exc:
        raise SigningError(
            "The font package fontpkg-noto-sans is not installed; "
            "run `pip install fontpkg-noto-sans` to draw signature stamps."
        ) from exc
    path = Path(fontpkg_noto_sans.ROOT) / "files" / _FONT_FILE
    if not path.is_file():
        raise SigningError(f"Noto Sans not found at {path}; reinstall fontpkg-noto-sans.")
    return path


def _font_cache_dir() -> Path:
    """Return a private per-user cache directory in the temporary directory."""
    uid = os.getuid()
    directory = Path(tempfile.gettempdir()) / f"signing-fonts-{uid}"
    directory.mkdir(mode=0o700, exist_ok=True)
    info = directory.lstat()
    # A shared /tmp: another user must not be able to plant the font we embed in signed PDFs.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o022:
        raise SigningError(f"Font cache {directory} is not a private directory of this user.")
    return directory


def _cut_static_instance(source: Path, target: Path) -> None:
    """Write the Regular static instance of the variable font to ``target`` atomically."""
    with ttLib.TTFont(source, lazy=True, recalcTimestamp=False) as font:
        for tag in _DROPPED_TABLES:
            if tag in font:
                del font[tag]
        instancer.instantiateVariableFont(font, dict(_FONT_AXES), inplace=True, static=True)
        _keep_latin_and_vietnamese(font)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".cut-", suffix=".ttf")
        try:
            with os.fdopen(fd, "wb") as handle:
                font.save(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise


#: Latin (with every Vietnamese letter), punctuation, the đồng sign: pyHanko subsets the font
#: for every stamp, and a font of ~1,000 glyphs instead of ~3,700 makes that several times
#: faster. Other scripts are refused by name in :func:`check_coverage`.
_KEPT_UNICODES = [
    *range(0x20, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    0x20AB,
    0x20AC,
    0x2116,
    0x2122,
]


def _keep_latin_and_vietnamese(font: ttLib.TTFont) -> None:
    """Drop every glyph outside :data:`_KEPT_UNICODES` (and hinting) from ``font``."""
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_KEPT_UNICODES)
    subsetter.subset(font)


@functools.cache
def vietnamese_font_path() -> Path:
    """Return a static Noto Sans Regular font (1000 units per em), cut once and cached.

    The cut (~1 s) is cached in ``$TMPDIR/signing-fonts-<uid>/`` under a name that carries the
    source font's size and modification time, so a package upgrade triggers a new cut.

    :raises SigningError: the font package is missing, the cache directory is not private, or
        the font does not have 1000 units per em.
    """
    source = _noto_sans_source()
    info = source.stat()
    name = f"NotoSans-Regular-vi-{info.st_size}-{info.st_mtime_ns}.ttf"
    target = _font_cache_dir() / name
    if not target.is_file():
        _cut_static_instance(source, target)
    with ttLib.TTFont(target, lazy=True) as font:
        units_per_em = font["head"].unitsPerEm
    if units_per_em != _UNITS_PER_EM:
        raise SigningError(
            f"{target} has {units_per_em} units per em; pyHanko needs {_UNITS_PER_EM}."
        )
    return target


# --- using the font ---------------------------------------------------------------------------


@functools.cache
def advance_widths() -> dict[str, float]:
    """Return each character's advance width in ems (no kerning: the font has no GPOS).

    :return: a mapping from every character the stamp font draws to its advance width.
    :raises SigningError: as :func:`vietnamese_font_path`.
    """
    with ttLib.TTFont(vietnamese_font_path(), lazy=True) as font:
        metrics = font["hmtx"]
        return {
            chr(code): metrics[glyph][0] / _UNITS_PER_EM
            for code, glyph in font.getBestCmap().items()
        }


def clean_line(value: str) -> str:
    """Return ``value`` as one NFC line: control characters become spaces, runs collapse.

    NFC because the font has no GSUB: only precomposed Vietnamese letters are drawn right.

    :param value: a user-supplied value (a name, a title, an agency).
    :return: the value on one line, ready for the stamp font.
    """
    text = unicodedata.normalize("NFC", value)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    return " ".join("".join(kept).split())


def check_coverage(text: str) -> None:
    """Raise ``SigningError`` naming the characters the stamp font cannot draw.

    :param text: the stamp text; its line breaks are ignored.
    :raises SigningError: the font lacks a character of ``text``.
    """
    missing = sorted(set(text.replace("\n", "")) - advance_widths().keys())
    if missing:
        shown = " ".join(f"{char!r} (U+{ord(char):04X})" for char in missing)
        raise SigningError(f"The stamp font cannot draw {shown}; remove these characters.")


@functools.cache
def _font_bytes(path: str) -> bytes:
    """Return the bytes of a font file (read once per process)."""
    return Path(path).read_bytes()


@dataclass(frozen=True)
class InMemoryGlyphAccumulatorFactory(GlyphAccumulatorFactory):
    """A ``GlyphAccumulatorFactory`` that reads the font from memory.

    pyHanko's own factory opens the font file and never closes it (a ResourceWarning per stamp).
    """

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> GlyphAccumulator:
        """Return a glyph accumulator over an in-memory copy of the font.

        :param writer: the PDF writer the font is embedded into.
        :param obj_stream: the object stream to put the font's objects in, if any.
        :return: a fresh glyph accumulator for one stamp.
        """
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )
