"""Which certificates we trust and how revocation is checked."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko_certvalidator import ValidationContext

__all__ = ["RevocationMode", "TrustSettings", "run_released", "to_asn1"]

T = TypeVar("T")

#: pyhanko-certvalidator's modes: "soft-fail" accepts a certificate whose CRL cannot be fetched,
#: "hard-fail" refuses it when revocation information is named but unavailable, "require"
#: refuses any certificate without revocation information.
RevocationMode = Literal["soft-fail", "hard-fail", "require"]


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a ``cryptography`` certificate to the asn1crypto object pyHanko uses.

    :param certificate: The certificate.
    """
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def run_released(work: Awaitable[T], context: ValidationContext | None) -> T:
    """Run ``work`` on a new event loop, then close the HTTP sessions ``context`` opened.

    pyHanko's fetchers open an aiohttp session the first time a certificate names a CRL or OCSP
    responder; its synchronous entry points close it, a bare ``asyncio.run`` does not (and an
    unclosed session warns when it is collected). Use this for every awaited validation.

    :param work: A coroutine that may fetch through ``context``.
    :param context: The validation context it uses, or None.
    """

    async def scoped() -> T:
        try:
            return await work
        finally:
            if context is not None:
                await context.aclose()  # type: ignore[no-untyped-call]

    return asyncio.run(scoped())


@dataclass(frozen=True)
class TrustSettings:
    """The trust anchors and revocation policy used when signing (LT) and validating.

    :param trust_roots: Root certificates that are trusted.
    :param other_certs: Intermediate certificates that may help build paths.
    :param crls: DER CRLs already at hand (e.g. the internal CA's current CRL).
    :param allow_fetching: Fetch CRLs/OCSP from the URLs in certificates.
    :param revocation_mode: See :data:`RevocationMode`.
    :param ocsps: DER OCSP responses already at hand (e.g. from the internal CA's responder,
        :meth:`signing.ocsp.OcspResponder.responses_for`). pyHanko consults them only when it
        does not fetch (``allow_fetching`` off, or a certificate names no responder), but long-term
        signatures embed every one of them in the DSS.
    """

    trust_roots: tuple[x509.Certificate, ...]
    other_certs: tuple[x509.Certificate, ...] = ()
    crls: tuple[bytes, ...] = ()
    allow_fetching: bool = True
    revocation_mode: RevocationMode = "hard-fail"
    ocsps: tuple[bytes, ...] = ()

    @classmethod
    def of(
        cls,
        roots: Sequence[x509.Certificate],
        others: Sequence[x509.Certificate] = (),
        crls: Sequence[bytes] = (),
        *,
        allow_fetching: bool = True,
        revocation_mode: RevocationMode = "hard-fail",
    ) -> TrustSettings:
        """Build settings from sequences.

        :param roots: Trusted roots.
        :param others: Intermediates.
        :param crls: DER CRLs.
        :param allow_fetching: Fetch revocation information online.
        :param revocation_mode: See :data:`RevocationMode`.
        """
        return cls(tuple(roots), tuple(others), tuple(crls), allow_fetching, revocation_mode)

    @functools.cached_property
    def _asn1(self) -> tuple[tuple[asn1_x509.Certificate, ...], tuple[asn1_x509.Certificate, ...]]:
        # Converted once per settings object: contexts are made for every validation.
        return (
            tuple(to_asn1(root) for root in self.trust_roots),
            tuple(to_asn1(cert) for cert in self.other_certs),
        )

    def context(self, *, moment: datetime | None = None) -> ValidationContext:
        """Return a fresh pyHanko validation context (they cache state: one per operation).

        :param moment: Validate as of this time (default: now).
        """
        roots, others = self._asn1
        return ValidationContext(
            trust_roots=list(roots),
            other_certs=list(others),
            crls=list(self.crls),
            allow_fetching=self.allow_fetching,
            revocation_mode=self.revocation_mode,
            moment=moment,
            ocsps=list(self.ocsps),
        )
