"""The exceptions of the signing library."""

from __future__ import annotations


class SigningError(Exception):
    """Base class: signing could not be done; ``str(error)`` says why in plain English."""


class WrongPin(SigningError):
    """The PIN (or passphrase) does not unlock the key."""


class KeySourceError(SigningError):
    """A key source (file, PKCS#12, PKCS#11 token) cannot be used."""


class CertificateAuthorityError(SigningError):
    """The internal CA cannot do what was asked (missing, locked, unknown serial...)."""


class RouteError(SigningError):
    """A signing route refuses the next signature (a prior signature is broken, wrong field...)."""


class TimestampError(SigningError):
    """The timestamp authority could not be reached or gave an unusable answer."""
