"""Reading an internal CA's key and certificate files, with errors that say what to do.

:meth:`signing.ca.InternalCA.load` uses these; the files are written by
:meth:`signing.ca.InternalCA.create` and :mod:`signing.ca_store`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from signing.errors import CertificateAuthorityError, WrongPin

if TYPE_CHECKING:  # signing.ca imports this module; the alias only annotates
    from signing.ca import PrivateKey

__all__ = ["read_certificate", "read_key"]


def read_key(path: Path, passphrase: bytes) -> PrivateKey:
    """Decrypt one CA key file.

    :param path: A PKCS#8 PEM file encrypted with the CA passphrase.
    :param passphrase: The CA passphrase.
    :raises WrongPin: if the passphrase does not decrypt the key.
    :raises CertificateAuthorityError: if the file is missing, unencrypted, or neither RSA nor EC.
    """
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
    except FileNotFoundError as error:
        raise CertificateAuthorityError(f"The CA key {path} is missing.") from error
    except TypeError as error:  # the key is not encrypted at all
        raise CertificateAuthorityError(f"The CA key {path} is not encrypted.") from error
    except ValueError as error:
        raise WrongPin(
            f"The CA passphrase is wrong: it does not decrypt {path}. "
            "Enter the passphrase chosen when the CA was created."
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateAuthorityError(f"The CA key {path} is neither RSA nor EC.")
    return key


def read_certificate(path: Path) -> x509.Certificate:
    """Read one PEM certificate.

    :param path: The PEM file.
    :raises CertificateAuthorityError: if the file is missing or not a PEM certificate.
    """
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except FileNotFoundError as error:
        raise CertificateAuthorityError(f"The CA certificate {path} is missing.") from error
    except ValueError as error:
        raise CertificateAuthorityError(f"{path} is not a PEM certificate.") from error
