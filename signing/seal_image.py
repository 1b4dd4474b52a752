"""The red round seal drawn for an agency that has no scanned seal image."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from .fonts import clean_line, sans_font_path

__all__ = ["make_seal_image"]

_SEAL_RGBA = (204, 18, 46, 255)


def _star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """Return the ten vertices of a five-pointed star, point up."""
    inner = radius * 0.382
    points = []
    for index in range(10):
        angle = math.pi * index / 5
        r = radius if index % 2 == 0 else inner
        points.append((cx + r * math.sin(angle), cy - r * math.cos(angle)))
    return points


def _draw_char_on_ring(
    canvas: Image.Image, char: str, font: ImageFont.FreeTypeFont, angle: float, radius: float
) -> None:
    """Draw one upright-outward character with its baseline on a circle, at ``angle`` (rad)."""
    size = int(font.size * 3)
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((size / 2, size / 2), char, font=font, fill=_SEAL_RGBA, anchor="ms")
    tile = tile.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC)
    cx, cy = canvas.width / 2, canvas.height / 2
    x = cx + radius * math.sin(angle) - size / 2
    y = cy - radius * math.cos(angle) - size / 2
    canvas.alpha_composite(tile, dest=(round(x), round(y)))


def _draw_ring_text(
    canvas: Image.Image, text: str, radius: float, max_size: float, arc: float
) -> None:
    """Draw ``text`` clockwise along a circle, centred at the top, within ``arc`` radians."""
    font = ImageFont.truetype(str(sans_font_path()), round(max_size))
    length = font.getlength(text)
    if length > radius * arc:
        font = ImageFont.truetype(
            str(sans_font_path()), max(1, math.floor(max_size * radius * arc / length))
        )
        length = font.getlength(text)
    angle = -length / radius / 2
    for char in text:
        advance = font.getlength(char)
        _draw_char_on_ring(canvas, char, font, angle + advance / 2 / radius, radius)
        angle += advance / radius


def make_seal_image(agency: str, size_px: int = 600) -> bytes:
    """Draw a red round seal: two rings, a star, the agency name in capitals around the ring.

    :param agency: the agency's name, e.g. "Ủy ban nhân dân Thành phố Hòa Bình Xanh".
    :param size_px: the width and height of the square image, at least 64.
    :return: PNG bytes with a transparent background.
    :raises ValueError: ``size_px`` is below 64.
    """
    if size_px < 64:
        raise ValueError("size_px must be at least 64")
    pad = size_px // 2  # the ring text is drawn in tiles that may reach past the image edge
    canvas = Image.new("RGBA", (size_px + 2 * pad, size_px + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    centre = canvas.width / 2
    line = max(2, round(size_px * 0.025))
    outer = size_px / 2 - line / 2
    inner = outer * 0.64
    for radius in (outer, inner):
        box = (centre - radius, centre - radius, centre + radius, centre + radius)
        draw.ellipse(box, outline=_SEAL_RGBA, width=line)
    draw.polygon(_star_points(centre, centre, inner * 0.55), fill=_SEAL_RGBA)
    band = outer - inner - 1.5 * line
    baseline = inner + line + band * 0.12
    _draw_ring_text(canvas, clean_line(agency).upper(), baseline, band * 0.62, math.radians(320))
    seal = canvas.crop((pad, pad, pad + size_px, pad + size_px))
    output = io.BytesIO()
    seal.save(output, format="PNG")
    return output.getvalue()
