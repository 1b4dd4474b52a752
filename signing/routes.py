"""Multi-signer routes: one pre-created field per signer plus the seal, signed in order.

Why pre-create: adding a new field after a certification signature makes pyHanko flag the
certification as illegally modified, so :func:`prepare_route` adds every field before the
first signature. The first signature certifies (DocMDP P=2); each later signer fills their
own field. Before any signature is added, every existing one is validated; a broken one
stops the route with a :class:`~signing.errors.RouteError` that says which and why.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from .errors import RouteError
from .form_fields import TextField, add_text_fields, text_field_values
from .keys import KeySource
from .sign import Box, PadesLevel, SignatureRequest, Tsa, field_box, sign_pdf
from .stamps import LeaderStamp, SealStamp, default_box
from .trust import TrustSettings
from .validate import validate_pdf

__all__ = [
    "RouteSlot",
    "TextField",
    "empty_text_fields",
    "prepare_route",
    "route_fields",
    "sign_route_step",
]


@dataclass(frozen=True)
class RouteSlot:
    """One signature place in a route.

    :param field_name: Unique field name, e.g. "chair" or "seal".
    :param kind: "signer" for a person, "seal" for the organisation's seal.
    :param box: Where the stamp goes; ``None`` = the default slot at the end of the last page.
    :param page: Page index (``-1`` = last page).
    """

    field_name: str
    kind: Literal["signer", "seal"] = "signer"
    box: Box | None = None
    page: int = -1


def prepare_route(
    data: bytes, slots: Sequence[RouteSlot], text_fields: Sequence[TextField] = ()
) -> bytes:
    """Add an empty signature field for every slot (and the empty text fields) to a PDF.

    :param data: An unsigned PDF.
    :param slots: In signing order; the seal last.
    :param text_fields: Empty text fields a later step fills in (the clerk's number and date).
    :raises RouteError: If the PDF is already signed or a field name repeats.
    """
    names = [slot.field_name for slot in slots]
    if len(set(names)) != len(names) or not names:
        raise RouteError("Each signer needs one field with a unique name.")
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if any(value is not None for _n, value, _r in fields.enumerate_sig_fields(writer.prev)):
        raise RouteError("The PDF is already signed; a route must start from an unsigned PDF.")
    width, height = _page_size(writer, -1)
    for index, slot in enumerate(slots):
        box = slot.box or default_box(width, height, index)
        spec = fields.SigFieldSpec(slot.field_name, on_page=slot.page, box=field_box(box))
        fields.append_signature_field(writer, spec)
    add_text_fields(writer, text_fields)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def route_fields(data: bytes) -> list[tuple[str, bool]]:
    """Return (field name, signed?) for every signature field, in document order.

    :param data: The PDF.
    """
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [(name, value is not None) for name, value, _r in fields.enumerate_sig_fields(reader)]


def empty_text_fields(data: bytes) -> set[str]:
    """Return the names of the document's text fields that hold no value yet.

    :param data: The PDF.
    """
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return {name for name, value in text_field_values(reader).items() if not value}


def sign_route_step(
    data: bytes,
    key: KeySource,
    *,
    field_name: str,
    trust: TrustSettings,
    stamp: LeaderStamp | SealStamp | None,
    level: PadesLevel = PadesLevel.B_T,
    tsa: Tsa = None,
    reason: str | None = None,
    form_values: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """Check the route so far, then sign ``field_name``; the first signature certifies.

    :param data: The PDF as the previous step left it.
    :param key: The signer's key.
    :param field_name: This signer's pre-created field.
    :param trust: Trust settings used to check earlier signatures (and embed LT data).
    :param stamp: The visible stamp's content.
    :param level: PAdES level of this signature.
    :param tsa: Timestamp authority (B-T and above).
    :param reason: The /Reason entry.
    :param form_values: ``(field, text)`` filled in this revision (the clerk's number, date).
    :raises RouteError: The field is unknown or signed, or an earlier signature is broken.
    """
    already_signed = _check_field(data, field_name)
    if already_signed:
        _require_valid_so_far(data, trust)
    request = SignatureRequest(
        field_name=field_name,
        level=level,
        certify=not already_signed,
        stamp=stamp,
        reason=reason,
        form_values=form_values,
    )
    return sign_pdf(data, key, request, tsa=tsa, trust=trust)


def _check_field(data: bytes, field_name: str) -> bool:
    """Refuse an unknown or signed field; return whether any field is signed already."""
    state = dict(route_fields(data))
    if field_name not in state:
        raise RouteError(f"The document has no signature field {field_name!r}.")
    if state[field_name]:
        raise RouteError(f"The field {field_name!r} is already signed.")
    return any(state.values())


def _require_valid_so_far(data: bytes, trust: TrustSettings) -> None:
    report = validate_pdf(data, trust)
    if report.error or report.trailing_data:
        raise RouteError("The document was damaged or extended after signing; the route stops.")
    for sig in report.signatures:
        if not sig.valid:
            raise RouteError(
                f"The signature in {sig.field_name!r} is not valid ({sig.reason_en}); "
                "the route stops until the sender resolves it."
            )


def _page_size(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, float]:
    page_ref, _resources = writer.find_page_for_modification(page)  # type: ignore[no-untyped-call]
    node = page_ref.get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # the box may be inherited
        node = node["/Parent"].get_object()
    x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
    return x2 - x1, y2 - y1
