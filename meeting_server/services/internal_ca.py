"""The internal certification authority's folder: create it, open it, revoke, publish CRLs.

Its keys are encrypted with the CA passphrase; the app opens them with the passphrase file
(``CA_PASSPHRASE_FILE``) to issue people's certificates and to run the CA's own timestamping
authority (`services/timestamps.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from signing import CAConfig, InternalCA, SigningError
from signing.tsa import ensure_tsa

from ..offload import offload

__all__ = [
    "PUBLISHED_CRLS",
    "ca_dir",
    "create_ca",
    "load_ca",
    "publish_crls",
    "published_crl",
    "revoke_certificate",
]

PUBLISHED_CRLS = ("issuing.crl", "root.crl")


def ca_dir() -> Path:
    """Return the internal CA's folder (``CA_DIR``)."""
    return Path(current_app.config["CA_DIR"])


def create_ca(organisation: str, key_type: str, passphrase: bytes) -> InternalCA:
    """Create the internal CA and its timestamping authority; CRLs point at ``PUBLIC_URL/ca/``."""
    config = CAConfig(
        organisation=organisation,
        crl_base_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/ca",
        key_type=key_type,  # type: ignore[arg-type]  # checked by CAConfig
    )
    ca = InternalCA.create(ca_dir(), config, passphrase)
    publish_crls(ca)
    ensure_tsa(ca, passphrase)
    return ca


def load_ca(passphrase: bytes) -> InternalCA:
    """Open the internal CA (its keys need the passphrase), off the event loop."""
    return offload(InternalCA.load, ca_dir(), passphrase)


def revoke_certificate(ca: InternalCA, serial_hex: str) -> None:
    """Revoke a certificate by its hexadecimal serial and publish the new CRLs."""
    try:
        serial = int(serial_hex, 16)
    except ValueError:
        raise SigningError(f"{serial_hex!r} is not a hexadecimal serial number.") from None
    ca.revoke(serial)
    publish_crls(ca)


def publish_crls(ca: InternalCA) -> None:
    """Write fresh CRLs into the CA folder, where ``/ca/<name>`` serves them."""
    for name, data in zip(PUBLISHED_CRLS, (ca.crl(), ca.root_crl()), strict=True):
        temporary = ca_dir() / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, ca_dir() / name)


def published_crl(name: str) -> Path | None:
    """Return the path of a published CRL, or ``None`` for anything else."""
    path = ca_dir() / name
    return path if name in PUBLISHED_CRLS and path.is_file() else None
