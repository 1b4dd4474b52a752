"""X.509 certificates of an internal CA: the root, the issuing CA, and signer and seal leaves.

:class:`~signing.ca.InternalCA` decides what to issue and keeps the files; this module builds
and signs the certificates. Leaf certificates (signers, seals and the CA's timestamping
authority, whose only extended key usage is id-kp-timeStamping, critical) carry:

- KeyUsage digitalSignature + nonRepudiation, critical: pyHanko requires nonRepudiation by
  default (``PdfSignatureMetadata.signer_key_usage``) and validators accept either bit.
- ExtendedKeyUsage emailProtection + id-kp-documentSigning (RFC 9336), non-critical: poppler's
  ``pdfsig`` checks signers through NSS as "email signer", which refuses an EKU without
  emailProtection; Adobe Acrobat accepts emailProtection; pyHanko accepts any EKU by default.
- SubjectKeyIdentifier, AuthorityKeyIdentifier, CRL distribution point
  ``{crl_base_url}/issuing.crl``, and a SubjectAlternativeName rfc822Name when an e-mail is given.
- AuthorityInformationAccess with one OCSP access method, ``{crl_base_url}/ocsp``: the CA's
  responder (:mod:`signing.ocsp`). No caIssuers entry: validators get the chain from
  :attr:`~signing.ca.InternalCA.chain`.

The CA's delegated OCSP responder certificate is a leaf too, with id-kp-OCSPSigning as its only
extended key usage (critical), the id-pkix-ocsp-nocheck extension and no AuthorityInformationAccess
(RFC 6960 §4.2.2.2.1: its status is not asked of itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from signing.errors import CertificateAuthorityError

if TYPE_CHECKING:  # signing.ca imports this module; these names only annotate
    from signing.ca import CAConfig, KeyType, PrivateKey, PublicKey

__all__ = [
    "CLOCK_SKEW",
    "COMMON_NAME_MAX_BYTES",
    "DOCUMENT_SIGNING",
    "authority_information_access",
    "authority_key_identifier",
    "ca_name",
    "certificate_builder",
    "crl_distribution_points",
    "ocsp_url",
    "fit_common_name",
    "generate_private_key",
    "key_usage",
    "make_issuing",
    "make_leaf",
    "make_root",
    "revoked_entry",
    "seal_name",
    "signer_name",
    "subject_key_identifier",
]

#: Certificates start this long before "now", so a clock slightly behind ours still accepts them.
CLOCK_SKEW = timedelta(minutes=5)
#: id-kp-documentSigning (RFC 9336).
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: ub-common-name, as cryptography enforces it (UTF-8 bytes).
COMMON_NAME_MAX_BYTES = 64


def generate_private_key(key_type: KeyType) -> PrivateKey:
    """Generate a new private key.

    :param key_type: ``"rsa2048"``, ``"rsa3072"`` (public exponent 65537) or ``"ec-p256"``.
    :raises CertificateAuthorityError: for an unknown key type.
    """
    if key_type == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    sizes = {"rsa2048": 2048, "rsa3072": 3072}
    if key_type not in sizes:
        raise CertificateAuthorityError(f"Unknown key type {key_type!r}.")
    return rsa.generate_private_key(public_exponent=65537, key_size=sizes[key_type])


def fit_common_name(text: str, suffix: str = "") -> str:
    """Return ``text + suffix``, shortening ``text`` to fit the 64-byte CN limit.

    :param text: The name to fit; trailing spaces left by the cut are dropped.
    :param suffix: Kept whole after ``text``, e.g. ``" Root CA"``.
    """
    budget = COMMON_NAME_MAX_BYTES - len(suffix.encode())
    while len(text.encode()) > budget:
        text = text[:-1]
    return text.rstrip() + suffix


def subject_key_identifier(certificate: x509.Certificate) -> x509.SubjectKeyIdentifier:
    """Return the certificate's subject key identifier.

    :param certificate: A certificate carrying the SubjectKeyIdentifier extension.
    """
    return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value


def authority_key_identifier(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    """Return the AuthorityKeyIdentifier of a certificate or CRL ``issuer`` signs.

    :param issuer: The issuer's certificate, carrying a SubjectKeyIdentifier.
    """
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
        subject_key_identifier(issuer)
    )


def key_usage(*, signing: bool) -> x509.KeyUsage:
    """Return digitalSignature+nonRepudiation (leaves) or keyCertSign+cRLSign (CAs).

    :param signing: ``True`` for a leaf that signs documents, ``False`` for a CA.
    """
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def crl_distribution_points(url: str) -> x509.CRLDistributionPoints:
    """Return a CRL distribution point extension for one URL.

    :param url: Where the issuer's CRL is served.
    """
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
    return x509.CRLDistributionPoints([point])


def ocsp_url(config: CAConfig) -> str:
    """Return the URL of the CA's OCSP responder, ``{crl_base_url}/ocsp``.

    :param config: The CA settings.
    """
    return f"{config.crl_base_url.rstrip('/')}/ocsp"


def authority_information_access(url: str) -> x509.AuthorityInformationAccess:
    """Return an AuthorityInformationAccess extension naming one OCSP responder.

    :param url: Where the responder answers.
    """
    ocsp = x509.AccessDescription(
        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url)
    )
    return x509.AuthorityInformationAccess([ocsp])


def revoked_entry(serial: str, entry: dict[str, Any]) -> x509.RevokedCertificate:
    """Build a CRL entry from an index entry.

    :param serial: The certificate's serial number, lower-case hex.
    :param entry: Its index entry (:class:`~signing.ca_store.CAStore`), revoked.
    """
    builder = (
        x509.RevokedCertificateBuilder()
        .serial_number(int(serial, 16))
        .revocation_date(datetime.fromisoformat(entry["revoked_at"]))
    )
    reason = x509.ReasonFlags(entry["reason"])
    if reason is not x509.ReasonFlags.unspecified:  # RFC 5280: omit rather than "unspecified"
        builder = builder.add_extension(x509.CRLReason(reason), critical=False)
    return builder.build()


def certificate_builder(
    subject: x509.Name, public_key: PublicKey, not_before: datetime, not_after: datetime
) -> x509.CertificateBuilder:
    """Start a certificate with a random serial, validity and subject key identifier.

    :param subject: The certificate's subject.
    :param public_key: The key being certified.
    :param not_before: Start of validity (aware UTC).
    :param not_after: End of validity (aware UTC).
    """
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def ca_name(config: CAConfig, suffix: str) -> x509.Name:
    """Return the subject of the root or issuing CA.

    :param config: The CA settings (country and organisation).
    :param suffix: Appended to the organisation in the CN, e.g. ``" Root CA"``.
    """
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, config.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, config.organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, fit_common_name(config.organisation, suffix)),
        ]
    )


def signer_name(
    *, country: str, organisation: str, title: str, full_name: str, email: str | None
) -> x509.Name:
    """Return the subject of a person's signing certificate.

    :param country: ISO 3166 two-letter country code (C).
    :param organisation: The person's organisation (O).
    :param title: Job title (X.520 ``title``); left out when empty.
    :param full_name: The person's full name (CN), already checked against the CN limit.
    :param email: ``emailAddress``; left out when empty or ``None``.
    """
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, full_name))
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attributes)


def seal_name(*, country: str, organisation: str) -> x509.Name:
    """Return the subject of an organisation seal (CN = O = the organisation).

    :param country: ISO 3166 two-letter country code (C).
    :param organisation: The organisation's name; CN is shortened to 64 UTF-8 bytes if needed,
        O keeps it whole.
    """
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, fit_common_name(organisation)),
        ]
    )


def make_root(config: CAConfig, key: PrivateKey, now: datetime) -> x509.Certificate:
    """Build the self-signed root certificate.

    :param config: The CA settings.
    :param key: The root's private key; it signs the certificate.
    :param now: Creation time (aware UTC); validity starts :data:`CLOCK_SKEW` earlier.
    """
    name = ca_name(config, " Root CA")
    after = now + timedelta(days=config.root_validity_days)
    builder = (
        certificate_builder(name, key.public_key(), now - CLOCK_SKEW, after)
        .issuer_name(name)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(key_usage(signing=False), critical=True)
    )
    return builder.sign(key, hashes.SHA256())


def make_issuing(
    config: CAConfig, root: x509.Certificate, root_key: PrivateKey, key: PrivateKey, now: datetime
) -> x509.Certificate:
    """Build the issuing CA certificate, signed by the root.

    :param config: The CA settings.
    :param root: The root certificate; the issuing CA never outlives it.
    :param root_key: The root's private key; it signs the certificate.
    :param key: The issuing CA's private key.
    :param now: Creation time (aware UTC); validity starts :data:`CLOCK_SKEW` earlier.
    """
    after = min(now + timedelta(days=config.issuing_validity_days), root.not_valid_after_utc)
    aki = authority_key_identifier(root)
    builder = (
        certificate_builder(
            ca_name(config, " Issuing CA"), key.public_key(), now - CLOCK_SKEW, after
        )
        .issuer_name(root.subject)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(key_usage(signing=False), critical=True)
        .add_extension(aki, critical=False)
        .add_extension(crl_distribution_points(config.crl_url("root")), critical=False)
    )
    return builder.sign(root_key, hashes.SHA256())


def make_leaf(
    config: CAConfig,
    issuing: x509.Certificate,
    issuing_key: PrivateKey,
    subject: x509.Name,
    public_key: PublicKey,
    validity: tuple[datetime, datetime],
    extra: Sequence[x509.ExtensionType] = (),
    *,
    service: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    """Build a signer, seal, timestamping or OCSP responder certificate, signed by the issuing CA.

    :param config: The CA settings (the CRL and OCSP URLs).
    :param issuing: The issuing CA certificate.
    :param issuing_key: The issuing CA's private key; it signs the certificate.
    :param subject: The leaf's subject.
    :param public_key: The key being certified, already checked as acceptable.
    :param validity: ``(not_before, not_after)``, aware UTC, already within the issuing CA's.
    :param extra: Further non-critical extensions, added last.
    :param service: id-kp-timeStamping (the CA's TSA, RFC 3161 §2.3) or id-kp-OCSPSigning (its
        OCSP responder, which names no responder itself): the only extended key usage, critical.
    """
    aki = authority_key_identifier(issuing)
    usages = [service] if service else [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]
    builder = (
        certificate_builder(subject, public_key, *validity)
        .issuer_name(issuing.subject)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=service is not None)
        .add_extension(aki, critical=False)
        .add_extension(crl_distribution_points(config.crl_url("issuing")), critical=False)
    )
    if service != ExtendedKeyUsageOID.OCSP_SIGNING:
        extra = [authority_information_access(ocsp_url(config)), *extra]
    for extension in extra:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuing_key, hashes.SHA256())
