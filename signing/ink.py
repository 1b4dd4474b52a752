"""Handwritten signatures and seal impressions, photographed or scanned, as clean stamp images.

Decree 30/2020/NĐ-CP (Appendix I) shows a leader's e-signature as the image of their
handwritten signature in blue, and the organisation's as its red seal at real size. People
bring a phone photo of paper (uneven light, a shadow, EXIF rotation) or a scan;
:func:`clean_signature` and :func:`clean_seal` turn it into a transparent PNG of the ink alone.

The method (Pillow only): the image is decoded at most ``WORK_SIDE`` px (JPEG draft mode;
a small scan is enlarged) and flattened onto white. The *paper* is estimated at every pixel
by morphological closings (a max then a min filter: dark strokes narrower than the window
vanish, a shadow's edge stays where it is), one of a 1/8-size copy for wide strokes and one
at full size that keeps a sharp shadow edge sharp. The ink's opacity is how much darker a
pixel is than its own paper: relatively, so a shadowed corner counts like a lit one, and by a
few levels at least, against sensor noise in the dark. Lone specks are dropped; the crop is
the ink's box (a stray speck far away moves none of its edges) with a small margin; every
pixel gets the one ink colour with that opacity, so no paper tone, fringe or metadata is
left. A seal is found by colour instead (red against green and blue, the paper balanced to
white), which keeps its filled emblem filled and drops a black signature across it.
"""

from __future__ import annotations

import io
import math
import warnings
from enum import StrEnum

from PIL import Image, ImageChops, ImageFilter, ImageOps

from ._raster import core_box, extended, percentile, window
from .errors import SigningError

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_SEAL_SIDE",
    "MAX_SIGNATURE_SIZE",
    "SEAL_RED",
    "SIGNATURE_BLUE",
    "WORK_SIDE",
    "ImageRefused",
    "Refusal",
    "clean_seal",
    "clean_signature",
]

MAX_INPUT_BYTES = 20 * 1024 * 1024
"""The largest file accepted (a 50-megapixel phone JPEG is about 15 MB)."""
_MAX_JPEG_PIXELS = 50_000_000  # decoded at 1/2..1/8 size (draft mode), so cheap
_MAX_PNG_PIXELS = 25_000_000  # decoded whole: 5000 x 5000 at most
WORK_SIDE = 2000
"""The longest side the image is processed at, in pixels."""
_MIN_WORK_SIDE = 1000  # a smaller picture is enlarged (at most 4 times) to about this

SIGNATURE_BLUE = (13, 51, 140)
"""The ink colour of a cleaned signature (the leader stamp's dark blue)."""
SEAL_RED = (204, 18, 46)
"""The ink colour of a cleaned seal (the drawn seal's red)."""
MAX_SIGNATURE_SIZE = (1200, 600)
"""The largest cleaned signature, in pixels (width, height); smaller ones are not enlarged."""
MAX_SEAL_SIDE = 1000
"""The largest cleaned seal's side, in pixels (about 700 dpi at 36 mm)."""

_MIN_SIGNATURE_SIDE = 100  # px of ink, the longer side: less is too blurred for a stamp
_MIN_SEAL_SIDE = 200  # px across: 36 mm at ~140 dpi
_MAX_INK_SHARE = 0.35  # more solid ink than this is no signature or seal on plain paper
_MIN_PAPER_LEVEL = 48  # the median paper brightness (0..255) under which we cannot tell ink
_CLOSING = 7  # px at 1/8 size: strokes up to ~56 px wide at WORK_SIDE vanish from the paper
_SHRINK = 8
_FINE_RADIUS = 16  # px: the full-size closing bridges strokes up to 33 px wide
_RELATIVE_RAMP = (0.16, 0.42)  # darker than the paper by this share: from clear to full ink
_ABSOLUTE_RAMP = (10, 28)  # and by at least these levels (noise in a shadow is not ink)
_RED_RELATIVE_RAMP = (0.14, 0.35)  # green/blue below red by this share: a seal's ink
_RED_ABSOLUTE_RAMP = (12, 30)  # and by at least these levels
_LOG_SCALE = 255 / math.log(256)


class Refusal(StrEnum):
    """Why an image cannot be cleaned (a caller translates it into its own message)."""

    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    TOO_DARK = "too_dark"
    NO_INK = "no_ink"
    NO_RED_INK = "no_red_ink"
    TOO_MUCH_INK = "too_much_ink"
    TOO_SMALL = "too_small"


class ImageRefused(SigningError):
    """The image cannot become a stamp image; ``reason`` says why, ``str()`` what to do."""

    def __init__(self, reason: Refusal, message: str) -> None:
        """Keep the reason beside the plain-English message."""
        super().__init__(message)
        self.reason = reason


# --- the public functions ---------------------------------------------------------------------


def clean_signature(data: bytes) -> bytes:
    """Return a handwritten signature's ink as a blue PNG on a transparent background.

    The picture may be a phone photo (JPEG, EXIF rotation honoured; uneven light and soft
    shadows are tolerated) or a scan/PNG (transparency is taken as white paper). The result
    is cropped to the ink with a margin of 4 % of its longer side, at most
    ``MAX_SIGNATURE_SIZE``, in ``SIGNATURE_BLUE`` with the ink's opacity, no metadata.

    :param data: the uploaded file's bytes (PNG or JPEG, at most ``MAX_INPUT_BYTES``).
    :return: the PNG's bytes (RGBA); the same input always gives the same bytes.
    :raises ImageRefused: not a readable PNG/JPEG, too large, too dark, no ink found, too
        much "ink" (not a signature on plain paper), or the signature too small to use.
    """
    image = _load(data)
    alpha, solid = _solidified(_darker_than_paper(_darkest_channel(image)))
    box = _ink_box(alpha, solid, _MIN_SIGNATURE_SIDE, "signature")
    margin = max(4, round(0.04 * max(box[2] - box[0], box[3] - box[1])))
    crop = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
    return _png(_tinted(alpha.crop(crop), SIGNATURE_BLUE, MAX_SIGNATURE_SIZE))


def clean_seal(data: bytes) -> bytes:
    """Return a seal impression's red ink as a square PNG on a transparent background.

    Only reddish ink is kept (a black signature or printed text across the seal is dropped),
    measured against the paper's own colour (a warm or cold light is balanced out), so the
    seal's filled parts (the emblem) stay filled. The image is square and the seal's outer
    edge touches its sides: drawn ``d`` mm wide it shows a seal of diameter ``d`` mm. At most
    ``MAX_SEAL_SIDE`` px, in ``SEAL_RED`` with the ink's opacity, no metadata.

    :param data: the uploaded file's bytes (PNG or JPEG, at most ``MAX_INPUT_BYTES``).
    :return: the PNG's bytes (RGBA, square); the same input always gives the same bytes.
    :raises ImageRefused: not a readable PNG/JPEG, too large, too dark, no red ink (a grey
        copy, or no seal), too much ink, or the seal too small in the picture.
    """
    image = _load(data)
    alpha, solid = _solidified(_reddish(image))
    if solid.getbbox() is None:
        dark = _solidified(_darker_than_paper(_darkest_channel(image)))[1]
        if dark.getbbox() is not None:
            raise ImageRefused(
                Refusal.NO_RED_INK,
                "The picture shows ink but no red seal. Upload a colour scan or photo of it.",
            )
    x0, y0, x1, y1 = _ink_box(alpha, solid, _MIN_SEAL_SIDE, "seal")
    side = max(x1 - x0, y1 - y0)
    left, top = (x0 + x1 - side) // 2, (y0 + y1 - side) // 2
    square = alpha.crop((left, top, left + side, top + side))
    return _png(_tinted(square, SEAL_RED, (MAX_SEAL_SIDE, MAX_SEAL_SIDE)))


# --- reading ----------------------------------------------------------------------------------


def _refuse_size() -> ImageRefused:
    return ImageRefused(
        Refusal.TOO_LARGE,
        "The picture is too large: use a photo of at most 50 megapixels (a PNG of at most "
        "5000 x 5000 pixels) and at most 20 MB.",
    )


def _load(data: bytes) -> Image.Image:
    """Decode a PNG/JPEG upright, flattened onto white, at most ``WORK_SIDE`` px (RGB)."""
    if len(data) > MAX_INPUT_BYTES:
        raise _refuse_size()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as opened:
                limit = _MAX_JPEG_PIXELS if opened.format == "JPEG" else _MAX_PNG_PIXELS
                if opened.width * opened.height > limit:
                    raise _refuse_size()
                opened.draft("RGB", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at 1/2..1/8 size
                upright = ImageOps.exif_transpose(opened)
                upright = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _refuse_size() from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused(
            Refusal.UNREADABLE,
            "The file is not a readable PNG or JPEG picture. Upload a photo (JPEG) or a PNG.",
        ) from exc
    upright.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX, reducing_gap=2.0)
    enlarge = min(4, math.ceil(_MIN_WORK_SIDE / max(upright.size)))
    if enlarge > 1:  # a small scan: its finest strokes would be taken for specks
        upright = upright.resize(
            (upright.width * enlarge, upright.height * enlarge), Image.Resampling.BICUBIC
        )
    if upright.mode == "RGB":
        return upright
    paper = Image.new("RGBA", upright.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, upright).convert("RGB")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in image.info


# --- finding the ink --------------------------------------------------------------------------


def _ramp(low: float, high: float) -> list[int]:
    """Return a 256-entry table: 0 up to ``low``, 255 from ``high``, linear between."""
    return [round(255 * min(1.0, max(0.0, (v - low) / (high - low)))) for v in range(256)]


def _ratio_ramp(low: float, high: float) -> list[int]:
    """Return the opacity for each log-ratio step ``log(a) - log(b)`` (``_TO_LOG`` units):
    0 while ``b`` is darker than ``a`` by less than the share ``low``, 255 from ``high``."""
    darker_by = (1 - math.exp(-step / _LOG_SCALE) for step in range(256))
    return [round(255 * min(1.0, max(0.0, (d - low) / (high - low)))) for d in darker_by]


_TO_LOG = [round(_LOG_SCALE * math.log(v + 1)) for v in range(256)]
_DARKER = _ratio_ramp(*_RELATIVE_RAMP)
_DARKER_ABSOLUTE = _ramp(*_ABSOLUTE_RAMP)
_REDDER = _ratio_ramp(*_RED_RELATIVE_RAMP)
_REDDER_ABSOLUTE = _ramp(*_RED_ABSOLUTE_RAMP)
_SOLID = [255 if v >= 128 else 0 for v in range(256)]
_ANY = [255 if v > 0 else 0 for v in range(256)]


def _darkest_channel(image: Image.Image) -> Image.Image:
    """Return min(R, G, B): the channel in which ink of any colour is darkest."""
    red, green, blue = image.split()
    return ImageChops.darker(red, ImageChops.darker(green, blue))


def _paper(channel: Image.Image) -> Image.Image:
    """Return the paper's brightness at each pixel: the channel with thin dark strokes closed."""
    width, height = channel.size
    small = channel.resize(
        (max(1, width // _SHRINK), max(1, height // _SHRINK)), Image.Resampling.BOX
    )
    closed = small.filter(ImageFilter.MaxFilter(_CLOSING)).filter(ImageFilter.MinFilter(_CLOSING))
    coarse = closed.filter(ImageFilter.BoxBlur(1)).resize(channel.size, Image.Resampling.BILINEAR)
    # The coarse estimate smears a hard shadow's edge over ~20 px, so the shade beside it would
    # read as ink; a closing at full size keeps the edge sharp (strokes up to 2r+1 px wide).
    # Smoothed first, or the closing would keep the peaks of noise; extended at the borders,
    # so that the closing sees a shadow's edge meeting the frame go on.
    margin = min(2 * _FINE_RADIUS + 1, width - 1, height - 1)
    smooth = extended(channel.filter(ImageFilter.BoxBlur(2)), margin)
    fine = window(
        window(smooth, _FINE_RADIUS, ImageChops.lighter), _FINE_RADIUS, ImageChops.darker
    ).crop((margin, margin, margin + width, margin + height))
    return ImageChops.lighter(ImageChops.darker(coarse, fine), channel)


def _darker_than_paper(channel: Image.Image) -> Image.Image:
    """Return the opacity of ink in ``channel``: how much darker than its local paper.

    Relatively (a log-ratio with 8-bit tables, so a shadowed corner counts like a lit one)
    and by at least a few levels (noise in the dark is not ink).
    """
    paper = _paper(channel)
    _require_light(paper)
    log_darker = ImageChops.subtract(paper.point(_TO_LOG), channel.point(_TO_LOG))
    absolute = ImageChops.subtract(paper, channel).point(_DARKER_ABSOLUTE)
    return ImageChops.darker(log_darker.point(_DARKER), absolute)


def _reddish(image: Image.Image) -> Image.Image:
    """Return the opacity of red ink: red against the larger of green and blue, once the
    paper's colour is balanced to white (each channel's 90th percentile: the paper's, as long
    as a tenth of the picture is paper, whatever share the seal takes)."""
    _require_light(image.convert("L"))
    balanced = [
        channel.point(_scale_to_white(percentile(channel.histogram(), 0.9)))
        for channel in image.split()
    ]
    red, other = balanced[0], ImageChops.lighter(balanced[1], balanced[2])
    relative = ImageChops.subtract(red.point(_TO_LOG), other.point(_TO_LOG)).point(_REDDER)
    return ImageChops.darker(relative, ImageChops.subtract(red, other).point(_REDDER_ABSOLUTE))


def _scale_to_white(paper_level: int) -> list[int]:
    return [min(255, round(v * 245 / max(1, paper_level))) for v in range(256)]


def _require_light(brightness: Image.Image) -> None:
    if percentile(brightness.histogram(), 0.5) < _MIN_PAPER_LEVEL:
        raise ImageRefused(
            Refusal.TOO_DARK,
            "The picture is too dark to tell the ink from the paper. Photograph it on white "
            "paper in daylight or under a lamp, without flash glare.",
        )


def _solidified(alpha: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Return ``alpha`` without specks or faint ink far from any stroke, and its solid core.

    On a binary image a 3x3 mean over half is the median and a 5x5 mean over 0 a dilation:
    box blurs cost the same at any radius, rank filters 9 and 25 times a pixel.
    """
    solid = alpha.point(_SOLID).filter(ImageFilter.BoxBlur(1)).point(_SOLID)
    near_solid = solid.filter(ImageFilter.BoxBlur(2)).point(_ANY)
    return ImageChops.multiply(alpha, near_solid), solid


def _ink_box(
    alpha: Image.Image, solid: Image.Image, min_side: int, what: str
) -> tuple[int, int, int, int]:
    """Return the bounding box of the visible ink, refusing none, too much, or too small.

    The box is the ink's around its solid core, less a speck far away: the core's box leaves
    out the outermost 0.1 % of the solid ink on each side, and the visible ink counts only
    within 4 % of that (so a stroke's faint tip or a seal's whole ring is in, a lone speck of
    noise across the sheet is not).
    """
    inked = solid.histogram()[255]
    core = core_box(solid)
    if core is None or inked < 40:
        raise ImageRefused(
            Refusal.NO_INK,
            f"No {what} was found in the picture. Use dark ink on plain white paper and "
            "photograph it in good light, the paper filling the frame.",
        )
    if inked > _MAX_INK_SHARE * alpha.width * alpha.height:
        raise ImageRefused(
            Refusal.TOO_MUCH_INK,
            f"The picture does not look like a {what} on plain paper: too much of it is dark. "
            "Photograph only the paper, from above, without patterns or shadows across it.",
        )
    slack = max(4, round(0.04 * max(core[2] - core[0], core[3] - core[1])))
    left, top = core[0] - slack, core[1] - slack
    near = alpha.crop((left, top, core[2] + slack, core[3] + slack)).getbbox() or (0, 0, 0, 0)
    box = (left + near[0], top + near[1], left + near[2], top + near[3])
    if max(box[2] - box[0], box[3] - box[1]) < min_side:
        raise ImageRefused(
            Refusal.TOO_SMALL,
            f"The {what} is too small in the picture. Photograph it closer (or scan it at "
            "300 dpi) so that it fills most of the frame.",
        )
    return box


# --- writing ----------------------------------------------------------------------------------


def _tinted(
    alpha: Image.Image, colour: tuple[int, int, int], largest: tuple[int, int]
) -> Image.Image:
    """Return ``colour`` with ``alpha`` as its opacity (RGBA), at most ``largest`` in size.

    The opacity alone is resized, then coloured: every pixel is exactly ``colour``.
    """
    alpha.thumbnail(largest, Image.Resampling.LANCZOS)
    image = Image.new("RGBA", alpha.size, (*colour, 0))
    image.putalpha(alpha)
    return image


def _png(image: Image.Image) -> bytes:
    """Return ``image`` as PNG bytes without metadata."""
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
