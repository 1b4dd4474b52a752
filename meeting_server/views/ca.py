"""The internal CA's public services: the CRLs at the address written into every certificate,
its OCSP responder (``/ca/ocsp``, named there too) and its RFC 3161 timestamping authority
(``POST /ca/tsa``)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, request, send_file

from ..extensions import csrf, limiter
from ..services import ocsp as ocsp_service
from ..services import timestamps
from ..services.internal_ca import published_crl

bp = Blueprint("ca", __name__, url_prefix="/ca")

#: A timestamp or OCSP request is a hash and a few fields: a few hundred bytes.
MAX_REQUEST_BYTES = 16 * 1024
#: Seconds a GET answer may be cached (a POST answer, maybe with a nonce, never is).
OCSP_MAX_AGE = 60


@bp.get("/<name>")
def crl(name: str):
    """Send a CRL published by `meeting-server ca crl` (or `ca revoke`)."""
    path = published_crl(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pkix-crl", max_age=3600, conditional=True)
    response.cache_control.public = True
    return response


@bp.post("/tsa")
@csrf.exempt
@limiter.limit(lambda: current_app.config["TSA_LIMIT_PER_IP"])
def tsa():
    """RFC 3161 over HTTP (RFC 3161 §3.4): a DER TimeStampReq in, a DER TimeStampResp out."""
    return _exchange(
        "TimeStampReq", "timestamp-query", "timestamp-reply", timestamps.answer_request
    )


@bp.post("/ocsp")
@csrf.exempt
@limiter.limit(lambda: current_app.config["OCSP_LIMIT_PER_IP"])
def ocsp():
    """OCSP over HTTP POST (RFC 6960 A.1): a DER OCSPRequest in, a DER OCSPResponse out."""
    return _exchange("OCSPRequest", "ocsp-request", "ocsp-response", ocsp_service.answer_request)


def _exchange(
    what: str, query: str, reply: str, answer: Callable[[bytes], bytes | None]
) -> Response:
    """One DER request of type ``application/{query}`` in, the service's DER answer out."""
    if request.mimetype != f"application/{query}":
        return Response(
            f"Send a DER {what} with Content-Type: application/{query}.\n",
            status=415,
            mimetype="text/plain",
        )
    if (request.content_length or 0) > MAX_REQUEST_BYTES:
        abort(413)
    found = answer(request.get_data(cache=False)[:MAX_REQUEST_BYTES])
    if found is None:
        abort(404)  # no internal CA (or its passphrase file) on this server
    response = Response(found, mimetype=f"application/{reply}")
    response.cache_control.no_store = True
    return response


@bp.get("/ocsp/<path:encoded>", merge_slashes=False)  # base64 may hold "//"
@csrf.exempt
@limiter.limit(lambda: current_app.config["OCSP_LIMIT_PER_IP"])
def ocsp_by_url(encoded: str):
    """OCSP over HTTP GET (RFC 6960 A.1): the URL-encoded base64 of a DER OCSPRequest."""
    if len(encoded) > MAX_REQUEST_BYTES:
        abort(414)
    answer = ocsp_service.answer_get(encoded)
    if answer is None:
        abort(404)
    response = Response(answer, mimetype="application/ocsp-response")
    response.cache_control.public = True
    response.cache_control.max_age = OCSP_MAX_AGE
    return response
