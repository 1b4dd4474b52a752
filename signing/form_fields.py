"""Text fields a route writes into later: the clerk's number and date of issue.

Decree 30/2020 has the clerk (văn thư) give a document its number and date of issue when they
seal it. :func:`add_text_fields` creates the empty fields before the first signature (as
:mod:`signing.routes` does for the signature fields); :func:`fill_text_fields` writes their
values and appearances into the writer that then signs the seal, so the number, the date and
the seal are one revision and every earlier signature (DocMDP P=2: form filling allowed)
stays valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.rw_common import PdfHandler
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStamp, TextStampStyle

from .errors import SigningError
from .fonts import check_coverage, clean_line, vietnamese_font_path

__all__ = ["TextField", "add_text_fields", "fill_text_fields", "text_field_values"]

_PRINT = 4  # annotation flag: print the field with the page
_TEXT_SIZE = 11
_TEXT_COLOUR = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class TextField:
    """An empty text field to create.

    :param name: The field's name (``/T``), unique in the document.
    :param page: The page index (``-1`` = last page).
    :param box: ``(x1, y1, x2, y2)`` in PDF points.
    :param align: Where the value sits in the box: "left", "centre" or "right".
    """

    name: str
    page: int
    box: tuple[float, float, float, float]
    align: str = "left"


def add_text_fields(writer: IncrementalPdfFileWriter, specs: Sequence[TextField]) -> None:
    """Add each empty text field to the form and to its page's annotations.

    :param writer: The writer of the revision that creates the fields.
    :param specs: The fields.
    :raises SigningError: A name is already a field of the document.
    """
    if not specs:
        return
    form = _form(writer)
    taken = {str(f.get_object().get("/T", "")) for f in form["/Fields"]}
    for spec in specs:
        if spec.name in taken:
            raise SigningError(f"The document already has a field named {spec.name!r}.")
        page_ref, _resources = writer.find_page_for_modification(spec.page)  # type: ignore[no-untyped-call]
        widget = generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): generic.TextStringObject(spec.name),
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/F"): generic.NumberObject(_PRINT),  # type: ignore[no-untyped-call]
                pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in spec.box),  # type: ignore[no-untyped-call]
                pdf_name("/P"): page_ref,
                pdf_name("/DA"): generic.TextStringObject(f"/Helv {_TEXT_SIZE} Tf 0 g"),
                pdf_name("/Q"): generic.NumberObject(_QUADDING[spec.align]),  # type: ignore[no-untyped-call]
            }
        )
        ref = writer.add_object(widget)
        _append(writer, page_ref.get_object(), "/Annots", ref, page_ref)
        _append(writer, form, "/Fields", ref, None)
        taken.add(spec.name)


def text_field_values(document: PdfHandler) -> dict[str, str | None]:
    """Return {name: value or None} for the document's top-level text fields.

    :param document: A reader or writer of the PDF.
    """
    form = document.root.get("/AcroForm")
    if form is None:
        return {}
    found: dict[str, str | None] = {}
    for ref in form.get_object().get("/Fields", ()):
        field = ref.get_object()
        if field.get("/FT") == "/Tx" and "/T" in field:
            value = field.get("/V")
            found[str(field["/T"])] = None if value is None else str(value)
    return found


def fill_text_fields(writer: IncrementalPdfFileWriter, values: Mapping[str, str]) -> None:
    """Write ``values`` into the named empty text fields, with an appearance in our font.

    :param writer: The writer of the revision that will also be signed.
    :param values: {field name: one line of text}.
    :raises SigningError: A field is missing, is not a text field, already has a value, or the
        font cannot draw the text.
    """
    form = writer.root.get("/AcroForm")
    fields = {}
    if form is not None:
        for ref in form.get_object().get("/Fields", ()):
            field = ref.get_object()
            fields[str(field.get("/T", ""))] = (ref, field)
    for name, raw in values.items():
        if name not in fields:
            raise SigningError(f"The document has no field {name!r} to write into.")
        ref, field = fields[name]
        if field.get("/FT") != "/Tx":
            raise SigningError(f"The field {name!r} is not a text field.")
        if field.get("/V") not in (None, ""):
            raise SigningError(f"The field {name!r} already holds {str(field['/V'])!r}.")
        text = clean_line(raw)
        check_coverage(text)
        field[pdf_name("/V")] = generic.TextStringObject(text)
        field[pdf_name("/AP")] = generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {pdf_name("/N"): _appearance(writer, field, text)}
        )
        writer.mark_update(ref)


# --- helpers -----------------------------------------------------------------------------------

_QUADDING = {"left": 0, "centre": 1, "right": 2}
_ALIGN = {0: AxisAlignment.ALIGN_MIN, 1: AxisAlignment.ALIGN_MID, 2: AxisAlignment.ALIGN_MAX}


def _appearance(
    writer: IncrementalPdfFileWriter, field: generic.DictionaryObject, text: str
) -> generic.IndirectObject:
    """Return the registered form XObject that draws ``text`` in the field's rectangle."""
    from .stamps import InMemoryGlyphAccumulatorFactory  # the stamps' font, read from memory

    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    layout = SimpleBoxLayoutRule(
        x_align=_ALIGN.get(int(field.get("/Q", 0)), AxisAlignment.ALIGN_MIN),
        y_align=AxisAlignment.ALIGN_MID,
        margins=Margins(left=1, right=1, top=0, bottom=0),
    )
    style = TextStampStyle(
        stamp_text=text.replace("%", "%%"),
        text_box_style=TextBoxStyle(
            font=InMemoryGlyphAccumulatorFactory(str(vietnamese_font_path())),
            font_size=_TEXT_SIZE,
            leading=_TEXT_SIZE + 2,
            box_layout_rule=layout,
        ),
        inner_content_layout=layout,
        border_width=0,
        background=None,
    )
    stamp = TextStamp(writer, style, box=BoxConstraints(width=width, height=height))
    return stamp.register()


def _form(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    """Return the document's (updatable) AcroForm, creating it if there is none."""
    root = writer.root
    if "/AcroForm" not in root:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})  # type: ignore[no-untyped-call]
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()  # type: ignore[no-untyped-call]
    form_ref = root.raw_get("/AcroForm")
    form = form_ref.get_object()
    if isinstance(form_ref, generic.IndirectObject):
        writer.mark_update(form_ref)
    else:
        writer.update_root()  # type: ignore[no-untyped-call]
    if "/Fields" not in form:
        form[pdf_name("/Fields")] = generic.ArrayObject()
    return form  # type: ignore[no-any-return]


def _append(
    writer: IncrementalPdfFileWriter,
    owner: generic.DictionaryObject,
    key: str,
    ref: generic.IndirectObject,
    owner_ref: generic.IndirectObject | None,
) -> None:
    """Append ``ref`` to the array ``owner[key]`` (direct or indirect) and mark it updated;
    ``owner_ref`` None: the owner is already marked."""
    raw = owner.raw_get(key) if key in owner else None
    if isinstance(raw, generic.IndirectObject):
        raw.get_object().append(ref)  # type: ignore[no-untyped-call]
        writer.mark_update(raw)
        return
    if raw is None:
        owner[pdf_name(key)] = generic.ArrayObject()
    owner[key].append(ref)
    if owner_ref is not None:
        writer.mark_update(owner_ref)
