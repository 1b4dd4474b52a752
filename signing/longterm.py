"""Long-term signatures: extend a signed PDF to PAdES B-LT and B-LTA, and keep it there.

* :func:`extend_to_lta` adds, in incremental updates, the validation data of every signature
  (certificates, CRLs and OCSP responses in the document security store, the DSS: B-LT), then
  a document timestamp over all of it (B-LTA). Every earlier signature stays valid: only the
  DSS and a new timestamp field are added.
* :func:`refresh_archive` adds the validation data of the last document timestamp and a new
  one over it, before the last timestamp's TSA certificate ends (pyHanko's
  ``update_archival_timestamp_chain``): a verifier years later still finds everything inside.
* :func:`archive_ends` says when the document's protection runs out: the end of the last
  document timestamp's TSA certificate.

Revocation data comes from the :class:`~signing.trust.TrustSettings` (the CRLs and OCSP
responses at hand, or fetched when it allows fetching), and from the internal CA's OCSP
responder when one is given: it answers for every certificate of the CA found in the document
(signers, seals, the TSAs of their timestamps), asked directly rather than over HTTP.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from asn1crypto import cms
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import add_validation_info

from .errors import SigningError
from .ocsp import OcspResponder
from .sign import DIGEST, Tsa, timestamper_for
from .trust import TrustSettings

__all__ = ["archive_ends", "extend_to_lta", "refresh_archive"]


def extend_to_lta(
    data: bytes, trust: TrustSettings, tsa: Tsa, *, responder: OcspResponder | None = None
) -> bytes:
    """Return ``data`` with the validation data of every signature and a document timestamp.

    :param responder: The internal CA's OCSP responder: its answers for the CA's certificates
        in ``data`` join the DSS (and ``trust``'s OCSP responses).
    :raises SigningError: when a signature's chain or revocation data cannot be gathered (the
        document is then left as it was by the caller), or there is no timestamp authority.
    """
    stamper = _stamper(tsa)
    trust = _with_answers(trust, responder, data)
    count = len(PdfFileReader(io.BytesIO(data)).embedded_regular_signatures)
    try:
        for index in range(count):  # one DSS update per signature, read afresh each time
            reader = PdfFileReader(io.BytesIO(data))
            signature = reader.embedded_regular_signatures[index]
            output = add_validation_info(signature, trust.context(), in_place=False)
            data = output.getvalue()
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        stamped = PdfTimeStamper(stamper).timestamp_pdf(
            writer, DIGEST, validation_context=trust.context(), in_place=False
        )
    except SigningError:
        raise
    except Exception as error:  # pyHanko and its validator raise many types
        raise SigningError(f"The long-term data could not be added: {error}") from error
    return bytes(stamped.getvalue())


def refresh_archive(
    data: bytes, trust: TrustSettings, tsa: Tsa, *, responder: OcspResponder | None = None
) -> bytes:
    """Return ``data`` with its last timestamp's validation data and a new document timestamp.

    :param responder: As for :func:`extend_to_lta`.
    """
    stamper = _stamper(tsa)
    trust = _with_answers(trust, responder, data)
    try:
        reader = PdfFileReader(io.BytesIO(data))
        output = PdfTimeStamper(stamper).update_archival_timestamp_chain(
            reader, trust.context(), in_place=False
        )
    except Exception as error:
        raise SigningError(f"The archive timestamp could not be renewed: {error}") from error
    return bytes(output.getvalue())


def archive_ends(data: bytes) -> datetime | None:
    """Return when the last document timestamp's TSA certificate ends (None: no timestamp)."""
    reader = PdfFileReader(io.BytesIO(data))
    timestamps = reader.embedded_timestamp_signatures
    if not timestamps:
        return None
    certificate = timestamps[-1].signer_cert
    ends: datetime = certificate["tbs_certificate"]["validity"]["not_after"].native
    return ends


def _with_answers(
    trust: TrustSettings, responder: OcspResponder | None, data: bytes
) -> TrustSettings:
    """Add ``responder``'s answers for the CA's certificates in ``data`` to ``trust``."""
    if responder is None:
        return trust
    return replace(trust, ocsps=trust.ocsps + responder.responses_for(_certificates(data)))


def _certificates(data: bytes) -> Iterator[x509.Certificate]:
    """Yield the certificates in every signature of ``data`` and in their timestamp tokens."""
    reader = PdfFileReader(io.BytesIO(data))
    for signature in reader.embedded_signatures:
        found = [signature.signed_data]
        attributes = signature.signer_info["unsigned_attrs"]
        for attribute in attributes if isinstance(attributes, cms.CMSAttributes) else ():
            if attribute["type"].native == "signature_time_stamp_token":
                found += [token["content"] for token in attribute["values"]]
        for signed_data in found:
            for choice in signed_data["certificates"]:
                yield x509.load_der_x509_certificate(choice.chosen.dump())


def _stamper(tsa: Tsa) -> TimeStamper:
    stamper = timestamper_for(tsa)
    if stamper is None:
        raise SigningError("Long-term signatures need a timestamp authority.")
    return stamper
