"""The internal CA's published CRLs, at the address written into every certificate (public)."""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from ..services.signatures import published_crl

bp = Blueprint("ca", __name__, url_prefix="/ca")


@bp.get("/<name>")
def crl(name: str):
    """Send a CRL published by `meeting-server ca crl` (or `ca revoke`)."""
    path = published_crl(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pkix-crl", max_age=3600, conditional=True)
    response.cache_control.public = True
    return response
