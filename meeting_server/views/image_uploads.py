"""Stamp images on the web: the uploaded picture, the preview this browser may see, the PNG.

Shared by "My certificate" (a person's handwritten signature) and the administrator's seal
page. Between the upload and "Save", the cleaned PNG's SHA-256 waits in the signed session
cookie: only this browser sees the preview, and only it can save it.
"""

from __future__ import annotations

from flask import abort, request, session
from flask_babel import lazy_gettext as _l

from ..models import User
from ..services.errors import ServiceError, UploadRefused
from ..services.signature_images import MAX_IMAGE_BYTES
from ..storage import blob_store
from .responses import Caching, send_blob

SIGNATURE_PREVIEW = "signature_image_preview"
SEAL_PREVIEW = "seal_image_preview"
#: What "My certificate" says once the signature image is saved or removed.
SIGNATURE_DONE = {
    "save": _l("Your signature image is saved: your signature stamps show it from now on."),
    "remove": _l("Your signature image is removed."),
}
#: What the seal page says once the seal image is saved or removed.
SEAL_DONE = {
    "save": _l("The seal image is saved: seals applied from now on show it at its real size."),
    "remove": _l("The seal image is removed: seals are drawn again."),
}


def uploaded_image(name: str = "image") -> bytes:
    """Return the picture of the form's file field, or refuse naming the field."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        raise ServiceError(_l("Choose a photo or a scan (JPEG or PNG)."), field=name)
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadRefused(
            _l("This picture is larger than 20 MB. Send a smaller copy of it."), field=name
        )
    return data


def remember_preview(key: str, sha256: str, diameter_mm: int | None = None) -> None:
    """Let this browser see and save the cleaned picture ``sha256`` (a seal: its diameter)."""
    session[key] = {"sha256": sha256, "diameter_mm": diameter_mm}


def preview(key: str) -> str | None:
    """Return the cleaned picture waiting for this browser's "Save", if any."""
    value = session.get(key)
    return value.get("sha256") if isinstance(value, dict) else None


def preview_diameter(key: str) -> int | None:
    """Return the diameter given with the waiting seal picture, if any."""
    value = session.get(key)
    return value.get("diameter_mm") if isinstance(value, dict) else None


def forget_preview(key: str) -> None:
    """Forget the waiting picture (saved or discarded)."""
    session.pop(key, None)


def waiting_preview(key: str) -> str:
    """Return the picture to save, or refuse when there is none (another tab saved it)."""
    sha256 = preview(key)
    if sha256 is None:
        raise ServiceError(_l("There is no picture to save. Upload it again."), field="image")
    return sha256


def send_png(sha256: str, *allowed: str | None) -> object:
    """Answer with the stored PNG ``sha256`` if it is one of ``allowed``, else 404."""
    if sha256 not in allowed:
        abort(404)
    path = blob_store().path_for(sha256)
    if not path.is_file():
        abort(404)
    return send_blob(path, sha256, "image/png", caching=Caching.IMMUTABLE)


def signature_state(user: User) -> dict[str, object]:
    """Return what the "handwritten signature" card of "My certificate" shows."""
    return {
        "saved": user.signature_image_sha256,
        "preview": preview(SIGNATURE_PREVIEW),
        "max_mb": MAX_IMAGE_BYTES // (1024 * 1024),
    }


def send_signature_png(sha256: str, user: User) -> object:
    """Send ``user``'s saved signature image or the preview waiting in this browser, else 404."""
    return send_png(sha256, user.signature_image_sha256, preview(SIGNATURE_PREVIEW))
