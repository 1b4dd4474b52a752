"""Stamp images (Decree 30/2020, Appendix I): a person's handwritten signature, the seal.

A leader uploads a photo or scan of their handwritten signature on "My certificate"; an
administrator uploads the organisation's red seal with its real diameter. ``prepare_*``
cleans the picture (``signing.ink``: background removed, ink tinted, cropped; off the event
loop) and stores the PNG as a blob, content-addressed, with nothing in the database: the
person looks at it first, and ``save_*`` then makes it theirs. A refused picture stores
nothing. The signing code reads the images with ``leader_signature`` and ``organisation_seal``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from signing.ink import MAX_INPUT_BYTES, ImageRefused, Refusal, clean_seal, clean_signature

from ..extensions import db
from ..models import SEAL_DIAMETERS_MM, OrganisationSeal, User, utcnow
from ..offload import offload
from ..storage import blob_store
from .audit import record_event
from .errors import NotAllowed, ServiceError, UploadRefused

#: The largest picture accepted, in bytes (a 50-megapixel phone photo is about 15 MB).
MAX_IMAGE_BYTES = MAX_INPUT_BYTES
#: The usual diameter of a Vietnamese organisation's round seal.
DEFAULT_SEAL_DIAMETER_MM = 36


@dataclass(frozen=True)
class SealImage:
    """The organisation's seal as a stamp draws it."""

    png: bytes
    """A square transparent PNG of the red seal; its side is the seal's outer diameter."""
    diameter_mm: int
    """The seal's real diameter: draw the image this many millimetres wide."""


_COMMON = {
    Refusal.UNREADABLE: _l(
        "This file is not a picture we can read. Upload a photo (JPEG) or a PNG image."
    ),
    Refusal.TOO_LARGE: _l(
        "This picture is too large (at most 50 megapixels and 20 MB). Send the photo as the "
        "phone took it, or a smaller copy."
    ),
    Refusal.TOO_DARK: _l(
        "The picture is too dark to tell the ink from the paper. Take the photo again in "
        "daylight or under a lamp."
    ),
}
_SIGNATURE = {
    **_COMMON,
    Refusal.NO_INK: _l(
        "No signature was found in the picture. Sign in dark ink on plain white paper and "
        "photograph it from above, the paper filling the frame."
    ),
    Refusal.TOO_MUCH_INK: _l(
        "Too much of the picture is dark for a signature on plain paper. Photograph only the "
        "white paper with your signature, without patterns or strong shadows across it."
    ),
    Refusal.TOO_SMALL: _l(
        "Your signature is too small in the picture. Photograph it closer, so that it fills "
        "most of the frame."
    ),
}
_SEAL = {
    **_COMMON,
    Refusal.NO_INK: _l(
        "No seal was found in the picture. Stamp the seal on plain white paper and scan or "
        "photograph it from above."
    ),
    Refusal.NO_RED_INK: _l(
        "The picture shows no red seal. Upload a colour scan or photo of the seal stamped in "
        "red on white paper (not a black-and-white copy)."
    ),
    Refusal.TOO_MUCH_INK: _l(
        "Too much of the picture is dark or red for a seal on plain paper. Scan or photograph "
        "only the white paper with the seal."
    ),
    Refusal.TOO_SMALL: _l(
        "The seal is too small in the picture. Scan it at 300 dpi or more, or photograph it "
        "closer, so that it fills most of the frame."
    ),
}


# --- a person's handwritten signature ------------------------------------------------------


def prepare_signature_image(data: bytes) -> str:
    """Clean a photo or scan of a handwritten signature, store it, and return its SHA-256."""
    return _prepared(clean_signature, data, _SIGNATURE)


def save_signature_image(user: User, sha256: str) -> None:
    """Make the prepared image ``sha256`` the user's signature image (replacing any)."""
    _require_stored(sha256)
    previous, user.signature_image_sha256 = user.signature_image_sha256, sha256
    record_event(user, "signature_image.set", "user", user.id, sha256=sha256, previous=previous)


def remove_signature_image(user: User) -> None:
    """Remove the user's signature image: their stamps show no handwritten signature."""
    if user.signature_image_sha256 is None:
        raise NotAllowed(_l("You have no signature image to remove."))
    previous, user.signature_image_sha256 = user.signature_image_sha256, None
    record_event(user, "signature_image.removed", "user", user.id, previous=previous)


def leader_signature(user: User) -> bytes | None:
    """Return the user's handwritten signature (a transparent PNG, blue ink), if they set one."""
    sha256 = user.signature_image_sha256
    return None if sha256 is None else blob_store().path_for(sha256).read_bytes()


# --- the organisation's seal ---------------------------------------------------------------


def prepare_seal_image(data: bytes) -> str:
    """Clean a scan or photo of the red seal, store it, and return its SHA-256."""
    return _prepared(clean_seal, data, _SEAL)


def check_seal_diameter(diameter_mm: int) -> int:
    """Return the diameter if a seal may have it, or refuse naming the field."""
    if diameter_mm not in SEAL_DIAMETERS_MM:
        raise ServiceError(
            _l(
                "Enter the seal's real diameter in millimetres, from %(low)d to %(high)d "
                "(measure it across the outer ring; most seals are 36 mm).",
                low=SEAL_DIAMETERS_MM.start,
                high=SEAL_DIAMETERS_MM.stop - 1,
            ),
            field="diameter_mm",
        )
    return diameter_mm


def current_seal() -> OrganisationSeal | None:
    """Return this organisation's seal row (``ORGANISATION_CODE``), if an image is set."""
    return db.session.get(OrganisationSeal, _organisation())


def save_organisation_seal(actor: User, sha256: str, diameter_mm: int) -> OrganisationSeal:
    """Make the prepared image ``sha256`` the organisation's seal, ``diameter_mm`` across."""
    check_seal_diameter(diameter_mm)
    _require_stored(sha256)
    seal = current_seal()
    previous = None if seal is None else seal.sha256
    if seal is None:
        seal = OrganisationSeal(organisation=_organisation())
        db.session.add(seal)
    seal.sha256, seal.diameter_mm = sha256, diameter_mm
    seal.updated_by_id, seal.updated_at = actor.id, utcnow()
    db.session.flush()
    record_event(
        actor,
        "organisation_seal.set",
        "organisation_seal",
        None,
        organisation=seal.organisation,
        sha256=sha256,
        diameter_mm=diameter_mm,
        previous=previous,
    )
    return seal


def remove_organisation_seal(actor: User) -> None:
    """Remove the seal image: seals are drawn again (``signing.seal_image``)."""
    seal = current_seal()
    if seal is None:
        raise NotAllowed(_l("No seal image is set."))
    db.session.delete(seal)
    db.session.flush()
    record_event(
        actor,
        "organisation_seal.removed",
        "organisation_seal",
        None,
        organisation=seal.organisation,
        previous=seal.sha256,
    )


def organisation_seal() -> SealImage | None:
    """Return the organisation's seal image and its real diameter, if an administrator set one."""
    seal = current_seal()
    if seal is None:
        return None
    return SealImage(blob_store().path_for(seal.sha256).read_bytes(), seal.diameter_mm)


# --- helpers -------------------------------------------------------------------------------


def _prepared(clean: Callable[[bytes], bytes], data: bytes, messages: dict) -> str:
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadRefused(messages[Refusal.TOO_LARGE], field="image")
    try:
        png = offload(clean, data)  # ~0.3 s of Pillow for a 12-megapixel photo
    except ImageRefused as refusal:
        raise UploadRefused(messages[refusal.reason], field="image") from None
    return blob_store().put_bytes(png).sha256


def _require_stored(sha256: str) -> None:
    if not blob_store().exists(sha256):
        raise NotAllowed(_l("This picture is no longer here. Upload it again."), field="image")


def _organisation() -> str:
    return str(current_app.config["ORGANISATION_CODE"])
