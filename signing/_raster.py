"""Raster operations for :mod:`signing.ink` that Pillow lacks: fast square min/max windows,
edge-repeating padding, percentiles, and a bounding box that ignores a stray speck."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PIL import Image, ImageChops, ImageOps

__all__ = ["core_box", "extended", "percentile", "trimmed", "window"]


def extended(image: Image.Image, margin: int) -> Image.Image:
    """Return ``image`` with ``margin`` px more on every side, its edge pixels repeated.

    Repeated, not mirrored: a shadow's edge meeting the frame then goes on straight, while a
    mirror would fold it into a notch that the closing fills (the shade beside it read as ink).
    """
    width, height = image.size
    out = Image.new(image.mode, (width + 2 * margin, height + 2 * margin))
    out.paste(image, (margin, margin))
    out.paste(image.crop((0, 0, 1, height)).resize((margin, height)), (0, margin))
    right = image.crop((width - 1, 0, width, height)).resize((margin, height))
    out.paste(right, (width + margin, margin))
    out.paste(out.crop((0, margin, out.width, margin + 1)).resize((out.width, margin)), (0, 0))
    bottom = out.crop((0, height + margin - 1, out.width, height + margin))
    out.paste(bottom.resize((out.width, margin)), (0, height + margin))
    return out


def window(
    image: Image.Image, radius: int, pick: Callable[[Image.Image, Image.Image], Image.Image]
) -> Image.Image:
    """Return ``pick`` (``ImageChops.lighter``: a max, ``darker``: a min) of each pixel's
    (2r+1)² square: a row pass then a column pass, each by doubling shifts (a few whole-image
    operations instead of a rank filter's (2r+1)² comparisons a pixel)."""
    side = 2 * radius + 1
    fill = 0 if pick is ImageChops.lighter else 255  # the padding never wins
    padded = ImageOps.expand(image, border=side, fill=fill)
    for dx, dy in ((1, 0), (0, 1)):
        covered = 1
        while covered < side:
            step = min(covered, side - covered)
            padded = pick(padded, ImageChops.offset(padded, dx * step, dy * step))
            covered += step
        padded = ImageChops.offset(padded, -dx * radius, -dy * radius)
    return padded.crop((side, side, side + image.width, side + image.height))


def percentile(histogram: list[int], share: float) -> int:
    """Return the level below which ``share`` of a histogram's pixels lie."""
    wanted, seen = sum(histogram) * share, 0
    for level, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return level
    return 255


def core_box(solid: Image.Image) -> tuple[int, int, int, int] | None:
    """Return the box of the solid ink without its outermost 0.1 % on each side, if any."""
    shares = solid.convert("F")
    columns = shares.resize((solid.width, 1), Image.Resampling.BOX).get_flattened_data()
    rows = shares.resize((1, solid.height), Image.Resampling.BOX).get_flattened_data()
    across = trimmed([cast(float, v) for v in columns])  # mode F: one float a pixel
    down = trimmed([cast(float, v) for v in rows])
    if across is None or down is None:
        return None
    return across[0], down[0], across[1], down[1]


def trimmed(amounts: list[float]) -> tuple[int, int] | None:
    """Return the first and past-the-last index once 0.1 % of the total is left at each end."""
    total = sum(amounts)
    if total <= 0:
        return None
    cut = total * 0.001
    start, seen = 0, 0.0
    while seen + amounts[start] <= cut:
        seen += amounts[start]
        start += 1
    end, seen = len(amounts), 0.0
    while seen + amounts[end - 1] <= cut:
        seen += amounts[end - 1]
        end -= 1
    return start, end
