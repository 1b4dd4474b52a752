"""The document of a signing request: the verification mark and one empty field per step.

Runs the upload through ``children.signing_prepare`` (a limited child: QR code and address on
page 1, page sizes), then ``signatures.prepare_route_pdf`` adds the fields where the sender
clicked, or in the default slots at the end of the last page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from signing.fonts import private_font_folder

from ..models import StepKind, User
from ..pdf.runner import ChildFailed, run_child
from ..storage import blob_store
from . import signatures
from .errors import ServiceError

log = logging.getLogger(__name__)

PREPARE_TIMEOUT_S = 60.0
PREPARE_MEMORY_MB = 768
MIN_BOX_WIDTH = 60.0
MIN_BOX_HEIGHT = 30.0

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class RouteEntry:
    """One step as the sender chose it: who, a signature or the seal, and where the stamp goes."""

    signer: User
    kind: StepKind = StepKind.SIGNER
    page: int = -1
    box: Box | None = None  # (x1, y1, x2, y2) in PDF points; None: the default slot


def prepare_document(pdf: bytes, url: str, route: Sequence[RouteEntry]) -> tuple[bytes, list[Box]]:
    """Return the document with the QR code and the empty fields, and each step's box."""
    store = blob_store()
    with store.temporary_file(".pdf") as source, store.temporary_file(".pdf") as target:
        source.write_bytes(pdf)
        target.unlink()  # the worker creates it
        try:
            report = run_child(
                "meeting_server.pdf.children.signing_prepare",
                [str(source), str(target), str(private_font_folder()), url],
                timeout_s=PREPARE_TIMEOUT_S,
                memory_mb=PREPARE_MEMORY_MB,
                file_mb=256,
            )
        except ChildFailed as error:
            log.error("preparing a document for signing failed: %s", error)
            report = {"ok": False, "code": "too_complex"}
        if report.get("code") == "signed":
            raise ServiceError(
                _l("This PDF already carries a signature. Send the unsigned document."),
                field="file",
            )
        if report.get("ok") is not True:
            raise ServiceError(
                _l("This PDF cannot be prepared for signing. Save it again as PDF and retry."),
                field="file",
            )
        marked = target.read_bytes()
    boxes = _boxes(route, report["pages"])
    slots = [
        (field_name(entry, i), entry.kind.value, entry.page, box)
        for i, (entry, box) in enumerate(zip(route, boxes, strict=True))
    ]
    try:
        return signatures.prepare_route_pdf(marked, slots), boxes
    except signatures.SigningError as error:
        raise ServiceError(_l("The signature places cannot be added: %(why)s", why=error)) from None


def _boxes(route: Sequence[RouteEntry], pages: list[list[float]]) -> list[Box]:
    """Check chosen boxes against their page; give the others the default slots in order."""
    boxes: list[Box] = []
    slot = 0
    for entry in route:
        index = entry.page if entry.page >= 0 else len(pages) + entry.page
        if not 0 <= index < len(pages):
            raise ServiceError(
                _l("The document has no page %(n)d.", n=entry.page + 1), field="route"
            )
        width, height = pages[index]
        if entry.box is None:
            if index != len(pages) - 1:
                raise ServiceError(_l("Choose where the stamp goes on that page."), field="route")
            try:
                boxes.append(signatures.default_stamp_box(width, height, slot))
            except ValueError:
                raise ServiceError(
                    _l("The last page has no room for more stamps: place them yourself."),
                    field="route",
                ) from None
            slot += 1
            continue
        x1, y1, x2, y2 = entry.box
        if not (
            0 <= x1 < x2 <= width
            and 0 <= y1 < y2 <= height
            and x2 - x1 >= MIN_BOX_WIDTH
            and y2 - y1 >= MIN_BOX_HEIGHT
        ):
            raise ServiceError(_l("A stamp must lie inside its page."), field="route")
        boxes.append(entry.box)
    return boxes


def field_name(entry: RouteEntry, position: int) -> str:
    return f"seal{position + 1}" if entry.kind == StepKind.SEAL else f"signer{position + 1}"
