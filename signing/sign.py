"""Sign a PDF: PAdES B-B, B-T, B-LT, B-LTA, invisible or with a visible stamp.

Two ways in:

* :func:`sign_pdf` with a :class:`~signing.keys.KeySource` that can sign on this machine
  (PIN-protected server key, PKCS#12, PKCS#11 token);
* hash-out signing: :func:`prepare_external_signature` reserves the signature in the PDF and
  returns the DER signed-attributes blob; the blob is signed elsewhere (a browser-held key, a
  remote signing service); :func:`finish_external_signature` embeds that value.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import IO, Literal

from asn1crypto import algos, cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument, PostSignInstructions

# The requests-based client: the default aiohttp one builds a TLS context per request (~20 ms).
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import SigningError
from .form_fields import fill_text_fields
from .keys import KeySource
from .stamps import DEFAULT_BOX, LeaderStamp, SealStamp, stamp_style
from .trust import TrustSettings, run_released, to_asn1

__all__ = [
    "PadesLevel",
    "PreparedSignature",
    "SignatureRequest",
    "Tsa",
    "finish_external_signature",
    "prepare_external_signature",
    "sign_pdf",
    "timestamper_for",
]

DIGEST = "sha256"
Box = tuple[float, float, float, float]
#: A timestamp authority: its RFC 3161 URL, or a timestamper at hand (the CA's own).
Tsa = str | TimeStamper | None


class PadesLevel(StrEnum):
    """The PAdES baseline levels."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


@dataclass(frozen=True)
class SignatureRequest:
    """What to sign and how.

    :param field_name: The signature field; an existing empty field is filled, otherwise a new
        field is created at ``box`` on ``page`` (invisible when ``box`` is ``None``).
    :param level: The PAdES level; B-T and above need a timestamp authority.
    :param certify: Make this a certification signature (DocMDP P=2: later signatures and
        form filling allowed) — the first signature of a route.
    :param stamp: The visible stamp's content; ``None`` for an invisible signature.
    :param box: ``(x1, y1, x2, y2)`` in PDF points for a new field.
    :param page: Page of a new field (``-1`` = last page).
    :param reason: The /Reason entry (e.g. "Phê duyệt biên bản").
    :param location: The /Location entry.
    :param form_values: ``(field name, text)`` pairs written into empty text fields in the
        same revision as the signature (the clerk's number and date of issue).
    """

    field_name: str
    level: PadesLevel = PadesLevel.B_B
    certify: bool = False
    stamp: LeaderStamp | SealStamp | None = None
    box: Box | None = None
    page: int = -1
    reason: str | None = None
    location: str | None = None
    form_values: tuple[tuple[str, str], ...] = ()


def sign_pdf(
    data: bytes,
    key: KeySource,
    request: SignatureRequest,
    *,
    tsa: Tsa = None,
    trust: TrustSettings | None = None,
) -> bytes:
    """Sign ``data`` and return the signed PDF (an incremental update of ``data``).

    :param data: The PDF.
    :param key: Where the signing key is.
    :param request: Field, level, stamp.
    :param tsa: The timestamp authority, a URL or a timestamper (B-T, B-LT, B-LTA need one).
    :param trust: Trust roots and CRLs; required for B-LT and B-LTA, whose validation data
        (certificates, CRLs) is embedded.
    :raises SigningError: With a plain reason when the level's needs are not met or pyHanko
        refuses the document.
    """
    reserved: int | None = _reservation(key, request.level)
    while True:
        writer = _writer(data, request.form_values)
        pdf_signer = _pdf_signer(_with_field_box(writer, request), key.signer(), tsa, trust)
        try:
            output = pdf_signer.sign_pdf(
                writer, existing_fields_only=_field_exists(writer, request), bytes_reserved=reserved
            )
        except SigningError:
            raise
        except Exception as error:  # pyHanko raises many types; the caller needs one
            if reserved is not None and "larger than expected" in str(error):
                reserved = None  # an unusually large chain or token: let pyHanko measure
                continue
            raise SigningError(f"The PDF could not be signed: {error}") from error
        return bytes(output.getvalue())


def _reservation(key: KeySource, level: PadesLevel) -> int:
    """Return the hex bytes to reserve for the CMS, so pyHanko skips its dry-run signature.

    Certificates + signature and signed attributes + a timestamp token (with its TSA's
    certificates), doubled for hex. Too small is detected by pyHanko and retried with its
    own estimate.
    """
    certificates = sum(len(c.public_bytes(Encoding.DER)) for c in (key.certificate, *key.chain))
    token = 0 if level == PadesLevel.B_B else 8192
    return 2 * (certificates + 2048 + token)


@dataclass(frozen=True)
class PreparedSignature:
    """A PDF with a reserved signature, waiting for an external signature value.

    ``signed_attributes`` (DER) is what the external key must sign with SHA-256
    (RSASSA-PKCS1-v1_5 or ECDSA).
    """

    signed_attributes: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    request: SignatureRequest
    tsa: Tsa
    _document: bytes
    _digest: PreparedByteRangeDigest
    _instructions: PostSignInstructions | None
    _attributes: cms.CMSAttributes


def prepare_external_signature(
    data: bytes,
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    request: SignatureRequest,
    *,
    tsa: Tsa = None,
    trust: TrustSettings | None = None,
) -> PreparedSignature:
    """Reserve a signature in ``data`` and return the blob to be signed elsewhere.

    :param data: The PDF.
    :param certificate: The external signer's certificate.
    :param chain: Its intermediates.
    :param request: Field, level, stamp.
    :param tsa: Timestamp authority, for B-T and above.
    :param trust: Trust settings, for B-LT and above.
    """
    external = _external_signer(certificate, chain, None)
    writer = _writer(data, request.form_values)
    pdf_signer = _pdf_signer(_with_field_box(writer, request), external, tsa, trust)
    try:
        digest, tbs, output = asyncio.run(
            pdf_signer.async_digest_doc_for_signing(
                writer, existing_fields_only=_field_exists(writer, request)
            )
        )
        attributes = asyncio.run(
            external.signed_attrs(digest.document_digest, DIGEST, use_pades=True)
        )
    except Exception as error:
        raise SigningError(f"The PDF could not be prepared for signing: {error}") from error
    return PreparedSignature(
        signed_attributes=attributes.dump(),
        certificate=certificate,
        chain=tuple(chain),
        request=request,
        tsa=tsa,
        _document=_read_all(output),
        _digest=digest,
        _instructions=tbs.post_sign_instructions,
        _attributes=attributes,
    )


def finish_external_signature(
    prepared: PreparedSignature,
    signature_value: bytes,
    *,
    signature_format: Literal["der", "p1363"] = "der",
    trust: TrustSettings | None = None,
) -> bytes:
    """Embed the external signature value and return the signed PDF.

    :param prepared: What :func:`prepare_external_signature` returned.
    :param signature_value: The signature over ``prepared.signed_attributes``.
    :param signature_format: ECDSA values from WebCrypto are raw ``r || s`` ("p1363");
        RSA values and DER ECDSA values are passed as they are ("der").
    :param trust: Trust settings (for B-LT and above).
    :raises SigningError: When the value does not verify against the certificate.
    """
    value = _der_signature(prepared.certificate, signature_value, signature_format)
    _check_external_value(prepared, value)
    external = _external_signer(prepared.certificate, prepared.chain, value)
    wants_timestamp = prepared.tsa and prepared.request.level != PadesLevel.B_B
    timestamper = timestamper_for(prepared.tsa) if wants_timestamp else None
    output = io.BytesIO(prepared._document)
    try:
        signed_cms = asyncio.run(
            external.async_sign_prescribed_attributes(
                DIGEST, signed_attrs=prepared._attributes, timestamper=timestamper
            )
        )
        context = trust.context() if trust else None
        finishing = PdfTBSDocument.async_finish_signing(
            output, prepared._digest, signed_cms, prepared._instructions, context
        )
        run_released(finishing, context)
    except Exception as error:
        raise SigningError(f"The external signature could not be embedded: {error}") from error
    return output.getvalue()


def timestamper_for(tsa: Tsa) -> TimeStamper | None:
    """Return the timestamper of ``tsa`` (a client for a URL), or None without one."""
    if isinstance(tsa, str):
        return HTTPTimeStamper(tsa) if tsa else None  # type: ignore[no-untyped-call]
    return tsa


def _read_all(output: IO[bytes]) -> bytes:
    output.seek(0)
    return output.read()


def _pdf_signer(
    request: SignatureRequest,
    signer: signers.Signer,
    tsa: Tsa,
    trust: TrustSettings | None,
) -> signers.PdfSigner:
    level = request.level
    if level != PadesLevel.B_B and not tsa:  # B-B never asks the TSA, even if named
        raise SigningError(f"PAdES {level} needs a timestamp authority URL.")
    long_term = level in {PadesLevel.B_LT, PadesLevel.B_LTA}
    if long_term and trust is None:
        raise SigningError(f"PAdES {level} needs trust settings to embed validation data.")
    metadata = signers.PdfSignatureMetadata(
        field_name=request.field_name,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=request.certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        reason=request.reason,
        location=request.location,
        embed_validation_info=long_term,
        use_pades_lta=level == PadesLevel.B_LTA,
        # Only LT/LTA embed validation data; checking the chain for B-B/B-T is the caller's job.
        validation_context=trust.context() if long_term and trust else None,
    )
    return signers.PdfSigner(
        metadata,
        signer=signer,
        timestamper=timestamper_for(tsa) if level != PadesLevel.B_B else None,
        stamp_style=stamp_style(request.stamp, box=request.box or DEFAULT_BOX)
        if request.stamp
        else None,
        new_field_spec=_new_field(request),
    )


def _new_field(request: SignatureRequest) -> fields.SigFieldSpec:
    return fields.SigFieldSpec(
        sig_field_name=request.field_name,
        on_page=request.page,
        box=field_box(request.box),
    )


def field_box(box: Box | None) -> tuple[int, int, int, int] | None:
    """Round a box to whole points (pyHanko's field type)."""
    if box is None:
        return None
    x1, y1, x2, y2 = (round(v) for v in box)
    return x1, y1, x2, y2


def _writer(data: bytes, form_values: tuple[tuple[str, str], ...] = ()) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as error:
        raise SigningError(f"This is not a PDF that can be signed: {error}") from error
    fill_text_fields(writer, dict(form_values))
    return writer


def _with_field_box(
    writer: IncrementalPdfFileWriter, request: SignatureRequest
) -> SignatureRequest:
    """Take the box of an existing field, so the stamp is laid out for its real size."""
    for name, _value, field_ref in fields.enumerate_sig_fields(writer.prev):
        if name == request.field_name and request.stamp is not None:
            field = field_ref.get_object()
            widget = field["/Kids"][0].get_object() if "/Kids" in field else field
            if "/Rect" in widget:
                x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
                return replace(request, box=(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return request


def _field_exists(writer: IncrementalPdfFileWriter, request: SignatureRequest) -> bool:
    names = {name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev)}
    return request.field_name in names


def _external_signer(
    certificate: x509.Certificate, chain: Sequence[x509.Certificate], value: bytes | None
) -> signers.ExternalSigner:
    public_key = certificate.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        mechanism, placeholder = "sha256_rsa", public_key.key_size // 8
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        mechanism, placeholder = "sha256_ecdsa", 2 * (public_key.key_size // 8) + 8
    else:
        raise SigningError("Only RSA and ECDSA keys can sign externally.")
    return signers.ExternalSigner(
        signing_cert=to_asn1(certificate),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [to_asn1(c) for c in chain]
        ),
        signature_value=value if value is not None else placeholder,
        signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
    )


def _der_signature(certificate: x509.Certificate, value: bytes, form: str) -> bytes:
    public_key = certificate.public_key()
    if form != "p1363" or not isinstance(public_key, ec.EllipticCurvePublicKey):
        return value
    half = len(value) // 2
    return encode_dss_signature(
        int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big")
    )


def _check_external_value(prepared: PreparedSignature, value: bytes) -> None:
    public_key = prepared.certificate.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                value, prepared.signed_attributes, padding.PKCS1v15(), hashes.SHA256()
            )
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(value, prepared.signed_attributes, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise SigningError(
            "The signature value does not match the certificate; nothing was written."
        ) from None
