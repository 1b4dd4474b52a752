"""Demo handwritten signatures: a pen stroke drawn per person, "photographed" and cleaned.

Each demo leader (and the secretary) gets a signature image through the same path a person
takes on "My certificate": a picture of ink on paper goes through
``services.signature_images`` (background removed, ink tinted blue) and is saved. The stroke
is drawn from the person's username, so every demo has the same signatures.
"""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

from ..models import User
from ..services.signature_images import prepare_signature_image, save_signature_image

#: Who signs with an image in the demo.
SIGNATURE_HOLDERS = ("chutich", "phochutich", "thuky")

_SIZE = (1400, 560)
_SCALE = 2  # drawn twice as large, then reduced: smooth edges
_INK = (28, 30, 48)
_PAPER = (238, 235, 226)


def seed_signatures(people: dict[str, User]) -> None:
    """Give the demo's signers a handwritten signature image."""
    for username in SIGNATURE_HOLDERS:
        user = people[username]
        save_signature_image(user, prepare_signature_image(signature_photo(username)))


def signature_photo(seed: str) -> bytes:
    """Return a JPEG of a cursive-looking signature on slightly shaded paper, always the same
    for the same ``seed``."""
    rnd = random.Random(seed)  # noqa: S311 — a drawing, the same for the same person
    width, height = _SIZE[0] * _SCALE, _SIZE[1] * _SCALE
    canvas = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(canvas)
    points = _smooth(_stroke_points(rnd, width, height))
    for index, (start, end) in enumerate(zip(points, points[1:], strict=False)):
        pressure = 0.6 + 0.4 * math.sin(index / len(points) * math.pi)  # thin, full, thin
        draw.line([start, end], fill=_INK, width=max(2, round(9 * _SCALE * pressure)))
    shade = Image.linear_gradient("L").rotate(90).resize((width, height))
    shade = shade.point(lambda v: 255 - v // 6)  # a little darker towards one side
    canvas = Image.composite(canvas, Image.new("RGB", canvas.size, (0, 0, 0)), shade)
    photo = canvas.resize(_SIZE, Image.Resampling.LANCZOS).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _stroke_points(rnd: random.Random, width: int, height: int) -> list[tuple[float, float]]:
    """Return the control points of one pen stroke: a tall capital, small loops, a flourish."""
    base, x = height * 0.62, width * 0.04
    points = [(x, base), (x + width * 0.03, height * 0.15), (x + width * 0.06, base + 20)]
    points.append((x - width * 0.02, height * 0.42))  # the capital's loop back
    x += width * 0.09
    for _ in range(rnd.randint(5, 7)):  # the small letters: waves of varying height
        rise = height * rnd.uniform(0.12, 0.3)
        points += [(x, base - rise), (x + width * 0.035, base + height * 0.02)]
        x += width * rnd.uniform(0.06, 0.085)
    points += [(x, base - height * 0.25), (x + width * 0.02, base + height * 0.12)]
    points += [(width * rnd.uniform(0.3, 0.4), base + height * 0.2)]  # the flourish back
    points += [(width * rnd.uniform(0.8, 0.9), base + height * 0.1)]
    slant = rnd.uniform(0.2, 0.35)  # handwriting leans to the right
    return [(px + (base - py) * slant, py) for px, py in points]


def _smooth(points: list[tuple[float, float]], steps: int = 24) -> list[tuple[float, float]]:
    """Return a Catmull-Rom curve through ``points`` (a pen moves smoothly between them)."""
    padded = [points[0], *points, points[-1]]
    curve = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            curve.append(
                tuple(
                    0.5
                    * (
                        2 * b
                        + (c - a) * t
                        + (2 * a - 5 * b + 4 * c - d) * t * t
                        + (3 * b - a - 3 * c + d) * t**3
                    )
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    curve.append(points[-1])
    return curve  # type: ignore[return-value]
