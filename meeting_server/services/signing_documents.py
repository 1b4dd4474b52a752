"""The document of a signing request: the verification mark and one empty field per step.

Runs the upload through ``children.signing_prepare`` (a limited child: QR code and address on
page 1, page sizes, the signature blocks the document declares), then
``route_pdf.prepare_route_pdf`` adds the fields: a signer's in the declared block of their
role (the minutes' "CHỦ TRÌ", "THƯ KÝ"), else where the sender clicked, else in the default
slots at the end of the last page; the seal, unless placed by the sender, at its real size
over the left third of the chair's stamp (or the last signer's), as Decree 30/2020 has it.
A document that will be numbered gets the clerk's issue fields: the declared "Số:" and date,
or one line at the top right of an uploaded document's first page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from signing.fonts import private_font_folder

from ..extensions import db
from ..models import KeyPurpose, MeetingRole, Minutes, MinutesStatus, StepKind, User, utcnow
from ..pdf.runner import ChildFailed, run_child
from ..permissions import can_hold_signing_key
from ..storage import blob_store
from . import route_pdf, signature_images
from .errors import NotAllowed, ServiceError

log = logging.getLogger(__name__)

PREPARE_TIMEOUT_S = 60.0
PREPARE_MEMORY_MB = 768
MIN_BOX_WIDTH = 60.0
MIN_BOX_HEIGHT = 30.0
MAX_STEPS = 10
SEAL_DIAMETER_MM = 36.0  # the drawn seal's: a common round seal (35–42 mm)
ISSUE_LINE = (330.0, 24.0, 8.0)  # width, height, distance from the top right corner (pt)

Box = tuple[float, float, float, float]
Place = tuple[int, Box]  # (page index from 0, box)


@dataclass(frozen=True)
class RouteEntry:
    """One step as the sender chose it: who, a signature or the seal, and where the stamp goes."""

    signer: User
    kind: StepKind = StepKind.SIGNER
    page: int = -1
    box: Box | None = None  # (x1, y1, x2, y2) in PDF points; None: the default slot
    role: str | None = None  # the declared block it signs in ("chair", "secretary"), if any


def prepare_document(
    pdf: bytes,
    url: str,
    route: Sequence[RouteEntry],
    *,
    numbered: bool = False,
) -> tuple[bytes, list[Place]]:
    """Return the document with the QR code and the empty fields, and each step's place.

    ``numbered``: the seal will give the document a number, so add the clerk's issue fields.
    The seal's box has the size of the organisation's seal image (``signature_images``).
    """
    seal = signature_images.current_seal()  # its row: the size, without reading the picture
    diameter = seal.diameter_mm if seal else SEAL_DIAMETER_MM
    marked, report = _marked(pdf, url)
    pages = [(float(w), float(h)) for w, h in report["pages"]]
    declared = report.get("declared") or {}
    places = _places(route, pages, declared, diameter)
    slots = [
        (field_name(entry, i), entry.kind.value, page, box)
        for i, (entry, (page, box)) in enumerate(zip(route, places, strict=True))
    ]
    texts = _issue_fields(declared, pages) if numbered else []
    try:
        return route_pdf.prepare_route_pdf(marked, slots, texts), places
    except route_pdf.SigningError as error:
        raise ServiceError(_l("The signature places cannot be added: %(why)s", why=error)) from None


def _marked(pdf: bytes, url: str) -> tuple[bytes, dict[str, Any]]:
    """Run the limited child: the verification mark on page 1, the pages and declarations."""
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
        return target.read_bytes(), report


def _places(
    route: Sequence[RouteEntry],
    pages: list[tuple[float, float]],
    declared: dict[str, Any],
    seal_diameter_mm: float,
) -> list[Place]:
    """Give each step its page and box: declared block, sender's box, or a default slot."""
    blocks = {b["role"]: (int(b["page"]), _box(b["box"])) for b in declared.get("blocks", ())}
    places: list[Place | None] = []
    slot = 0
    for entry in route:
        if entry.box is None and entry.role in blocks:
            places.append(blocks[entry.role])
        elif entry.box is None and entry.kind == StepKind.SEAL and places:
            places.append(None)  # over a leader's stamp, once theirs are known
        elif entry.box is None:
            places.append(_default_slot(entry, pages, slot))
            slot += 1
        else:
            places.append(_chosen(entry, pages))
    leaders = [p for e, p in zip(route, places, strict=True) if e.kind != StepKind.SEAL and p]
    under = blocks.get("chair") or (leaders[-1] if leaders else None)
    return [
        place or _seal_over(under, pages, seal_diameter_mm)  # type: ignore[arg-type]
        for place in places
    ]


def _default_slot(entry: RouteEntry, pages: list[tuple[float, float]], slot: int) -> Place:
    index = _page_index(entry, pages)
    if index != len(pages) - 1:
        raise ServiceError(_l("Choose where the stamp goes on that page."), field="route")
    width, height = pages[index]
    try:
        return index, route_pdf.default_stamp_box(width, height, slot)
    except ValueError:
        raise ServiceError(
            _l("The last page has no room for more stamps: place them yourself."),
            field="route",
        ) from None


def _chosen(entry: RouteEntry, pages: list[tuple[float, float]]) -> Place:
    """Check the sender's box against its page."""
    index = _page_index(entry, pages)
    width, height = pages[index]
    x1, y1, x2, y2 = entry.box  # type: ignore[misc]
    if not (
        0 <= x1 < x2 <= width
        and 0 <= y1 < y2 <= height
        and x2 - x1 >= MIN_BOX_WIDTH
        and y2 - y1 >= MIN_BOX_HEIGHT
    ):
        raise ServiceError(_l("A stamp must lie inside its page."), field="route")
    return index, entry.box  # type: ignore[return-value]


def _seal_over(under: Place, pages: list[tuple[float, float]], diameter_mm: float) -> Place:
    """Put the seal over the left third of ``under``'s stamp, moved inside its page."""
    page, leader = under
    width, height = pages[page]
    x1, y1, x2, y2 = route_pdf.seal_stamp_box(leader, diameter_mm)
    dx = max(0.0, -x1) - max(0.0, x2 - width)
    dy = max(0.0, -y1) - max(0.0, y2 - height)
    return page, (x1 + dx, y1 + dy, x2 + dx, y2 + dy)


def _issue_fields(
    declared: dict[str, Any], pages: list[tuple[float, float]]
) -> list[tuple[str, int, Box, str]]:
    """Return the clerk's issue fields: those declared, else a line at page 1's top right."""
    fields = [
        (f["name"], int(f["page"]), _box(f["box"]), str(f.get("align", "left")))
        for f in declared.get("fields", ())
    ]
    if fields:
        return fields
    width, height = pages[0]
    line_w, line_h, edge = ISSUE_LINE
    box = (max(0.0, width - edge - line_w), height - edge - line_h, width - edge, height - edge)
    return [("doc_issue", 0, box, "right")]


def _page_index(entry: RouteEntry, pages: list[tuple[float, float]]) -> int:
    index = entry.page if entry.page >= 0 else len(pages) + entry.page
    if not 0 <= index < len(pages):
        raise ServiceError(_l("The document has no page %(n)d.", n=entry.page + 1), field="route")
    return index


def _box(value: Sequence[float]) -> Box:
    x1, y1, x2, y2 = (float(v) for v in value)
    return (x1, y1, x2, y2)


def minutes_route(minutes: Minutes, clerk: User) -> list[RouteEntry]:
    """Return the minutes' route: the chair, the secretary who finalised them, the clerk's seal."""
    if minutes.status != MinutesStatus.FINAL or minutes.pdf_sha256 is None:
        raise NotAllowed(_l("Finalise the minutes before sending them for signing."))
    meeting = minutes.meeting
    chair = next((i.user for i in meeting.invitations if i.role == MeetingRole.CHAIR), None)
    if chair is None:
        raise NotAllowed(_l("The meeting has no chair to sign its minutes."))
    entries = [RouteEntry(chair, role="chair")]
    secretary = db.session.get(User, minutes.finalised_by_id) if minutes.finalised_by_id else None
    if secretary is not None and secretary.id != chair.id:
        entries.append(RouteEntry(secretary, role="secretary"))
    entries.append(RouteEntry(clerk, StepKind.SEAL))
    return entries


def checked_route(title: str, due_at: datetime, route: Sequence[RouteEntry]) -> str:
    """Refuse what cannot be sent; return the title with its spaces tidied."""
    title = " ".join(title.split())[:300]
    if not title:
        raise ServiceError(_l("Give the document a title."), field="title")
    if due_at <= utcnow():
        raise ServiceError(_l("The due date must be in the future."), field="due_at")
    _check_route(route)
    return title


def _check_route(route: Sequence[RouteEntry]) -> None:
    if not route:
        raise ServiceError(_l("Choose at least one signer."), field="route")
    if len(route) > MAX_STEPS:
        raise ServiceError(_l("A route has at most %(n)d steps.", n=MAX_STEPS), field="route")
    seals = [i for i, e in enumerate(route) if e.kind == StepKind.SEAL]
    if seals != [len(route) - 1]:
        raise ServiceError(
            _l("The route ends with the clerk's seal, and has it only there."), field="route"
        )
    signers = [e.signer.id for e in route if e.kind == StepKind.SIGNER]
    if len(set(signers)) != len(signers):
        raise ServiceError(_l("Each leader signs once: remove the repeated name."), field="route")
    for entry in route:
        purpose = KeyPurpose.SEAL if entry.kind == StepKind.SEAL else KeyPurpose.SIGNER
        if not entry.signer.active or not can_hold_signing_key(entry.signer, purpose):
            raise ServiceError(
                _l("%(name)s cannot sign this step.", name=entry.signer.full_name), field="route"
            )


def with_block_roles(route: Sequence[RouteEntry], minutes: Minutes) -> list[RouteEntry]:
    """Give the minutes' chair and secretary their declared blocks, however the route was
    chosen (the sender's form, or :func:`minutes_route`); a stamp the sender placed stays."""
    roles = {e.signer.id: e.role for e in minutes_route(minutes, route[-1].signer) if e.role}
    return [
        replace(entry, role=roles.get(entry.signer.id))
        if entry.kind == StepKind.SIGNER and entry.box is None and entry.role is None
        else entry
        for entry in route
    ]


def field_name(entry: RouteEntry, position: int) -> str:
    return f"seal{position + 1}" if entry.kind == StepKind.SEAL else f"signer{position + 1}"
