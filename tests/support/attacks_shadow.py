"""Shadow attacks and form-field attacks of the corpus (tests/support/attacks.py): the signer
saw one thing, an update pyHanko may call form filling makes the page show another."""

from __future__ import annotations

from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from .attacks_build import Field, Keys, decision, first_page, first_page_ref, refill, sign, updated

NEW_AMOUNT = "Amount: 900,000 VND"


def shadow_hide(keys: Keys) -> bytes:
    """Hide: the signer saw "500,000" on an opaque overlay; the update empties the overlay."""
    signed = sign(decision(covered=True), keys.victim, "victim")

    def change(writer: IncrementalPdfFileWriter) -> None:
        page = first_page(writer)
        cover = page["/Resources"]["/XObject"].raw_get("/Cover")
        stream = cover.get_object()
        stream._data = b""  # noqa: SLF001 — pyHanko's writer has no setter for raw data
        stream._encoded_data = None  # noqa: SLF001
        writer.mark_update(cover)

    return updated(signed, change)


def shadow_hide_form_field(keys: Keys) -> bytes:
    """Hide via a form field: an opaque field printing "500,000" covers "900,000" on the page;
    after signing its value is emptied (pyHanko: form filling, allowed)."""
    prepared = decision(amount_field=Field(), beneath=NEW_AMOUNT)
    signed = sign(prepared, keys.victim, "victim")
    return refill(signed, "")


def shadow_replace(keys: Keys) -> bytes:
    """Replace via an overlay form field under a certification (P=2): the amount field's value
    is changed after signing — form filling, which P=2 allows."""
    prepared = decision(amount_field=Field())
    signed = sign(prepared, keys.victim, "victim", certify=fields.MDPPerm.FILL_FORMS)
    return refill(signed, NEW_AMOUNT)


def shadow_replace_font(keys: Keys) -> bytes:
    """Replace via overwrite: the font the page uses is redefined after signing."""
    signed = sign(decision(), keys.victim, "victim")

    def change(writer: IncrementalPdfFileWriter) -> None:
        font = first_page(writer)["/Resources"]["/Font"].raw_get("/F1")
        font.get_object()[pdf_name("/BaseFont")] = pdf_name("/Courier-Bold")
        writer.mark_update(font)

    return updated(signed, change)


def shadow_hide_and_replace(keys: Keys) -> bytes:
    """Hide-and-replace: a whole other page hides in an unused object; the update points the
    page's contents at it."""
    signed = sign(decision(hidden=True), keys.victim, "victim")

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = first_page_ref(writer)
        page = page_ref.get_object()
        page[pdf_name("/Contents")] = page["/Resources"]["/XObject"].raw_get("/Shadow")
        writer.mark_update(page_ref)

    return updated(signed, change)


def empty_field_over_content(keys: Keys) -> bytes:
    """An empty, transparent text field lies over the printed amount when signed; it is
    filled later with an opaque appearance that prints another amount."""
    field = Field(value=None, look="", opaque=False, printed=True)
    signed = sign(decision(amount_field=field), keys.victim, "victim")
    return refill(signed, "x", NEW_AMOUNT)


def empty_field_with_look(keys: Keys) -> bytes:
    """An empty field (no value) whose appearance shows the amount when signed; it is filled
    later with an appearance that shows another."""
    signed = sign(decision(amount_field=Field(value=None)), keys.victim, "victim")
    return refill(signed, "x", NEW_AMOUNT)


def value_changed_look_kept(keys: Keys) -> bytes:
    """The amount field's value changes after signing while its old appearance is kept
    (NeedAppearances set: a viewer that regenerates shows the new value)."""
    signed = sign(decision(amount_field=Field(need_appearances=True)), keys.victim, "victim")
    return refill(signed, NEW_AMOUNT, None)
