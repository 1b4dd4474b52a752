"""Static fonts cut once per user: the one font cutter of the project.

Two families, both cut to static faces with 1000 units per em and without layout tables
(subset to Latin and Vietnamese unless every glyph is asked for), kept in a private per-user
folder (:func:`private_font_folder`) under a name that
carries the source's size and time:

- **Tinos**, the serif with Times New Roman's metrics (Decree 30 documents), from the npm
  package ``@expo-google-fonts/tinos`` that ``make install`` copies into
  ``meeting_server/static/vendor/fonts/tinos`` (:func:`static_serif`). The stamps
  (:func:`vietnamese_font_path`, :func:`advance_widths`), the minutes and attendance sheets
  and the demo documents use it.
- **Noto Sans** from the ``fontpkg-noto-sans`` variable fonts (:func:`static_noto_sans`), for
  what is not document text: the confidential watermark, the verification address beside
  the QR code, the drawn red seal (:func:`sans_font_path`).

pyHanko writes glyph widths in font units as if every font had 1000 units per em; a 2048-unit
font (Tinos, DejaVu, Times New Roman) would spread its text out of the box. Noto Sans has
1000; the Tinos cut is scaled to 1000 (fontTools ``scaleUpem``).

Where Tinos is read from (:func:`serif_source`): the folder named by the environment variable
``SIGNING_SERIF_FONTS`` (:func:`set_serif_source` sets it, so the sandboxed children a process
starts inherit it), else :data:`BUNDLED_SERIF_FOLDER`, the vendored copy beside this package
in a checkout after ``make install`` and in the installed wheel.

This module imports fontTools only when it cuts or reads a font, so a server or a sandboxed
child that only needs a folder's path loads nothing.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SigningError

if TYPE_CHECKING:
    from fontTools import ttLib

__all__ = [
    "BUNDLED_SERIF_FOLDER",
    "LATIN_AND_VIETNAMESE",
    "SERIF_ENV",
    "advance_widths",
    "check_coverage",
    "clean_line",
    "noto_sans_source",
    "private_font_folder",
    "sans_font_path",
    "serif_source",
    "set_serif_source",
    "static_noto_sans",
    "static_serif",
    "vietnamese_font_path",
]

_FONT_FILES = {False: "NotoSans[wdth,wght].ttf", True: "NotoSans-Italic[wdth,wght].ttf"}
# pyHanko and fpdf2 draw precomposed (NFC) Vietnamese without the layout tables, and instancing
# their variations is what makes a cut take ~5 s instead of ~1 s.
_DROPPED_TABLES = ("GDEF", "GPOS", "GSUB")
_UNITS_PER_EM = 1000

#: The environment variable naming the folder that holds the four Tinos files.
SERIF_ENV = "SIGNING_SERIF_FONTS"
#: Where ``make install`` puts Tinos: beside this package, in a checkout and in the wheel.
_PACKAGES = Path(__file__).resolve().parents[1]  # where signing/ and meeting_server/ lie
BUNDLED_SERIF_FOLDER = _PACKAGES / "meeting_server" / "static" / "vendor" / "fonts" / "tinos"
_SERIF_FILES = {
    (400, False): "Tinos_400Regular.ttf",
    (400, True): "Tinos_400Regular_Italic.ttf",
    (700, False): "Tinos_700Bold.ttf",
    (700, True): "Tinos_700Bold_Italic.ttf",
}

#: Latin (with every Vietnamese letter), punctuation, the đồng sign. A font of ~1,000 glyphs
#: instead of ~3,700 makes pyHanko's and fpdf2's per-document subsetting several times faster;
#: other scripts are refused by name (:func:`check_coverage`) or drawn as "?".
LATIN_AND_VIETNAMESE: tuple[int, ...] = (
    *range(0x20, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    0x20AB,
    0x20AC,
    0x2116,
    0x2122,
)


# --- cutting -----------------------------------------------------------------------------------


def noto_sans_source(*, italic: bool = False) -> Path:
    """Return the variable Noto Sans (or Noto Sans Italic) of the ``fontpkg-noto-sans`` package.

    :raises SigningError: the package is missing or incomplete (the message says what to run).
    """
    try:
        import fontpkg_noto_sans
    except ImportError as exc:
        raise SigningError(
            "The font package fontpkg-noto-sans is not installed; "
            "run `pip install fontpkg-noto-sans` to draw Vietnamese text."
        ) from exc
    path = Path(fontpkg_noto_sans.ROOT) / "files" / _FONT_FILES[italic]
    if not path.is_file():
        raise SigningError(f"Noto Sans not found at {path}; reinstall fontpkg-noto-sans.")
    return path


def private_font_folder() -> Path:
    """Return the per-user folder where cut fonts are kept, creating it if needed.

    It sits in the temporary directory, outside any installation's storage, so that every
    process, installation and test of this user shares one cut of each face.

    :raises SigningError: the folder is not a private folder of this user (on a shared /tmp,
        another user must not be able to plant the font we embed in signed PDFs).
    """
    uid = os.getuid()
    folder = Path(tempfile.gettempdir()) / f"signing-fonts-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o022:
        raise SigningError(f"Font cache {folder} is not a private directory of this user.")
    return folder


def static_noto_sans(
    weight: int = 400,
    *,
    italic: bool = False,
    unicodes: Iterable[int] | None = LATIN_AND_VIETNAMESE,
    folder: Path | None = None,
) -> Path:
    """Return a static Noto Sans face, cut on first use (~1 s) and then read from disk.

    :param weight: the ``wght`` axis value: 400 regular, 600 semibold, 700 bold.
    :param italic: cut Noto Sans Italic instead.
    :param unicodes: the characters to keep (:data:`LATIN_AND_VIETNAMESE` by default), or
        None for every character of the font.
    :param folder: where to keep the cut; :func:`private_font_folder` by default (a parent
        process passes that folder to a sandboxed child, which cannot create it).
    :raises SigningError: as :func:`noto_sans_source` and :func:`private_font_folder`.
    """
    source = noto_sans_source(italic=italic)
    kept = None if unicodes is None else tuple(sorted(set(unicodes)))
    face = source.stem.split("[")[0]
    target = (folder or private_font_folder()) / _cut_name(source, f"{face}-{weight}", kept)
    if not target.is_file():
        _cut(source, target, weight, kept)
    return target


def _cut(source: Path, target: Path, weight: int, unicodes: tuple[int, ...] | None) -> None:
    """Write the static instance of ``source`` at ``weight`` to ``target`` atomically."""
    from fontTools import ttLib
    from fontTools.varLib import instancer

    with ttLib.TTFont(source, lazy=True, recalcTimestamp=False) as font:
        for tag in _DROPPED_TABLES:
            if tag in font:
                del font[tag]
        instancer.instantiateVariableFont(
            font, {"wght": weight, "wdth": 100}, inplace=True, static=True
        )
        if unicodes is not None:
            _keep_only(font, unicodes)
        _save(font, target)


def _save(font: ttLib.TTFont, target: Path) -> None:
    """Write ``font`` to ``target`` atomically."""
    # A racing process writes its own temporary file; the rename is atomic, so a reader
    # always finds a whole font.
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


def _keep_only(font: ttLib.TTFont, unicodes: tuple[int, ...]) -> None:
    """Drop every glyph outside ``unicodes`` (and the hinting) from ``font``."""
    from fontTools import subset

    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)


# --- the serif ---------------------------------------------------------------------------------


def set_serif_source(folder: Path | None) -> None:
    """Read Tinos from ``folder`` in this process and the children it starts from now on.

    It sets :data:`SERIF_ENV` (None removes it: back to :data:`BUNDLED_SERIF_FOLDER`) and
    forgets the stamp font chosen so far. Call it at start, before anything draws: faces a
    caller has already looked up (say, an fpdf2 family it caches) stay as they were.

    :param folder: a folder holding ``Tinos_400Regular.ttf`` and its three sisters, or None.
    """
    if folder is None:
        os.environ.pop(SERIF_ENV, None)
    else:
        os.environ[SERIF_ENV] = str(folder)
    vietnamese_font_path.cache_clear()
    advance_widths.cache_clear()


def serif_source(weight: int = 400, *, italic: bool = False) -> Path:
    """Return the Tinos file of ``weight`` (400 or 700), upright or italic.

    :raises SigningError: there is no such face, or the file is missing (the message says
        what to run).
    """
    name = _SERIF_FILES.get((weight, italic))
    if name is None:
        raise SigningError(f"Tinos has no face of weight {weight} (400 and 700 only).")
    configured = os.environ.get(SERIF_ENV)
    path = (Path(configured) if configured else BUNDLED_SERIF_FOLDER) / name
    if not path.is_file():
        where = f"{SERIF_ENV}={configured}" if configured else "the vendored fonts"
        raise SigningError(
            f"The serif font Tinos is missing: no {path} ({where}). Run `make install` (it "
            f"copies Tinos from npm into {BUNDLED_SERIF_FOLDER}) or set {SERIF_ENV} to a "
            "folder holding the four Tinos_*.ttf files of @expo-google-fonts/tinos."
        )
    return path


def static_serif(
    weight: int = 400,
    *,
    italic: bool = False,
    unicodes: Iterable[int] | None = LATIN_AND_VIETNAMESE,
    folder: Path | None = None,
) -> Path:
    """Return a Tinos face scaled to 1000 units per em, cut on first use and then read from disk.

    :param weight: 400 regular or 700 bold.
    :param italic: the italic face instead.
    :param unicodes: the characters to keep (:data:`LATIN_AND_VIETNAMESE` by default), or
        None for every character of the font.
    :param folder: where to keep the cut; :func:`private_font_folder` by default.
    :raises SigningError: as :func:`serif_source` and :func:`private_font_folder`.
    """
    source = serif_source(weight, italic=italic)
    kept = None if unicodes is None else tuple(sorted(set(unicodes)))
    face = f"{source.stem}-upm{_UNITS_PER_EM}"
    target = (folder or private_font_folder()) / _cut_name(source, face, kept)
    if not target.is_file():
        _cut_scaled(source, target, kept)
    return target


def _cut_name(source: Path, face: str, kept: tuple[int, ...] | None) -> str:
    """Name a cut by its face, what was kept and the source's size and time.

    So an upgrade of the source cuts anew.
    """
    kept_tag = (
        "all" if kept is None else hashlib.blake2s(repr(kept).encode(), digest_size=4).hexdigest()
    )
    info = source.stat()
    return f"{face}-{kept_tag}-{info.st_size}-{info.st_mtime_ns}.ttf"


def _cut_scaled(source: Path, target: Path, unicodes: tuple[int, ...] | None) -> None:
    """Write ``source`` subset, unhinted, without layout tables, at 1000 units/em to ``target``."""
    from fontTools import ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    with ttLib.TTFont(source, recalcTimestamp=False) as font:
        for tag in _DROPPED_TABLES:
            if tag in font:
                del font[tag]
        # Always subset: it drops the hinting, whose instructions scaling would break.
        _keep_only(font, tuple(font.getBestCmap()) if unicodes is None else unicodes)
        scale_upem(font, _UNITS_PER_EM)
        _save(font, target)


# --- the stamp font --------------------------------------------------------------------------


@functools.cache
def vietnamese_font_path() -> Path:
    """Return the stamps' font: Tinos Regular, Latin and Vietnamese, 1000 units/em.

    :raises SigningError: as :func:`static_serif`, or the font does not have 1000 units
        per em (pyHanko would misplace its text).
    """
    return _checked(static_serif(400))


@functools.cache
def sans_font_path() -> Path:
    """Return static Noto Sans Regular, Latin and Vietnamese (the drawn seal's lettering).

    :raises SigningError: as :func:`static_noto_sans`.
    """
    return _checked(static_noto_sans(400))


def _checked(target: Path) -> Path:
    """Return ``target`` if it has 1000 units per em, else raise ``SigningError``."""
    from fontTools import ttLib

    with ttLib.TTFont(target, lazy=True) as font:
        units_per_em = font["head"].unitsPerEm
    if units_per_em != _UNITS_PER_EM:
        raise SigningError(
            f"{target} has {units_per_em} units per em; pyHanko needs {_UNITS_PER_EM}."
        )
    return target


@functools.cache
def advance_widths() -> dict[str, float]:
    """Return each character's advance width in ems (no kerning: the font has no GPOS).

    :return: a mapping from every character the stamp font draws to its advance width.
    :raises SigningError: as :func:`vietnamese_font_path`.
    """
    from fontTools import ttLib

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
