"""Certificate-backed PAdES signing and validation, independent of Flask.

A thin function per use case over pyHanko:

* :class:`InternalCA` issues signer and seal certificates and publishes CRLs;
* key sources (:class:`PinProtectedKey`, :class:`Pkcs12KeySource`, :class:`Pkcs11KeySource`,
  and hash-out via :func:`prepare_external_signature` / :func:`finish_external_signature`);
* :func:`sign_pdf` at PAdES B-B, B-T, B-LT or B-LTA, visible with a Vietnamese stamp or not;
* routes (:func:`prepare_route`, :func:`sign_route_step`): one field per signer plus the seal,
  the first signature certifies, every earlier signature is checked before the next;
* :func:`compare_signatures` (:class:`VisualCheck`): each signed revision and the current file
  rendered and compared; ``validate_pdf(…, visual=VisualOptions())`` applies it to the verdict;
* :func:`validate_pdf` → :class:`DocumentReport` with a verdict and a plain-language reason
  (Vietnamese and English) for every signature; it never raises.

The public names are imported on first use (PEP 562): a process that needs only
:mod:`signing.fonts` or :mod:`signing.errors` loads neither pyHanko nor its dependencies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _warnings  # noqa: F401 — first, before anything imports pyHanko

if TYPE_CHECKING:
    from .ca import CAConfig, InternalCA, IssuedCertificate, generate_private_key
    from .errors import (
        CertificateAuthorityError,
        KeySourceError,
        RouteError,
        SigningError,
        TimestampError,
        WrongPin,
    )
    from .keys import KeySource, PinProtectedKey, UnlockedKeys
    from .routes import (
        RouteSlot,
        TextField,
        empty_text_fields,
        prepare_route,
        route_fields,
        sign_route_step,
    )
    from .sign import (
        PadesLevel,
        PreparedSignature,
        SignatureRequest,
        finish_external_signature,
        prepare_external_signature,
        sign_pdf,
    )
    from .stamps import LeaderStamp, SealStamp, default_box, make_seal_image, seal_box
    from .tokens import Pkcs11KeySource, Pkcs12KeySource
    from .trust import TrustSettings
    from .validate import DocumentReport, SignatureReport, Verdict, signed_revision, validate_pdf
    from .visual import SignedRange, VisualCheck, VisualOptions, compare_signatures

#: Where each public name lives.
_HOMES = {
    "CAConfig": "ca",
    "InternalCA": "ca",
    "IssuedCertificate": "ca",
    "generate_private_key": "ca",
    "CertificateAuthorityError": "errors",
    "KeySourceError": "errors",
    "RouteError": "errors",
    "SigningError": "errors",
    "TimestampError": "errors",
    "WrongPin": "errors",
    "KeySource": "keys",
    "PinProtectedKey": "keys",
    "UnlockedKeys": "keys",
    "RouteSlot": "routes",
    "TextField": "routes",
    "empty_text_fields": "routes",
    "prepare_route": "routes",
    "route_fields": "routes",
    "sign_route_step": "routes",
    "PadesLevel": "sign",
    "PreparedSignature": "sign",
    "SignatureRequest": "sign",
    "finish_external_signature": "sign",
    "prepare_external_signature": "sign",
    "sign_pdf": "sign",
    "LeaderStamp": "stamps",
    "SealStamp": "stamps",
    "default_box": "stamps",
    "make_seal_image": "stamps",
    "seal_box": "stamps",
    "Pkcs11KeySource": "tokens",
    "Pkcs12KeySource": "tokens",
    "TrustSettings": "trust",
    "DocumentReport": "validate",
    "SignatureReport": "validate",
    "Verdict": "validate",
    "signed_revision": "validate",
    "validate_pdf": "validate",
    "SignedRange": "visual",
    "VisualCheck": "visual",
    "VisualOptions": "visual",
    "compare_signatures": "visual",
}

__all__ = [
    "CAConfig",
    "CertificateAuthorityError",
    "DocumentReport",
    "InternalCA",
    "IssuedCertificate",
    "KeySource",
    "KeySourceError",
    "LeaderStamp",
    "PadesLevel",
    "PinProtectedKey",
    "Pkcs11KeySource",
    "Pkcs12KeySource",
    "PreparedSignature",
    "RouteError",
    "RouteSlot",
    "SealStamp",
    "SignatureReport",
    "SignatureRequest",
    "SignedRange",
    "SigningError",
    "TextField",
    "TimestampError",
    "TrustSettings",
    "UnlockedKeys",
    "Verdict",
    "VisualCheck",
    "VisualOptions",
    "WrongPin",
    "compare_signatures",
    "default_box",
    "empty_text_fields",
    "finish_external_signature",
    "generate_private_key",
    "make_seal_image",
    "prepare_external_signature",
    "prepare_route",
    "route_fields",
    "seal_box",
    "sign_pdf",
    "sign_route_step",
    "signed_revision",
    "validate_pdf",
]


def __getattr__(name: str) -> Any:
    """Import the public name ``name`` from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
