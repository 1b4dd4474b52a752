"""Incremental saving, byte-range and certification attacks of the corpus
(tests/support/attacks.py)."""

from __future__ import annotations

import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from .attacks_build import (
    FIELD_BOX,
    Keys,
    appearance,
    decision,
    first_page,
    line,
    sign,
    updated,
    with_page_text,
)

NEW_AMOUNT = "Amount: 900,000 VND"
OVER_AMOUNT = (70, 690, 330, 720)


def incremental_update(keys: Keys) -> bytes:
    """ISA: an incremental update with new page contents and no new signature."""
    signed = sign(decision(), keys.victim, "victim")
    return with_page_text(signed, line(NEW_AMOUNT, y=650), before=False)


def incremental_appended(keys: Keys) -> bytes:
    """ISA without an xref section: a redefined object appended after the signed file's end."""
    signed = sign(decision(), keys.victim, "victim")
    content = b"BT /F1 14 Tf 72 700 Td (Amount: 900,000 VND) Tj ET"
    objects = re.findall(rb"(\d+) 0 obj\s*<<\s*/Length", signed)
    number = int(objects[0]) if objects else 4
    appended = b"\n%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(content),
        content,
    )
    return signed + appended


def byterange_over_injected_bytes(keys: Keys) -> bytes:
    """Byte-range manipulation (not a full signature wrapping: nothing reads the bytes): an
    unused entry is injected into the signature's padding and the /ByteRange rewritten to
    take it in; the file's offsets stay valid, so every reader opens it (digest mismatch)."""
    signed = sign(decision(), keys.victim, "victim")
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert match is not None  # noqa: S101
    _a, b, c, d = (int(v) for v in match.groups())
    evil = b"> /Evil (Amount: 900,000 VND) /Pad <"
    start = c - 1 - len(evil)  # the hex string's last zeros, before its closing ">"
    assert signed[start : c - 1] == b"0" * len(evil)  # noqa: S101 — padding, not the CMS
    ranges = f"/ByteRange [0 {b} {start} {d + len(evil) + 1}]".encode()
    data = signed[:start] + evil + signed[c - 1 :]
    data = data[: match.start()] + ranges.ljust(len(match.group(0))) + data[match.end() :]
    return data


def evil_annotation(keys: Keys) -> bytes:
    """EAA: certified with P=3 (annotations allowed); a free-text annotation is appended to
    the page's existing indirect /Annots array and covers the amount with another one.
    pyHanko's diff policy has no rule for P=3 and refuses every such update; were it to
    accept one, the picture comparison sees the note."""
    signed = sign(decision(notes=True), keys.victim, "victim", certify=fields.MDPPerm.ANNOTATE)

    def change(writer: IncrementalPdfFileWriter) -> None:
        x0, y0, x1, y1 = FIELD_BOX
        note = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/FreeText"),
                pdf_name("/Rect"): generic.ArrayObject(generic.NumberObject(v) for v in FIELD_BOX),
                pdf_name("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
                pdf_name("/Contents"): generic.TextStringObject(NEW_AMOUNT),
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/AP"): generic.DictionaryObject(
                    {pdf_name("/N"): appearance(writer, NEW_AMOUNT, x1 - x0, y1 - y0)}
                ),
            }
        )
        annots = first_page(writer).raw_get("/Annots")
        annots.get_object().append(writer.add_object(note))
        writer.mark_update(annots)

    return updated(signed, change)


def sneaky_signature(keys: Keys) -> bytes:
    """SSA: certified with P=2; the attacker adds a signature whose stamp prints over the amount."""
    signed = sign(decision(), keys.victim, "victim", certify=fields.MDPPerm.FILL_FORMS)
    return sign(signed, keys.attacker, "sneaky", box=OVER_AMOUNT, text=NEW_AMOUNT)


def sneaky_approval(keys: Keys) -> bytes:
    """A later signature (the victim's is an approval) whose stamp prints over the amount."""
    signed = sign(decision(), keys.victim, "victim")
    return sign(signed, keys.attacker, "sneaky", box=OVER_AMOUNT, text=NEW_AMOUNT)


def outsider_note_on_blank(keys: Keys) -> bytes:
    """An untrusted signer signs on a blank spot with a stamp that amends the decision."""
    signed = sign(decision(), keys.victim, "victim")
    box = (72, 600, 400, 640)
    return sign(signed, keys.outsider, "sneaky", box=box, text="Amendment: amount is 900,000 VND")
