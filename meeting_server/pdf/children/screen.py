"""Screen one uploaded PDF in a throw-away, resource-limited process.

Run as ``python -m meeting_server.pdf.children.screen IN OUT`` by ``pdf.screening``, which
documents the rule. The process limits its own memory, CPU time, file size and core dumps
(``children.limits``) before it loads pikepdf, so a hostile file can only exhaust this
process. It prints exactly one JSON line: ``{"ok": true, "page_count": N, "stripped": [...]}``
(the cleaned copy is at OUT when ``stripped`` is not empty) or ``{"ok": false, "code": "..."}``.

pikepdf is imported inside the functions, never at module level, so that its native code
is loaded only after the limits are in place. ``python -m`` imports the package
``meeting_server/__init__.py`` before this module, i.e. before the limits: keep it light.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from meeting_server.pdf.children.limits import Rejected, run_worker

if TYPE_CHECKING:
    import pikepdf

USAGE = "meeting_server.pdf.children.screen IN OUT"

# Action types (the /S of an action dictionary) that reject the file wherever they occur.
DANGEROUS_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "forms_submit",
    "/ImportData": "forms_submit",
    "/RichMediaExecute": "rich_media",
    "/GoToE": "embedded_files",
}
# Dictionary keys that reject the file wherever they occur.
DANGEROUS_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # the document-level /Names /JavaScript tree
    "/EmbeddedFiles": "embedded_files",
    "/EF": "embedded_files",  # a file specification carrying an embedded file stream
    "/XFA": "xfa",
}
DANGEROUS_SUBTYPES = {"/FileAttachment": "embedded_files", "/RichMedia": "rich_media"}
DANGEROUS_TYPES = {"/EmbeddedFile": "embedded_files"}
# When several kinds are present, the first in this order is reported.
CODE_ORDER = ("javascript", "launch", "embedded_files", "forms_submit", "rich_media", "xfa")
SIGNATURE_PERMISSION_KEYS = frozenset({"/DocMDP", "/UR3"})
# Filters qpdf decodes fully at the default ("generalized") level; images in DCT, JPX,
# JBIG2 or CCITT are left to the viewers.
GENERAL_FILTERS = frozenset(
    {
        "/FlateDecode",
        "/Fl",
        "/LZWDecode",
        "/LZW",
        "/ASCII85Decode",
        "/A85",
        "/ASCIIHexDecode",
        "/AHx",
        "/RunLengthDecode",
        "/RL",
    }
)


@dataclass
class Findings:
    """What a walk over every object of the file found."""

    codes: set[str] = field(default_factory=set)
    signed: bool = False
    with_additional_actions: list[pikepdf.Object] = field(default_factory=list)


def main(argv: list[str]) -> int:
    """Screen ``argv[1]``, write a cleaned copy to ``argv[2]`` if needed, print the report."""
    return run_worker(argv, USAGE, lambda args: screen(*args))


def screen(in_path: str, out_path: str) -> dict[str, Any]:
    """Apply the screening rule to the file at ``in_path``."""
    import pikepdf

    try:
        # Without recovery qpdf fails instead of rebuilding a broken cross-reference table.
        pdf = pikepdf.open(in_path, attempt_recovery=False)
    except pikepdf.PasswordError:
        raise Rejected("encrypted") from None
    except pikepdf.PdfError:
        raise Rejected("damaged") from None
    with pdf:
        if pdf.is_encrypted:
            raise Rejected("encrypted")
        page_count = len(pdf.pages)
        findings = scan(pdf)
        decode_streams(pdf)
        check_verdict(pdf, page_count, findings)
        stripped = strippable(pdf, findings)
        if stripped:
            strip(pdf, findings)
            with open(out_path, "xb") as out:
                pdf.save(out)
    return {"ok": True, "page_count": page_count, "stripped": list(stripped)}


def check_verdict(pdf: pikepdf.Pdf, page_count: int, findings: Findings) -> None:
    """Raise the rejection the findings call for, damage first."""
    if pdf.get_warnings():
        raise Rejected("damaged")
    if page_count == 0:
        raise Rejected("no_pages")
    for code in CODE_ORDER:
        if code in findings.codes:
            raise Rejected(code)


def iter_dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Yield every dictionary of the file, indirect or nested, stream dictionaries included."""
    import pikepdf

    stack: list[Any] = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj
            children: list[Any] = list(obj.values())
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        # Indirect children are visited on their own as members of pdf.objects.
        stack.extend(c for c in children if isinstance(c, pikepdf.Object) and not c.is_indirect)


def scan(pdf: pikepdf.Pdf) -> Findings:
    """Walk every object once and note dangerous content, signatures and /AA holders."""
    findings = Findings()
    for obj in iter_dictionaries(pdf):
        keys = set(obj.keys())
        findings.codes.update(DANGEROUS_KEYS[key] for key in keys & DANGEROUS_KEYS.keys())
        for table, key in (
            (DANGEROUS_ACTIONS, "/S"),
            (DANGEROUS_SUBTYPES, "/Subtype"),
            (DANGEROUS_TYPES, "/Type"),
        ):
            code = table.get(name_of(obj, key))
            if code:
                findings.codes.add(code)
        if keys & SIGNATURE_PERMISSION_KEYS or is_signature(obj):
            findings.signed = True
        if "/AA" in keys:
            findings.with_additional_actions.append(obj)
    return findings


def name_of(obj: pikepdf.Object, key: str) -> str:
    """Return the value of ``key`` as ``/Name`` text, or "" when it is not a name."""
    import pikepdf

    value = obj.get(key)
    return str(value) if isinstance(value, pikepdf.Name) else ""


def is_signature(obj: pikepdf.Object) -> bool:
    """Tell whether ``obj`` is a filled signature field or a signature value dictionary."""
    if name_of(obj, "/FT") == "/Sig" and obj.get("/V") is not None:
        return True
    # The value itself also counts: a field may inherit its /FT from a parent field.
    return "/ByteRange" in obj and "/Contents" in obj


def decode_streams(pdf: pikepdf.Pdf) -> None:
    """Decompress every stream qpdf can fully decode, to prove it readable and bounded."""
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and has_general_filters_only(obj):
            obj.read_bytes()  # dropped at once: the peak is the largest single stream


def has_general_filters_only(stream: pikepdf.Object) -> bool:
    """Tell whether the stream is compressed and qpdf can undo all of its filters."""
    import pikepdf

    value = stream.get("/Filter")
    filters: list[Any] = []
    if isinstance(value, pikepdf.Name):
        filters = [value]
    elif isinstance(value, pikepdf.Array):
        filters = list(value)
    return bool(filters) and all(
        isinstance(f, pikepdf.Name) and str(f) in GENERAL_FILTERS for f in filters
    )


def strippable(pdf: pikepdf.Pdf, findings: Findings) -> tuple[str, ...]:
    """Return the harmless actions to strip; none from a signed file, which stays unchanged."""
    if findings.signed:
        return ()
    found = (
        ("OpenAction", "/OpenAction" in pdf.Root),
        ("AA", bool(findings.with_additional_actions)),
    )
    return tuple(name for name, present in found if present)


def strip(pdf: pikepdf.Pdf, findings: Findings) -> None:
    """Remove the document open action and every additional-actions (/AA) entry."""
    if "/OpenAction" in pdf.Root:
        del pdf.Root["/OpenAction"]
    for obj in findings.with_additional_actions:
        del obj["/AA"]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
