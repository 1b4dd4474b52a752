"""The signing commands are tested with the signing library's own local CRL and TSA servers."""

from tests.signing_lib.conftest import make_pdf, services

__all__ = ["make_pdf", "services"]
