"""A route's PDF: its empty fields before the first signature, then each step's signature.

The fields (one per signer, the seal's, and the clerk's issue fields) are added before the
first signature, which certifies the document; each step then fills its own field with a
Decree 30 stamp (the leader's handwritten signature image and text, or the seal's image) and
the seal's revision also writes the document's number and date of issue. The work runs off
the event loop (``offload.offload``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from signing import (
    KeySource,
    LeaderStamp,
    PadesLevel,
    RouteSlot,
    SealStamp,
    SigningError,
    TextField,
    default_box,
    empty_text_fields,
    prepare_route,
    route_fields,
    seal_box,
    sign_route_step,
)
from signing.longterm import extend_to_lta

from ..offload import offload
from . import ocsp, timestamps
from .signatures import configured_roots, stamp_of, trust_settings

__all__ = [
    "ISSUE_FIELDS",
    "Issue",
    "SigningError",
    "default_stamp_box",
    "prepare_route_pdf",
    "route_field_state",
    "seal_stamp_box",
    "sign_route_pdf",
]


@dataclass(frozen=True)
class Issue:
    """The clerk's number and date of issue, written into the document with the seal."""

    notation: str  # "05/BB-UBND"
    dated: str  # "ngày 07 tháng 12 năm 2026"
    signed_at: str = ""  # "07/12/2026 16:20:05 +07:00": the seal's time, Vietnam time


#: The text fields a document may have for the issue (pdf/blocks.py declares the first two;
#: an uploaded document gets the last: at the top right of its first page, the number and the
#: signing time to the second with the time zone, as Decree 30 has it for attachments).
ISSUE_FIELDS = ("doc_number", "doc_date", "doc_issue")
Box = tuple[float, float, float, float]


def prepare_route_pdf(
    data: bytes,
    slots: Sequence[tuple[str, str, int, Box]],
    text_fields: Sequence[tuple[str, int, Box, str]] = (),
) -> bytes:
    """Add one empty signature field per (field name, "signer"|"seal", page, box), in order,
    and the empty text fields (name, page, box, alignment) the seal's revision fills."""
    fields = [RouteSlot(name, kind, box, page) for name, kind, page, box in slots]  # type: ignore[arg-type]
    texts = [TextField(name, page, box, align) for name, page, box, align in text_fields]
    return offload(functools.partial(prepare_route, data, fields, texts))


def route_field_state(data: bytes) -> dict[str, bool]:
    """Return {field name: signed?} for the PDF's signature fields."""
    return dict(route_fields(data))


def sign_route_pdf(
    data: bytes,
    key: KeySource,
    *,
    field_name: str,
    seal: bool,
    last: bool = False,
    issue: Issue | None = None,
    image: bytes | None = None,
) -> bytes:
    """Check the route so far, then sign ``field_name`` with a visible stamp from the certificate.

    The first signature certifies the document; B-T with a timestamp authority (``TSA_URL``, or
    the internal CA's own when its passphrase file is here), else B-B. The seal writes the
    ``issue`` (number, date) into the document's empty issue fields in its own revision. The
    ``last`` signature of a route then extends the document to B-LTA (validation data, with
    the internal CA's OCSP responses when it has a responder, and a document timestamp).
    ``image``: the leader's handwritten signature or the seal's image (PNG).
    The work runs off the event loop (``offload.offload``).
    """
    tsa = timestamps.authority()
    responder = ocsp.responder() if last and tsa else None
    stamp = _with_image(stamp_of("seal" if seal else "leader", key.certificate), image)
    trust = trust_settings(configured_roots())

    def work() -> bytes:
        signed = sign_route_step(
            data, key, field_name=field_name, trust=trust, stamp=stamp,
            level=PadesLevel.B_T if tsa else PadesLevel.B_B, tsa=tsa,
            reason="Đóng dấu" if seal else "Phê duyệt", form_values=_issue_values(data, issue),
        )  # fmt: skip
        return extend_to_lta(signed, trust, tsa, responder=responder) if last and tsa else signed

    return offload(work)


def _issue_values(data: bytes, issue: Issue | None) -> tuple[tuple[str, str], ...]:
    """Return what to write into each of the document's empty issue fields."""
    if issue is None:
        return ()
    empty = empty_text_fields(data)
    line = f"Số: {issue.notation} - Thời gian ký: {issue.signed_at}"
    values = dict(zip(ISSUE_FIELDS, (issue.notation, issue.dated, line), strict=True))
    return tuple((name, text) for name, text in values.items() if name in empty)


def _with_image(stamp: LeaderStamp | SealStamp | None, image: bytes | None) -> Any:
    if image is None or stamp is None:
        return stamp
    if isinstance(stamp, SealStamp):
        return replace(stamp, seal_image=image)
    return replace(stamp, signature_image=image)


def seal_stamp_box(leader: Box, diameter_mm: float) -> Box:
    """Return the seal's square box, at its real size, over the left third of a leader's stamp."""
    return seal_box(leader, diameter_mm * 72 / 25.4)


def default_stamp_box(width: float, height: float, slot: int) -> tuple[float, float, float, float]:
    """Return stamp number ``slot``'s default box at the bottom of a ``width`` × ``height`` page."""
    return default_box(width, height, slot)
