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
responses at hand, or fetched when it allows fetching).
"""

from __future__ import annotations

import io
from datetime import datetime

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import add_validation_info

from .errors import SigningError
from .sign import DIGEST, Tsa, timestamper_for
from .trust import TrustSettings

__all__ = ["archive_ends", "extend_to_lta", "refresh_archive"]


def extend_to_lta(data: bytes, trust: TrustSettings, tsa: Tsa) -> bytes:
    """Return ``data`` with the validation data of every signature and a document timestamp.

    :raises SigningError: when a signature's chain or revocation data cannot be gathered (the
        document is then left as it was by the caller), or there is no timestamp authority.
    """
    stamper = _stamper(tsa)
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


def refresh_archive(data: bytes, trust: TrustSettings, tsa: Tsa) -> bytes:
    """Return ``data`` with its last timestamp's validation data and a new document timestamp."""
    stamper = _stamper(tsa)
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


def _stamper(tsa: Tsa) -> TimeStamper:
    stamper = timestamper_for(tsa)
    if stamper is None:
        raise SigningError("Long-term signatures need a timestamp authority.")
    return stamper
