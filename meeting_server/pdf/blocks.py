"""Signature blocks a generated document declares, so that its signatures land inside them.

A document we render (the minutes; later any template) knows where its "THƯ KÝ" and "CHỦ TRÌ"
blocks are, and where its number ("Số: …") and date of issue go. It writes them into its own
document information dictionary under ``/SignatureBlocks`` as JSON, in PDF points on pages
counted from 0::

    {"blocks": [{"role": "chair", "page": 2, "box": [x1, y1, x2, y2]}, …],
     "fields": [{"name": "doc_number", "page": 0, "box": […], "align": "left"}, …]}

When the document is sent for signing, ``children/signing_prepare`` reads the declaration
back (:func:`declared`), checks it against the pages, and the route puts each signer's field in
the block of their role, the seal over the chair's signature, and the clerk's number and date
into the declared text fields. An uploaded PDF declares nothing and keeps the sender's
placement; a declaration that does not fit its pages is ignored as a whole.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

KEY = "/SignatureBlocks"
ROLES = ("chair", "secretary")
FIELDS = ("doc_number", "doc_date")
_MAX_LENGTH = 4096

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Block:
    """The empty space of a role's signature block, between its title and its name."""

    role: str
    page: int
    box: Rect


@dataclass(frozen=True)
class Field:
    """Where a text the clerk gives at sealing (number, date of issue) is written."""

    name: str
    page: int
    box: Rect
    align: str = "left"


@dataclass(frozen=True)
class Declaration:
    """A document's signature blocks and text fields."""

    blocks: tuple[Block, ...] = ()
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def as_json(self) -> str:
        """Return the declaration as the JSON stored in the PDF."""
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)


def declare(pdf: bytes, declaration: Declaration) -> bytes:
    """Return ``pdf`` with ``declaration`` in its document information (same bytes otherwise)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.docinfo[KEY] = declaration.as_json()
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


def declared(document: Any, pages: list[tuple[float, float]]) -> Declaration:
    """Return what an open pikepdf document declares, or an empty declaration.

    Every rectangle must lie on its page (``pages``: displayed sizes in points), each role and
    field at most once; anything else — a hostile or stale declaration — counts as none.
    """
    raw = document.docinfo.get(KEY) if document.trailer.get("/Info") is not None else None
    if raw is None:
        return Declaration()
    try:
        text = str(raw)
        if len(text) > _MAX_LENGTH:
            return Declaration()
        data = json.loads(text)
        blocks = tuple(
            Block(str(b["role"]), int(b["page"]), _rect(b["box"])) for b in data["blocks"]
        )
        fields = tuple(
            Field(str(f["name"]), int(f["page"]), _rect(f["box"]), str(f.get("align", "left")))
            for f in data["fields"]
        )
    except (ValueError, TypeError, KeyError):
        return Declaration()
    if not _fits(blocks, fields, pages):
        return Declaration()
    return Declaration(blocks, fields)


def _rect(value: Any) -> Rect:
    x1, y1, x2, y2 = (float(v) for v in value)
    return (x1, y1, x2, y2)


def _fits(blocks: tuple[Block, ...], fields: tuple[Field, ...], pages: list[Any]) -> bool:
    """Check roles and names are known and single, and every rectangle lies on its page."""
    roles = [b.role for b in blocks]
    names = [f.name for f in fields]
    if len(set(roles)) != len(roles) or not set(roles) <= set(ROLES):
        return False
    if len(set(names)) != len(names) or not set(names) <= set(FIELDS):
        return False
    for page, (x1, y1, x2, y2) in [(b.page, b.box) for b in blocks] + [
        (f.page, f.box) for f in fields
    ]:
        if not 0 <= page < len(pages):
            return False
        width, height = pages[page]
        if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
            return False
    return all(f.align in ("left", "centre", "right") for f in fields)
