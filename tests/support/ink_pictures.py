"""Pictures people upload as stamp images: a signature photo, a seal scan, and bad ones."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from meeting_server.demo.signatures import signature_photo

__all__ = ["blank_photo", "seal_scan", "signature_photo"]


def seal_scan(diameter: int = 700) -> bytes:
    """Return a PNG scan of a red round seal (rings, a filled star) on white paper."""
    side = diameter + 200
    paper = Image.new("RGB", (side, side), (250, 248, 244))
    draw = ImageDraw.Draw(paper)
    red, centre, r = (190, 30, 50), side / 2, diameter / 2
    draw.ellipse((centre - r, centre - r, centre + r, centre + r), outline=red, width=18)
    inner = r * 0.64
    draw.ellipse(
        (centre - inner, centre - inner, centre + inner, centre + inner), outline=red, width=6
    )
    draw.regular_polygon((centre, centre, inner * 0.55), 5, fill=red)
    out = io.BytesIO()
    paper.save(out, format="PNG")
    return out.getvalue()


def blank_photo() -> bytes:
    """Return a JPEG of plain paper: no ink at all."""
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (242, 240, 234)).save(out, format="JPEG")
    return out.getvalue()
