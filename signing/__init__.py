"""Certificate-backed PAdES signing and validation, independent of Flask.

A thin function per use case over pyHanko:

* :class:`InternalCA` issues signer and seal certificates and publishes CRLs;
* key sources (:class:`PinProtectedKey`, :class:`Pkcs12KeySource`, :class:`Pkcs11KeySource`,
  and hash-out via :func:`prepare_external_signature` / :func:`finish_external_signature`);
* :func:`sign_pdf` at PAdES B-B, B-T, B-LT or B-LTA, visible with a Vietnamese stamp or not;
* routes (:func:`prepare_route`, :func:`sign_route_step`): one field per signer plus the seal,
  the first signature certifies, every earlier signature is checked before the next;
* :func:`validate_pdf` → :class:`DocumentReport` with a verdict and a plain-language reason
  (Vietnamese and English) for every signature; it never raises.
"""

from . import _warnings  # noqa: F401 — first, before anything imports pyHanko
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
from .routes import RouteSlot, prepare_route, route_fields, sign_route_step
from .sign import (
    PadesLevel,
    PreparedSignature,
    SignatureRequest,
    finish_external_signature,
    prepare_external_signature,
    sign_pdf,
)
from .stamps import LeaderStamp, SealStamp, default_box, make_seal_image
from .tokens import Pkcs11KeySource, Pkcs12KeySource
from .trust import TrustSettings
from .validate import DocumentReport, SignatureReport, Verdict, signed_revision, validate_pdf

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
    "SigningError",
    "TimestampError",
    "TrustSettings",
    "UnlockedKeys",
    "Verdict",
    "WrongPin",
    "default_box",
    "finish_external_signature",
    "generate_private_key",
    "make_seal_image",
    "prepare_external_signature",
    "prepare_route",
    "route_fields",
    "sign_pdf",
    "sign_route_step",
    "signed_revision",
    "validate_pdf",
]
