"""Stamp images from photos: a handwritten signature and a seal, paper removed, ink tinted."""

from __future__ import annotations

import io
import math
import random

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from signing.errors import SigningError
from signing.ink import (
    MAX_INPUT_BYTES,
    MAX_SEAL_SIDE,
    MAX_SIGNATURE_SIZE,
    SEAL_RED,
    SIGNATURE_BLUE,
    ImageRefused,
    Refusal,
    clean_seal,
    clean_signature,
)

PHOTO = (3000, 2000)  # a 6-megapixel phone photo, landscape
ORIENTATION = 0x0112


# --- pictures ---------------------------------------------------------------------------------


def signature_path(width: int, height: int, left: float = 0.2, span: float = 0.6) -> list:
    """Return a cursive-ish stroke: loops along a line, a little wobble."""
    points = []
    for step in range(500):
        t = step / 499
        x = width * (left + span * t) + math.cos(t * math.pi * 14) * width * 0.015
        y = height * (0.55 + 0.12 * math.sin(t * math.pi * 6) + 0.04 * math.sin(t * 4.1))
        points.append((x, y))
    return points


def draw_signature(image: Image.Image, colour, width: int = 14, **where: float) -> None:
    draw = ImageDraw.Draw(image)
    w, h = image.size
    draw.line(signature_path(w, h, **where), fill=colour, width=width, joint="curve")
    left, span = where.get("left", 0.2), where.get("span", 0.6)
    underline = [(w * (left + 0.05 * span), h * 0.72), (w * (left + 0.9 * span), h * 0.68)]
    draw.line(underline, fill=colour, width=max(3, width // 2))


def phone_paper(size=PHOTO, shadow: bool = True) -> Image.Image:
    """Grey, warm paper lit from the top left, a soft phone shadow over the lower right."""
    w, h = size
    light = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)
    light = light.point(lambda v: 238 - v * 75 // 255)
    paper = Image.merge("RGB", (light, light.point(lambda v: v - 6), light.point(lambda v: v - 20)))
    if shadow:
        mask = Image.new("L", size, 255)
        ImageDraw.Draw(mask).ellipse((w * 0.55, h * 0.45, w * 1.4, h * 1.5), fill=115)
        mask = mask.filter(ImageFilter.GaussianBlur(50))
        paper = ImageChops.multiply(paper, Image.merge("RGB", (mask, mask, mask)))
    return paper


def with_noise(image: Image.Image, sigma: float = 10, seed: int = 7) -> Image.Image:
    """Add sensor noise (uniform, standard deviation ``sigma``), the same on every run."""
    half_width = sigma * math.sqrt(3)
    raw = random.Random(seed).randbytes(image.width * image.height)
    noise = Image.frombytes("L", image.size, raw)
    noise = noise.point(lambda v: round(128 + (v - 127.5) / 127.5 * half_width))
    return ImageChops.add(image, Image.merge("RGB", (noise,) * 3), scale=1, offset=-128)


def photo_with_shadow(signed: bool = True) -> Image.Image:
    paper = phone_paper()
    if signed:
        # The ink goes under the shadow too: the photo's darkest ink lies in the shadow.
        shade = phone_paper(shadow=True).convert("L")
        ink = Image.new("L", PHOTO, 0)
        draw_signature(ink, 255)
        dark = Image.merge("RGB", [shade.point(lambda v: v * 30 // 255)] * 3)
        paper = Image.composite(dark, paper, ink)
    return with_noise(paper)


def jpeg(image: Image.Image, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    image.save(out, format="JPEG", quality=88, exif=exif)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image


def ink_colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {pixel[:3] for pixel in image.get_flattened_data() if pixel[3] > 0}


def stroke_box(size=PHOTO) -> tuple[int, int, int, int]:
    ink = Image.new("L", size, 0)
    draw_signature(ink, 255)
    box = ink.getbbox()
    assert box is not None
    return box


# --- a handwritten signature ------------------------------------------------------------------


def test_a_phone_photo_becomes_blue_ink_on_a_transparent_background():
    result = opened(clean_signature(jpeg(photo_with_shadow())))

    assert result.mode == "RGBA"
    assert ink_colours(result) == {SIGNATURE_BLUE}  # no paper tone, no grey fringe
    corners = [(0, 0), (result.width - 1, 0), (0, result.height - 1)]
    assert all(
        result.getpixel(c)[3] == 0 for c in corners + [(result.width - 1, result.height - 1)]
    )
    opaque = sum(1 for a in result.getchannel("A").get_flattened_data() if a > 128)
    assert 0.03 < opaque / (result.width * result.height) < 0.35  # strokes, not a smudge


def test_the_photo_is_cropped_to_the_whole_signature_even_under_the_shadow():
    x0, y0, x1, y1 = stroke_box()
    result = opened(clean_signature(jpeg(photo_with_shadow())))

    # Cropped to the strokes plus a 4 % margin: the same shape as the strokes' box. A
    # signature whose end (in the shadow) was lost, or a shadow taken for ink, changes it.
    expected = (x1 - x0) * 1.08 / ((y1 - y0) + 0.08 * (x1 - x0))
    assert result.width / result.height == pytest.approx(expected, rel=0.06)
    assert result.width <= MAX_SIGNATURE_SIZE[0] and result.height <= MAX_SIGNATURE_SIZE[1]
    assert max(result.size) == MAX_SIGNATURE_SIZE[0]  # a large photo gives the largest image


def test_a_shadow_and_uneven_light_alone_are_not_ink():
    with pytest.raises(ImageRefused) as refused:
        clean_signature(jpeg(photo_with_shadow(signed=False)))
    assert refused.value.reason == Refusal.NO_INK
    assert "No signature was found" in str(refused.value)


def hard_shadow(image: Image.Image, top: float, bottom: float) -> Image.Image:
    """Darken the part of ``image`` right of a straight, sharp line (a phone under a lamp)."""
    w, h = image.size
    mask = Image.new("L", image.size, 255)
    corners = [(w * top, 0), (w, 0), (w, h), (w * bottom, h)]
    ImageDraw.Draw(mask).polygon(corners, fill=110)
    mask = mask.filter(ImageFilter.GaussianBlur(1.5))
    return ImageChops.multiply(image, Image.merge("RGB", (mask, mask, mask)))


@pytest.mark.parametrize(("top", "bottom"), [(0.6, 0.4), (0.5, 0.5), (0.8, 0.2)])
def test_the_sharp_edge_of_a_shadow_is_not_ink(top, bottom):
    blank = with_noise(hard_shadow(phone_paper(shadow=False), top, bottom), 8)
    with pytest.raises(ImageRefused) as refused:
        clean_signature(jpeg(blank))
    assert refused.value.reason == Refusal.NO_INK

    signed = phone_paper(shadow=False)
    draw_signature(signed, (25, 25, 35))
    result = opened(clean_signature(jpeg(with_noise(hard_shadow(signed, top, bottom), 8))))
    x0, y0, x1, y1 = stroke_box()
    expected = (x1 - x0) * 1.08 / ((y1 - y0) + 0.08 * (x1 - x0))
    assert result.width / result.height == pytest.approx(expected, rel=0.06)  # no edge in it


def test_the_exif_rotation_of_a_phone_photo_is_honoured():
    """A phone held upright stores the pixels sideways and says "rotate 90°" in EXIF."""
    upright = opened(clean_signature(jpeg(photo_with_shadow())))
    sideways = photo_with_shadow().transpose(Image.Transpose.ROTATE_90)
    turned = opened(clean_signature(jpeg(sideways, orientation=6)))

    assert turned.width > turned.height  # the signature reads left to right, not top down
    assert turned.size == pytest.approx(upright.size, abs=6)


def test_a_scanned_png_with_transparency_is_read_on_white():
    scan = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    draw_signature(scan, (10, 10, 60, 255), width=6)

    result = opened(clean_signature(png(scan)))
    assert ink_colours(result) == {SIGNATURE_BLUE}
    assert result.width > 2 * result.height


def test_a_small_drawing_with_one_pixel_lines_keeps_its_strokes():
    """A signature drawn on a screen and saved small: its lines are no specks."""
    drawing = Image.new("RGB", (400, 160), "white")
    draw_signature(drawing, (0, 0, 0), width=1)
    result = opened(clean_signature(png(drawing)))
    assert result.width > 2 * result.height
    inked = sum(1 for a in result.getchannel("A").get_flattened_data() if a > 128)
    assert inked > 0.01 * result.width * result.height


def test_cleaning_is_deterministic_and_keeps_no_metadata():
    data = jpeg(photo_with_shadow(), orientation=1)
    first, second = clean_signature(data), clean_signature(data)
    assert first == second
    assert not opened(first).getexif()


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
        b"",
        jpeg(Image.new("RGB", (400, 300), "white"))[:300],  # cut short
    ],
    ids=["pdf", "empty", "truncated-jpeg"],
)
def test_a_file_that_is_no_picture_is_refused(data):
    with pytest.raises(ImageRefused) as refused:
        clean_signature(data)
    assert refused.value.reason == Refusal.UNREADABLE
    assert isinstance(refused.value, SigningError)
    assert "Upload a photo (JPEG) or a PNG" in str(refused.value)


def test_other_picture_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, format="GIF")
    with pytest.raises(ImageRefused) as refused:
        clean_signature(out.getvalue())
    assert refused.value.reason == Refusal.UNREADABLE


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = png(Image.new("1", (10_000, 10_000)))  # a few KB that decode to 100 megapixels
    assert len(bomb) < 100_000
    with pytest.raises(ImageRefused) as refused:
        clean_signature(bomb)
    assert refused.value.reason == Refusal.TOO_LARGE


def test_a_png_larger_than_the_limit_is_refused():
    with pytest.raises(ImageRefused) as refused:
        clean_signature(png(Image.new("1", (6000, 5000))))  # 30 megapixels
    assert refused.value.reason == Refusal.TOO_LARGE


def test_a_file_over_the_byte_limit_is_refused_unread():
    with pytest.raises(ImageRefused) as refused:
        clean_signature(b"\xff\xd8" + b"\0" * MAX_INPUT_BYTES)
    assert refused.value.reason == Refusal.TOO_LARGE


@pytest.mark.parametrize(
    ("picture", "reason"),
    [
        (lambda: Image.new("RGB", (1200, 800), (246, 244, 240)), Refusal.NO_INK),
        (lambda: Image.new("RGB", (1200, 800), (8, 8, 8)), Refusal.TOO_DARK),
        (lambda: hatched(Image.new("RGB", (1200, 800), "white")), Refusal.TOO_MUCH_INK),
    ],
    ids=["blank-paper", "black", "all-ink"],
)
def test_a_picture_without_a_signature_on_paper_is_refused(picture, reason):
    with pytest.raises(ImageRefused) as refused:
        clean_signature(jpeg(picture()))
    assert refused.value.reason == reason


def hatched(image: Image.Image) -> Image.Image:
    """Cover half of the picture with dark lines (a printed pattern, not a signature)."""
    draw = ImageDraw.Draw(image)
    for x in range(0, image.width + image.height, 12):
        draw.line([(x, 0), (x - image.height, image.height)], fill=(20, 20, 20), width=5)
    return image


def test_a_signature_too_small_in_the_frame_is_refused():
    paper = Image.new("RGB", (2000, 1500), (240, 238, 232))
    small = Image.new("RGB", (140, 90), (240, 238, 232))
    draw_signature(small, (20, 20, 30), width=2)
    paper.paste(small, (930, 700))
    with pytest.raises(ImageRefused) as refused:
        clean_signature(jpeg(paper))
    assert refused.value.reason == Refusal.TOO_SMALL
    assert "closer" in str(refused.value)


# --- the organisation's seal ------------------------------------------------------------------


def seal_photo(diameter: int = 800, colour=(185, 28, 48), size=(1800, 1400)) -> Image.Image:
    """A red seal (rings, the emblem filled, the name as marks) with a black signature across."""
    paper = phone_paper(size, shadow=False)
    draw = ImageDraw.Draw(paper)
    cx, cy, r = size[0] / 2, size[1] / 2, diameter / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=diameter // 36)
    inner = r * 0.64
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), outline=colour, width=8)
    for mark in range(30):
        angle = mark / 30 * 2 * math.pi
        x, y = cx + r * 0.82 * math.cos(angle), cy + r * 0.82 * math.sin(angle)
        draw.rectangle((x - 9, y - 9, x + 9, y + 9), fill=colour)
    draw.regular_polygon((cx, cy, inner * 0.55), 5, fill=colour)  # the emblem: filled
    draw_signature(paper, (25, 25, 35), width=10, left=0.3, span=0.45)
    return with_noise(paper, 6)


def test_a_seal_photo_becomes_a_square_of_red_ink_as_wide_as_the_seal():
    result = opened(clean_seal(jpeg(seal_photo(diameter=800))))

    assert result.width == result.height
    assert result.width == pytest.approx(min(800, MAX_SEAL_SIDE), abs=6)  # the outer ring's
    assert ink_colours(result) == {SEAL_RED}
    centre = result.getpixel((result.width // 2, result.height // 2))
    assert centre[3] == 255  # the filled emblem stays filled (no hollow outline)
    assert result.getpixel((2, 2))[3] == 0  # outside the ring: transparent


def test_the_black_signature_across_the_seal_is_dropped():
    photo = seal_photo()
    result = opened(clean_seal(jpeg(photo)))
    # The signature reaches beyond the seal: had it been kept the image would be wider.
    assert result.width < 0.95 * stroke_box(photo.size)[2] - stroke_box(photo.size)[0]
    # Where the black stroke crosses the inside of the seal, nothing is drawn.
    ink = Image.new("L", photo.size, 0)
    draw_signature(ink, 255, width=4, left=0.3, span=0.45)
    cx, cy = photo.width // 2, photo.height // 2
    half = result.width // 2
    inside = [
        (x - cx + half, y - cy + half)
        for x in range(cx - half // 2, cx + half // 2, 3)
        for y in range(cy - half // 2, cy + half // 2, 3)
        if ink.getpixel((x, y)) and math.hypot(x - cx, y - cy) < half * 0.3
    ]
    assert inside, "the test's signature must cross the seal"
    assert sum(result.getpixel(p)[3] for p in inside) / len(inside) < 40


def test_a_grey_copy_of_a_seal_is_refused_as_no_red_seal():
    grey = seal_photo().convert("L").convert("RGB")
    with pytest.raises(ImageRefused) as refused:
        clean_seal(jpeg(grey))
    assert refused.value.reason == Refusal.NO_RED_INK
    assert "colour scan" in str(refused.value)


def test_a_faded_pink_seal_under_warm_light_is_still_found():
    photo = seal_photo(colour=(225, 120, 135))
    warm = Image.merge(
        "RGB",
        [
            c.point(lambda v, k=k: v * k // 100)
            for c, k in zip(photo.split(), (100, 88, 70), strict=True)
        ],
    )
    result = opened(clean_seal(jpeg(warm)))
    assert result.width == pytest.approx(800, abs=6)


def test_a_seal_too_small_in_the_frame_is_refused():
    with pytest.raises(ImageRefused) as refused:
        clean_seal(jpeg(seal_photo(diameter=150, size=(2000, 1500))))
    assert refused.value.reason == Refusal.TOO_SMALL


def test_blank_paper_is_no_seal():
    with pytest.raises(ImageRefused) as refused:
        clean_seal(jpeg(Image.new("RGB", (1200, 900), (240, 236, 226))))
    assert refused.value.reason == Refusal.NO_INK
