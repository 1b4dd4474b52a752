"""Visible signature stamps: the text, the field slots and the pyHanko stamp styles.

The Vietnamese font lives in :mod:`signing.fonts`, the drawn red seal in :mod:`signing.seal_image`.
"""

from __future__ import annotations

import functools
import io
import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from PIL import Image
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.layout import (
    AxisAlignment,
    BoxConstraints,
    InnerScaling,
    Margins,
    SimpleBoxLayoutRule,
)
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import TextStampStyle

from .errors import SigningError
from .fonts import (
    advance_widths,
    check_coverage,
    clean_line,
    vietnamese_font_path,  # re-exported: callers import it from signing.stamps
)
from .placement import (  # re-exported: callers import them from signing.stamps
    DEFAULT_BOX,
    IMAGE_HEIGHT_SHARE,
    IMAGE_SHARE,
    INSET,
    Box,
    default_box,
    seal_box,
)
from .seal_image import make_seal_image  # re-exported: callers import it from signing.stamps

__all__ = [
    "DEFAULT_BOX",
    "VIETNAM_TZ",
    "Box",
    "LeaderStamp",
    "SealStamp",
    "Stamp",
    "default_box",
    "make_seal_image",
    "seal_box",
    "stamp_style",
    "stamp_text",
    "vietnamese_font_path",
]

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
"""Vietnam time (UTC+7, no daylight saving): the time zone shown on stamps."""

_FONT_SIZE = 10
_LEADING = 13  # room for the stacked diacritics of Vietnamese capitals (Ễ, Ữ)
_TEXT_MARGIN = 4
_LEADER_COLOUR = (0.05, 0.2, 0.55)
_SEAL_COLOUR = (0.8, 0.07, 0.18)
_MAX_IMAGE_PIXELS = 25_000_000
_MAX_IMAGE_SIDE = 400  # px; a 70 pt wide image at ~400 dpi is plenty for a stamp

_WRAP_STEPS = 24


@dataclass(frozen=True)
class LeaderStamp:
    """What a leader's signature stamp shows: who signed, in which capacity, and when."""

    full_name: str
    title: str
    organisation: str
    signed_at: datetime
    signature_image: bytes | None = None
    """PNG or JPEG of the handwritten signature, drawn at the left of the text."""

    def __post_init__(self) -> None:
        """Refuse a naive ``signed_at``: the stamp must name an unambiguous instant."""
        _require_aware(self.signed_at)


@dataclass(frozen=True)
class SealStamp:
    """What the agency seal stamp shows; without ``seal_image`` a red seal is drawn."""

    agency: str
    signed_at: datetime
    seal_image: bytes | None = None

    def __post_init__(self) -> None:
        """Refuse a naive ``signed_at``: the stamp must name an unambiguous instant."""
        _require_aware(self.signed_at)


Stamp = LeaderStamp | SealStamp


def _require_aware(moment: datetime) -> None:
    """Raise ``ValueError`` for a naive datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("signed_at must be timezone-aware (store UTC, show Vietnam time)")


# --- the text ---------------------------------------------------------------------------------


def _vietnam_time(moment: datetime) -> str:
    """Return ``moment`` in Vietnam time as the office reads it, ``dd/mm/yyyy HH:MM``.

    The exact instant (ISO 8601, to the second) stays in the signature's own signing time.
    """
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")


def stamp_text(stamp: Stamp) -> str:
    """Return the lines a stamp stands for, with Vietnamese labels and the time in Vietnam time.

    A leader's stamp draws them beside the signature image; the seal draws only its image
    (Decree 30/2020, Appendix I), so its lines describe it. User values are NFC-normalised
    and kept on one line each (newlines and other control characters become spaces).

    :param stamp: the leader or seal stamp.
    :return: the text, lines separated by ``\\n``; not escaped for pyHanko's templating.
    """
    when = _vietnam_time(stamp.signed_at)
    if isinstance(stamp, LeaderStamp):
        lines = [
            f"Ký bởi: {clean_line(stamp.full_name)}",
            clean_line(stamp.title),
            f"Thời gian ký: {when}",
        ]
    else:
        lines = [clean_line(stamp.agency), f"Đóng dấu: {when}"]
    return "\n".join(line for line in lines if line)


# --- the stamp image --------------------------------------------------------------------------


def _load_image(data: bytes) -> Image.Image:
    """Decode a PNG/JPEG into an RGBA image at most ``_MAX_IMAGE_SIDE`` pixels wide and high."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as opened:
                if opened.width * opened.height > _MAX_IMAGE_PIXELS:
                    raise SigningError("The stamp image is too large; use at most 5000x5000 px.")
                opened.draft("RGB", (_MAX_IMAGE_SIDE, _MAX_IMAGE_SIDE))  # JPEG: decode smaller
                image = opened.convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise SigningError(f"The stamp image is not a readable PNG or JPEG: {exc}") from exc
    except Image.DecompressionBombWarning as exc:
        raise SigningError("The stamp image is too large; use at most 5000x5000 px.") from exc
    image.thumbnail((_MAX_IMAGE_SIDE, _MAX_IMAGE_SIDE))
    return image


# --- the pyHanko style ------------------------------------------------------------------------


def _text_width(line: str) -> float:
    """Return the natural width of one line at the stamp font size, in points."""
    advances = advance_widths()
    return sum(advances.get(char, 0.0) for char in line) * _FONT_SIZE


def _scale(lines: list[str], width: float, height: float) -> float:
    """Return how much pyHanko will shrink ``lines`` to fit ``width`` x ``height`` (<= 1)."""
    natural_width = max(_text_width(line) for line in lines) + 2 * _TEXT_MARGIN
    natural_height = len(lines) * _LEADING + 2 * _TEXT_MARGIN
    return min(width / natural_width, height / natural_height, 1.0)


def _wrap(line: str, limit: float) -> list[str]:
    """Break ``line`` at spaces into lines of at most ``limit`` points where possible."""
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and _text_width(candidate) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _fit_lines(text: str, width: float, height: float) -> str:
    """Re-break ``text`` so that it shrinks the least in a ``width`` x ``height`` area."""
    lines = text.split("\n")
    widest = max(_text_width(line) for line in lines)
    best, best_scale = lines, _scale(lines, width, height)
    for step in range(1, _WRAP_STEPS):
        limit = widest * (1 - step / _WRAP_STEPS)
        wrapped = [part for line in lines for part in _wrap(line, limit)]
        scale = _scale(wrapped, width, height)
        if scale > best_scale * 1.01:  # a marked gain only: keep lines whole when it is a tie
            best, best_scale = wrapped, scale
    return "\n".join(best)


@functools.lru_cache(maxsize=16)
def _default_seal(agency: str) -> bytes:
    """Return the drawn seal of ``agency`` (drawing one takes ~0.1 s)."""
    return make_seal_image(agency)


def _image(stamp: LeaderStamp, width: float, height: float) -> PdfImage | None:
    """Return the handwritten signature sized for the top of the field: at most
    ``IMAGE_SHARE`` of its width and ``IMAGE_HEIGHT_SHARE`` of its height."""
    if stamp.signature_image is None:
        return None
    image = _load_image(stamp.signature_image)
    ratio = image.width / image.height
    image_width = min(width * IMAGE_SHARE, height * IMAGE_HEIGHT_SHARE * ratio)
    return PdfImage(image, box=BoxConstraints(width=image_width, height=image_width / ratio))


def _layout(
    left: int,
    right: int,
    top: int = INSET,
    bottom: int = INSET,
    *,
    x_align: AxisAlignment = AxisAlignment.ALIGN_MID,
    y_align: AxisAlignment = AxisAlignment.ALIGN_MID,
    scaling: InnerScaling | None = None,
) -> SimpleBoxLayoutRule:
    """Return a rule that puts content between the margins, centred unless told otherwise."""
    return SimpleBoxLayoutRule(
        x_align=x_align,
        y_align=y_align,
        margins=Margins(left=left, right=right, top=top, bottom=bottom),
        inner_content_scaling=scaling or InnerScaling.SHRINK_TO_FIT,  # shrink, never stretch
    )


def stamp_style(stamp: Stamp, *, box: Box = DEFAULT_BOX) -> TextStampStyle:
    """Return the pyHanko stamp style that draws ``stamp`` in its signature field.

    Decree 30/2020 (Appendix I), no frame: a leader's handwritten signature image, if any,
    centred at the top (at most 70 % of the width, 55 % of the height), the text (name, title,
    time) below, re-broken at spaces and shrunk (never stretched) to fit; the seal is its red
    image only (give it a square field of its real size, :func:`seal_box`). Pass the field's
    real rectangle: the image keeps the size computed for ``box``.

    :param stamp: the leader or seal stamp.
    :param box: the field rectangle; only its size matters (default: ``DEFAULT_BOX``'s size).
    :return: a style for ``PdfSigner(..., stamp_style=...)`` holding the complete text.
    :raises SigningError: the font cannot draw a character of the text, or the image is not a
        readable PNG/JPEG.
    """
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    if isinstance(stamp, SealStamp):
        return _seal_style(stamp, width, height)
    text = stamp_text(stamp)
    check_coverage(text)
    image = _image(stamp, width, height)
    text_top = INSET + (0 if image is None else image.box.height + INSET)
    text = _fit_lines(text, width - 2 * INSET, height - text_top - INSET)
    text_box = TextBoxStyle(
        font=InMemoryGlyphAccumulatorFactory(str(vietnamese_font_path())),
        font_size=_FONT_SIZE,
        leading=_LEADING,
        box_layout_rule=_layout(_TEXT_MARGIN, _TEXT_MARGIN, _TEXT_MARGIN, _TEXT_MARGIN),
    )
    return TextStampStyle(
        stamp_text=text.replace("%", "%%"),  # pyHanko fills the template with `%`
        text_box_style=text_box,
        inner_content_layout=_layout(INSET, INSET, math.ceil(text_top)),
        border_width=0,
        background=image,
        background_opacity=1.0,
        background_layout=_layout(  # sized already: centred at the top
            INSET, INSET, y_align=AxisAlignment.ALIGN_MAX, scaling=InnerScaling.NO_SCALING
        ),
    )


def _seal_style(stamp: SealStamp, width: float, height: float) -> TextStampStyle:
    """Return the style of the seal: its image, centred and as large as the field, no text."""
    image = _load_image(stamp.seal_image or _default_seal(stamp.agency))
    side = min(width, height)
    scale = min(side / image.width, side / image.height)
    picture = PdfImage(
        image, box=BoxConstraints(width=image.width * scale, height=image.height * scale)
    )
    centred = SimpleBoxLayoutRule(
        x_align=AxisAlignment.ALIGN_MID,
        y_align=AxisAlignment.ALIGN_MID,
        margins=Margins(),
        inner_content_scaling=InnerScaling.NO_SCALING,
    )
    return TextStampStyle(
        stamp_text=" ",  # pyHanko lays out at least one line; the seal has no text
        text_box_style=TextBoxStyle(
            font=InMemoryGlyphAccumulatorFactory(str(vietnamese_font_path()))
        ),
        border_width=0,
        background=picture,
        background_opacity=1.0,
        background_layout=centred,
    )


# --- the font from memory --------------------------------------------------------------------


@functools.cache
def _font_bytes(path: str) -> bytes:
    """Return the bytes of a font file (read once per process)."""
    with open(path, "rb") as handle:
        return handle.read()


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
