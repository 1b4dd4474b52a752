"""The building blocks of the attack corpus (tests/support/attacks.py): the decision the
victim signs, signing, the attacker's updates, and the keys."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pikepdf
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
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
AMOUNT_FIELD = "Amount: 500,000 VND"


@dataclass(frozen=True)
class Keys:
    """The victim's and a colleague's keys (both from the caller's CA, so trusted) and an
    outsider's (a self-signed certificate: not trusted)."""

    victim: KeySource
    attacker: KeySource
    outsider: KeySource


@dataclass(frozen=True)
class Field:
    """The amount's text field: its value (``None``: no ``/V``), what its appearance shows,
    on white or transparent, whether the page prints the amount under it, NeedAppearances."""

    value: str | None = AMOUNT_FIELD
    look: str = AMOUNT_FIELD
    opaque: bool = True
    printed: bool = False
    need_appearances: bool = False


def decision(
    *,
    covered: bool = False,
    amount_field: Field | None = None,
    beneath: str = "",
    hidden: bool = False,
    notes: bool = False,
) -> bytes:
    """Return the unsigned one-page decision.

    :param covered: The page prints "900,000" under an opaque white form XObject that prints
        "500,000" (the shadow *hide* set-up).
    :param amount_field: A text field over the amount's place (see :class:`Field`).
    :param beneath: Text the page prints under the amount field.
    :param hidden: An unused form XObject holds a whole other page (*hide-and-replace*).
    :param notes: The page has an indirect ``/Annots`` array (a link in the top margin).
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
            text += line("Amount: 900,000 VND") + "q /Cover Do Q\n"
            xobjects.Cover = _form(pdf, font, "Amount: 500,000 VND", opaque=True)
        elif amount_field is None or amount_field.printed:
            text += line("Amount: 500,000 VND")
        if beneath:
            text += line(beneath)
        if hidden:
            xobjects.Shadow = _form(pdf, font, "Amount: 900,000 VND", opaque=False, whole=True)
        page.Contents = pdf.make_stream(text.encode("latin-1"))
        if amount_field is not None:
            _amount_field(pdf, page, font, amount_field)
        if notes:
            link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 800, 200, 820]))
            page.Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))
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


# --- helpers --------------------------------------------------------------------------------


def line(text: str, y: int = AMOUNT[1]) -> str:
    return f"BT /F1 14 Tf {AMOUNT[0]} {y} Td ({text}) Tj ET\n"


def _form(
    pdf: Pdf, font: pikepdf.Object, text: str, *, opaque: bool, whole: bool = False
) -> pikepdf.Object:
    """A form XObject printing ``text`` where the amount is (on white when ``opaque``)."""
    body = "1 1 1 rg 60 690 260 30 re f 0 g\n" if opaque else ""
    if whole:
        body += "BT /F1 20 Tf 72 780 Td (DECISION No. 12) Tj ET\n"
    body += line(text)
    stream = pdf.make_stream(body.encode("latin-1"))
    stream.Type, stream.Subtype = Name.XObject, Name.Form
    stream.BBox = Array([0, 0, 595, 842])
    stream.Resources = Dictionary(Font=Dictionary(F1=font))
    return pdf.make_indirect(stream)


def _amount_field(pdf: Pdf, page: pikepdf.Page, font: pikepdf.Object, field: Field) -> None:
    """A text field "amount" over the amount's place: ``field`` gives its value and look."""
    x0, y0, x1, y1 = FIELD_BOX
    look = pdf.make_stream(_field_look(field.look, x1 - x0, y1 - y0, opaque=field.opaque))
    look.Type, look.Subtype = Name.XObject, Name.Form
    look.BBox = Array([0, 0, x1 - x0, y1 - y0])
    look.Resources = Dictionary(Font=Dictionary(Helv=font))
    entries = dict(
        Type=Name.Annot,
        Subtype=Name.Widget,
        FT=Name.Tx,
        T=pikepdf.String("amount"),
        DA=pikepdf.String("/Helv 14 Tf 0 g"),
        Rect=Array(list(FIELD_BOX)),
        F=4,
        P=page.obj,
        AP=Dictionary(N=look),
    )
    if field.value is not None:
        entries["V"] = pikepdf.String(field.value)
    widget = pdf.make_indirect(Dictionary(**entries))
    page.Annots = pdf.make_indirect(Array([widget]))
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([widget]),
        DR=Dictionary(Font=Dictionary(Helv=font)),
        DA=pikepdf.String("/Helv 14 Tf 0 g"),
        NeedAppearances=field.need_appearances,
    )


def _field_look(text: str, width: float, height: float, *, opaque: bool = True) -> bytes:
    body = f"1 1 1 rg 0 0 {width} {height} re f 0 g " if opaque else ""
    if text:
        body += f"BT /Helv 14 Tf 2 6 Td ({text}) Tj ET"
    return body.encode("latin-1")


def appearance(
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


def refill(signed: bytes, value: str, look: str | None = "") -> bytes:
    """Form filling after signing: the "amount" field gets ``value`` and an appearance that
    shows ``look`` (``""``: the value; ``None``: the old appearance is kept)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        form = writer.root["/AcroForm"]
        ref = form["/Fields"].raw_get(0)
        field = ref.get_object()
        x0, y0, x1, y1 = FIELD_BOX
        field[pdf_name("/V")] = generic.TextStringObject(value)
        if look is not None:
            shown = appearance(writer, look or value, x1 - x0, y1 - y0)
            field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): shown})
        writer.mark_update(ref)

    return updated(signed, change)


def drawn_over(signed: bytes, text: str = "Amount: 900,000 VND", y: int = 650) -> bytes:
    """Return ``signed`` after an update that prints ``text`` on its first page (ISA)."""
    return with_page_text(signed, line(text, y=y), before=False)


def with_page_text(signed: bytes, text: str, *, before: bool) -> bytes:
    """An incremental update that adds ``text`` to the page (a new contents stream)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = first_page_ref(writer)
        page = page_ref.get_object()
        extra = writer.add_object(generic.StreamObject(stream_data=text.encode("latin-1")))
        old = page.raw_get("/Contents")
        page[pdf_name("/Contents")] = generic.ArrayObject([extra, old] if before else [old, extra])
        writer.mark_update(page_ref)

    return updated(signed, change)


def updated(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def first_page_ref(writer: IncrementalPdfFileWriter) -> generic.IndirectObject:
    page_ref, _resources = writer.find_page_for_modification(0)
    return page_ref


def first_page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    return first_page_ref(writer).get_object()


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

    return Keys(victim=key("Trần Văn Minh"), attacker=key("Lê Văn Giả"), outsider=_outsider(pin))


def _outsider(pin: str) -> PinProtectedKey:
    """A key with a self-signed certificate: a signer no one trusts."""
    private_key = generate_private_key("ec-p256")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ Mạo Danh"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Không rõ"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(private_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    made = PinProtectedKey.seal(private_key, pin, certificate=certificate)
    made.unlock(pin)
    return made
