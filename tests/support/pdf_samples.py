"""Sample uploads for the screening tests, each built in memory and returned as bytes."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import pikepdf
from fpdf import FPDF
from pikepdf import Array, Dictionary, Name, Pdf, Stream, String
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream


def simple_pdf(pages: int = 2, text: str = "Trang") -> bytes:
    """Return a plain A4 PDF with ``pages`` pages of text (ASCII only: a core font)."""
    out = io.BytesIO()
    with Pdf.new() as pdf:
        font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        resources = Dictionary(Font=Dictionary(F1=pdf.make_indirect(font)))
        for number in range(1, pages + 1):
            page = pdf.add_blank_page(page_size=(595, 842))
            page.Resources = resources
            page.Contents = pdf.make_stream(_text_content(f"{text} {number}"))
        pdf.save(out)
    return out.getvalue()


def _text_content(line: str) -> bytes:
    """Return a content stream that writes ``line`` near the top of an A4 page."""
    return pikepdf.unparse_content_stream(
        [
            ([], pikepdf.Operator("BT")),
            ([Name.F1, 24], pikepdf.Operator("Tf")),
            ([72, 760], pikepdf.Operator("Td")),
            ([String(line)], pikepdf.Operator("Tj")),
            ([], pikepdf.Operator("ET")),
        ]
    )


def fpdf2_pdf() -> bytes:
    """Return a PDF made by fpdf2, which always writes an /OpenAction (its zoom setting)."""
    doc = FPDF()
    doc.set_font("Helvetica", size=24)
    doc.add_page()
    doc.cell(text="Trang 1")
    return bytes(doc.output())


def _edited(change: Callable[[Pdf], None], encryption: pikepdf.Encryption | None = None) -> bytes:
    """Return ``simple_pdf()`` after ``change`` was applied to it."""
    out = io.BytesIO()
    with Pdf.open(io.BytesIO(simple_pdf())) as pdf:
        change(pdf)
        pdf.save(out, encryption=encryption)
    return out.getvalue()


def truncated_pdf() -> bytes:
    """Return a PDF cut off in the middle, as an interrupted download leaves it."""
    data = simple_pdf()
    return data[: len(data) // 2]


def broken_xref_pdf() -> bytes:
    """Return a PDF that ends properly but whose startxref points to the wrong place."""
    data = simple_pdf()
    head, _, tail = data.rpartition(b"startxref")
    offset = int(tail.split()[0])
    return head + b"startxref\n" + str(offset - 7).encode() + b"\n%%EOF\n"


def encrypted_pdf() -> bytes:
    """Return a PDF that needs a password to open."""
    return _edited(lambda pdf: None, encryption=pikepdf.Encryption(owner="chu", user="khach"))


def owner_only_encrypted_pdf() -> bytes:
    """Return an encrypted PDF that opens without a password (owner password only)."""
    return _edited(lambda pdf: None, encryption=pikepdf.Encryption(owner="chu", user=""))


def no_pages_pdf() -> bytes:
    """Return a well-formed PDF with an empty page tree."""
    out = io.BytesIO()
    with Pdf.new() as pdf:
        pdf.save(out)
    return out.getvalue()


def javascript_pdf() -> bytes:
    """Return a PDF that runs JavaScript when opened."""

    def change(pdf: Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('hi');"))

    return _edited(change)


def javascript_names_pdf() -> bytes:
    """Return a PDF with a document-level /Names /JavaScript tree."""

    def change(pdf: Pdf) -> None:
        action = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("this.print();")))
        tree = Dictionary(Names=Array([String("init"), action]))
        pdf.Root.Names = Dictionary(JavaScript=tree)

    return _edited(change)


def launch_pdf() -> bytes:
    """Return a PDF whose open action starts a program."""

    def change(pdf: Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.Launch, F=String("calc.exe"))

    return _edited(change)


def embedded_file_pdf() -> bytes:
    """Return a PDF carrying an attached file in its /EmbeddedFiles tree."""

    def change(pdf: Pdf) -> None:
        pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"hidden payload")

    return _edited(change)


def submit_form_pdf() -> bytes:
    """Return a PDF with a link that submits form data to a web address."""

    def change(pdf: Pdf) -> None:
        url = Dictionary(FS=Name.URL, F=String("https://example.invalid/collect"))
        action = Dictionary(S=Name.SubmitForm, F=url)
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 50, 50], A=action)
        pdf.pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))

    return _edited(change)


def rich_media_pdf() -> bytes:
    """Return a PDF with a /RichMedia (Flash/video) annotation."""

    def change(pdf: Pdf) -> None:
        annot = Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=[0, 0, 50, 50])
        pdf.pages[0].Annots = Array([pdf.make_indirect(annot)])

    return _edited(change)


def xfa_pdf() -> bytes:
    """Return a PDF whose AcroForm carries an XFA form."""

    def change(pdf: Pdf) -> None:
        xfa = Stream(pdf, b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
        pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=pdf.make_indirect(xfa))

    return _edited(change)


def goto_open_action_pdf() -> bytes:
    """Return a PDF with a harmless open action and a page /AA that only go to a page."""

    def change(pdf: Pdf) -> None:
        first, second = pdf.pages[0].obj, pdf.pages[1].obj
        pdf.Root.OpenAction = Array([first, Name.Fit])
        go_back = Dictionary(S=Name.GoTo, D=Array([first, Name.Fit]))
        second.AA = Dictionary(O=go_back)

    return _edited(change)


def signed_like_pdf_with_open_action() -> bytes:
    """Return a PDF with a filled signature field (fake signature) and a harmless open action."""

    def change(pdf: Pdf) -> None:
        _add_fake_signature(pdf)
        pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])

    return _edited(change)


def signed_like_pdf_with_javascript() -> bytes:
    """Return a PDF with a filled signature field (fake signature) and a JavaScript open action."""

    def change(pdf: Pdf) -> None:
        _add_fake_signature(pdf)
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('hi');"))

    return _edited(change)


def _add_fake_signature(pdf: Pdf) -> None:
    """Add a signature field whose /V looks like a signature (the bytes are not one)."""
    page = pdf.pages[0].obj
    value = Dictionary(
        Type=Name.Sig,
        Filter=Name("/Adobe.PPKLite"),
        SubFilter=Name("/adbe.pkcs7.detached"),
        ByteRange=Array([0, 10, 20, 10]),
        Contents=String(b"\x00" * 64),
    )
    field = Dictionary(
        FT=Name.Sig,
        T=String("Chu ky 1"),
        V=pdf.make_indirect(value),
        Type=Name.Annot,
        Subtype=Name.Widget,
        Rect=[0, 0, 0, 0],
        F=132,
        P=page,
    )
    field = pdf.make_indirect(field)
    page.Annots = Array([field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), SigFlags=3)


def flate_bomb_pdf(megabytes: int = 128) -> bytes:
    """Return a small PDF whose page content inflates to ``megabytes`` MiB of spaces."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()

    def change(pdf: Pdf) -> None:
        content = Stream(pdf, b"")
        content.write(packed, filter=Name.FlateDecode)
        pdf.pages[0].Contents = pdf.make_indirect(content)

    return _edited(change)


def renamed_text_file() -> bytes:
    """Return plain text, as a .txt file renamed to .pdf would carry."""
    return "Biên bản họp: nội dung thuần văn bản, không phải PDF.\n".encode()


def bulky_pdf(kilobytes: int = 600, pages: int = 2) -> bytes:
    """Return a valid PDF padded with ``kilobytes`` of incompressible image data (slow uploads)."""
    import random

    noise = random.Random(kilobytes).randbytes(kilobytes * 1024)
    out = io.BytesIO()
    with Pdf.open(io.BytesIO(simple_pdf(pages=pages))) as pdf:
        side = int((len(noise) // 3) ** 0.5)
        image = pdf.make_stream(
            noise[: side * side * 3],
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=side,
            Height=side,
            ColorSpace=Name.DeviceRGB,
            BitsPerComponent=8,
        )
        page = pdf.pages[0]
        page.Resources.XObject = Dictionary(Im1=image)
        page.contents_add(pdf.make_stream(b"q 100 0 0 100 72 500 cm /Im1 Do Q"), prepend=False)
        pdf.save(out)
    return out.getvalue()


def edited_afterwards(signed: bytes) -> bytes:
    """Return ``signed`` with an incremental update that rewrites the first page's text."""
    writer = PdfWriter(PdfReader(io.BytesIO(signed)), incremental=True)
    content = ContentStream(None, writer)
    content.set_data(b"BT /F1 24 Tf 72 760 Td (So tien: 999 ty dong) Tj ET")
    writer.pages[0].replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(signed)  # an update appended, the signed bytes untouched
    return out.getvalue()
