"""What the verification pages show: each signature's verdict, signer and picture comparison.

Built from ``DocumentReport.to_json()`` data (made in this process or in a child) by
:func:`to_verification`; the pictures of changed pages come from ``visual_check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "PagePair",
    "Region",
    "SignatureCheck",
    "Verification",
    "VisualView",
    "subject_attributes",
    "to_verification",
    "view_of",
]
#: The enlarged view shows the first changed region with this margin around it, and at least
#: this much of the page (points): a changed digit is read in its line.
ZOOM_MARGIN = 24.0
ZOOM_MIN = (240.0, 60.0)

# pyHanko's subject text: "Common Name: …, Title: …, Organization: …, Country: VN".
_ATTRIBUTE = re.compile(r"^([A-Z][A-Za-z ]{1,40}): (.*)$")


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a report, as the pages show it (from ``DocumentReport.to_json()``)."""

    number: int
    field_name: str
    verdict: str
    reason_vi: str
    reason_en: str
    signer: str
    signing_time: datetime | None
    timestamp: datetime | None
    coverage: str
    certificate_sha256: str
    pades_level: str
    signed_revision: int
    signed_length: int
    visual: VisualView | None = None

    @property
    def valid(self) -> bool:
        """Tell whether this signature is valid."""
        return self.verdict == "valid"

    def reason(self, language: str) -> str:
        """Return the plain-language reason in ``language`` (English for "en", else Vietnamese)."""
        return self.reason_en if language == "en" else self.reason_vi

    @property
    def signer_name(self) -> str:
        """Return the signer's name (the certificate's common name, else its organisation)."""
        names = subject_attributes(self.signer)
        return names.get("Common Name") or names.get("Organization") or self.signer

    @property
    def signer_details(self) -> str:
        """Return the signer's title and organisation, as far as the certificate names them."""
        names = subject_attributes(self.signer)
        details = [names.get("Title", ""), names.get("Organization", "")]
        return ", ".join(part for part in details if part and part != self.signer_name)


@dataclass(frozen=True)
class Verification:
    """The verdict on every signature of one file, with the file's identity."""

    sha256: str
    size: int
    signatures: tuple[SignatureCheck, ...]
    all_valid: bool
    trailing_data: bool
    error: str | None
    report: dict[str, Any]

    @property
    def valid_count(self) -> int:
        """Return how many signatures are valid."""
        return sum(1 for sig in self.signatures if sig.valid)

    @property
    def changed(self) -> bool:
        """Tell whether the file was changed after a signature (or after its end)."""
        return self.trailing_data or any(
            s.verdict == "changed_after_signing" for s in self.signatures
        )


def to_verification(
    report: dict[str, Any], sha256: str, size: int, pictures: dict[str, Any] | None = None
) -> Verification:
    """Turn ``DocumentReport.to_json()`` data (and the pictures of changed pages, from
    ``visual_check``) into what the pages show."""
    found = report.get("signatures", [])
    signers = {str(sig.get("field_name")): str(sig.get("signer", "")) for sig in found}
    checks = tuple(
        _check(number, sig, pictures, signers) for number, sig in enumerate(found, start=1)
    )
    return Verification(
        sha256=sha256,
        size=size,
        signatures=checks,
        all_valid=bool(report.get("all_valid")),
        trailing_data=bool(report.get("trailing_data")),
        error=report.get("error"),
        report=report,
    )


def subject_attributes(subject: str) -> dict[str, str]:
    """Split pyHanko's "Label: value, Label: value" subject text (values may hold commas)."""
    found: dict[str, str] = {}
    label = ""
    for part in subject.split(", "):
        match = _ATTRIBUTE.match(part)
        if match:
            label = match.group(1)
            found[label] = match.group(2)
        elif label:
            found[label] += ", " + part
    return found


_TEXTS = {"verdict": "invalid", "coverage": "UNKNOWN"}  # other text fields default to ""
_TEXT_FIELDS = "field_name verdict reason_vi reason_en signer coverage certificate_sha256"


def _check(
    number: int, sig: dict[str, Any], pictures: dict[str, Any] | None, signers: dict[str, str]
) -> SignatureCheck:
    texts = {key: str(sig.get(key, _TEXTS.get(key, ""))) for key in _TEXT_FIELDS.split()}
    return SignatureCheck(
        number=number,
        **texts,
        signing_time=_moment(sig.get("signing_time")),
        timestamp=_moment(sig.get("timestamp")),
        pades_level=str(sig.get("pades_level", "")),
        signed_revision=int(sig.get("signed_revision", -1)),
        signed_length=int(sig.get("signed_length", 0)),
        visual=view_of(sig.get("visual"), pictures, signers),
    )


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # naive: not a time we can place


@dataclass(frozen=True)
class Region:
    """A changed rectangle, in points from the page's top-left corner (as SVG draws it)."""

    x: float
    y: float
    width: float
    height: float

    def view_box(self, page_width: float, page_height: float) -> str:
        """Return an SVG viewBox around this region: a margin, a readable least size, and
        inside the page where the page allows."""
        parts = []
        for start, size, least, page in (
            (self.x, self.width, ZOOM_MIN[0], page_width),
            (self.y, self.height, ZOOM_MIN[1], page_height),
        ):
            span = max(size + 2 * ZOOM_MARGIN, least)
            begin = start + size / 2 - span / 2
            begin = max(0.0, min(begin, page - span)) if span <= page else begin
            parts += [begin, span]
        return " ".join(f"{value:.1f}" for value in (parts[0], parts[2], parts[1], parts[3]))


@dataclass(frozen=True)
class PagePair:
    """One changed page: the signed and the current picture (data: URLs) and the regions."""

    page: int
    kind: str
    width: float
    height: float
    regions: tuple[Region, ...]
    signed_image: str | None
    current_image: str | None
    key: str  # the pair's pictures, to show a pair only once on a page

    @property
    def zoom(self) -> Region | None:
        """Return the region shown enlarged (the first one), if any."""
        return self.regions[0] if self.regions and self.kind == "content" else None

    @property
    def zoom_box(self) -> str:
        """Return the enlarged view's SVG viewBox."""
        return self.zoom.view_box(self.width, self.height) if self.zoom else ""


@dataclass(frozen=True)
class VisualView:
    """A signature's picture comparison as the report page shows it."""

    changed: bool
    error: str | None
    pages_compared: int
    pages_signed: int
    pages_current: int
    capped: bool
    allowed: tuple[str, ...]  # fields filled in later where they were blank when signed
    added_by: tuple[str, ...]  # who signed later in a place foreseen, or blank, when signed
    changed_pages: tuple[int, ...]
    pairs: tuple[PagePair, ...]


def view_of(
    visual: dict[str, Any] | None,
    pictures: dict[str, Any] | None,
    signers: dict[str, str] | None = None,
) -> VisualView | None:
    """Return what a page shows of one signature's check (``SignatureReport.visual`` JSON);
    ``signers`` names the signer of each signature field, for the later signatures."""
    if not isinstance(visual, dict):
        return None
    later = tuple(visual.get("later_signatures", ()))
    images = (pictures or {}).get("images", {})
    mine = (pictures or {}).get("pages", {}).get(str(visual.get("signed_length")), {})
    pairs = []
    for change in visual.get("pages", ()):
        shown = mine.get(str(change["page"]))
        if shown is None or not change["width"]:  # past the page limit: counted, not drawn
            continue
        signed, current = (_data_url(images.get(key)) for key in shown)
        pairs.append(_pair(change, signed, current, "-".join(map(str, shown))))
    return VisualView(
        changed=bool(visual.get("changed")),
        error=visual.get("error"),
        pages_compared=int(visual.get("pages_compared", 0)),
        pages_signed=int(visual.get("pages_signed", 0)),
        pages_current=int(visual.get("pages_current", 0)),
        capped=bool(visual.get("capped")),
        allowed=tuple(f for f in visual.get("allowed", ()) if f not in later),
        added_by=tuple((signers or {}).get(f) or f for f in later),
        changed_pages=tuple(int(change["page"]) for change in visual.get("pages", ())),
        pairs=tuple(pairs),
    )


def _pair(change: dict[str, Any], signed: str | None, current: str | None, key: str) -> PagePair:
    height = float(change["height"])
    regions = tuple(
        Region(r["x0"], height - r["y1"], r["x1"] - r["x0"], r["y1"] - r["y0"])
        for r in change["regions"]
    )
    return PagePair(
        int(change["page"]), str(change["kind"]), float(change["width"]), height, regions,
        signed, current, key,
    )  # fmt: skip


def _data_url(encoded: str | None) -> str | None:
    return f"data:image/png;base64,{encoded}" if encoded else None
