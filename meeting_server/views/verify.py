"""The public verification pages: by a request's short code (/v/<code>) or by uploading a PDF.

No sign-in: anyone holding a signed document (its QR code leads to ``/v/<code>``) can check
it. Every page is rate-limited per address. An uploaded file's revisions can be downloaded
only from the browser session that uploaded it, for an hour.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import limiter
from ..models import RequestStatus, SigningRequest
from ..services import verification
from ..services.documents import too_large_message
from ..services.errors import UploadRefused
from ..storage import blob_store
from .errors import on_too_many
from .responses import generated_pdf, send_blob

bp = Blueprint("verify", __name__)
#: What a full check queue asks the browser to wait before trying again.
RETRY_AFTER_S = 30

SESSION_UPLOADS = "verified_uploads"
REMEMBERED_UPLOADS = 5

pages_limit = limiter.shared_limit(
    lambda: current_app.config["VERIFY_LIMIT_PER_IP"], scope="verify"
)
upload_limit = limiter.limit(lambda: current_app.config["VERIFY_UPLOAD_LIMIT_PER_IP"])


@bp.get("/verify")
@pages_limit
def check():
    """Show the form; a typed code goes on to its report."""
    if "code" not in request.args:
        return _form()
    code = verification.normalise_code(request.args["code"])
    if not code:
        return _form(_("Type the code printed beside the QR code on the document."), 400)
    return redirect(url_for(".by_code", code=code))


@bp.post("/verify")
@pages_limit
@upload_limit
def upload():
    """Check an uploaded PDF (in a limited child process) and show the report."""
    sent = request.files.get("pdf")
    if sent is None or not sent.filename:
        return _form(_("Choose the PDF file to check, then press “Check”."), 400)
    try:
        result = verification.verify_upload(sent.stream)
    except UploadRefused as refused:
        return _form(str(refused.message), refused.status)
    except verification.VerifyBusy as busy:
        answer = current_app.make_response(_form(str(busy.message), busy.status))
        answer.headers["Retry-After"] = str(RETRY_AFTER_S)
        return answer
    _remember_upload(result.sha256)
    page = render_template(
        "verify/report.html", result=result, upload_name=PurePath(sent.filename).name, **_words()
    )
    return _no_store(page)


@bp.get("/v/<code>")
@pages_limit
def by_code(code: str):
    """Show the report on the latest version of the request with this code."""
    wanted = verification.normalise_code(code)
    if wanted != code and wanted:
        return redirect(url_for(".by_code", code=wanted))
    signing_request = _request_or_404(wanted)
    result = verification.verify_request(signing_request)
    page = render_template(
        "verify/report.html", result=result, signing_request=signing_request, **_words()
    )
    return _no_store(page)


@bp.get("/v/<code>.json")
@pages_limit
def by_code_json(code: str):
    """Answer the report on the latest version as JSON, for machines."""
    signing_request = verification.find_request(verification.normalise_code(code))
    if signing_request is None:
        return jsonify(ok=False, error=_unknown_code_message(code)), 404
    if signing_request.status == RequestStatus.CANCELLED:
        withdrawn = _("The sender withdrew this document; it is no longer published.")
        return _no_store(
            jsonify(ok=False, code=signing_request.code, status="cancelled", error=withdrawn)
        ), 410
    result = verification.verify_request(signing_request)
    version = signing_request.latest
    return _no_store(
        jsonify(
            code=signing_request.code,
            title=signing_request.title,
            status=signing_request.status,
            version=version.number,
            sha256=version.sha256,
            **result.report,
        )
    )


@bp.get("/v/<code>/document")
@pages_limit
def document(code: str):
    """Send the latest version of the request's PDF."""
    signing_request = _request_or_404(verification.normalise_code(code))
    version = signing_request.latest
    path = blob_store().path_for(version.sha256)
    name = signing_request.file_name
    return send_blob(path, version.sha256, "application/pdf", filename=name, attachment=True)


@bp.get("/v/<code>/revision/<int:number>")
@pages_limit
def request_revision(code: str, number: int):
    """Send the bytes signature ``number`` of the latest version signed."""
    signing_request = _request_or_404(verification.normalise_code(code))
    data = verification.request_revision(signing_request, number)
    if data is None:
        abort(404)
    stem = PurePath(signing_request.file_name).stem or "document"
    return _attachment(data, f"{stem}-signature-{number}.pdf")


@bp.get("/verify/<sha256>/revision/<int:number>")
@pages_limit
def upload_revision(sha256: str, number: int):
    """Send what signature ``number`` of a file this browser uploaded signed (for an hour)."""
    if sha256 not in session.get(SESSION_UPLOADS, []):
        abort(404)
    data = verification.upload_revision(sha256, number)
    if data is None:
        abort(404)
    return _attachment(data, f"signed-revision-{number}.pdf")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """Keep the form on screen and say what the size limit is."""
    return _form(str(too_large_message()), 413)


on_too_many(
    bp,
    lambda: _("Too many checks from this network. Wait a few minutes, then try again."),
    lambda message: _form(message, 429),
)


def _request_or_404(code: str) -> SigningRequest:
    """Return the request with ``code``; a withdrawn one answers 410 with no document."""
    found = verification.find_request(code)
    if found is None:
        abort(current_app.make_response(_form(_unknown_code_message(code), 404, code=code)))
    if found.status == RequestStatus.CANCELLED:
        page = render_template("verify/withdrawn.html", code=found.code)
        abort(_no_store(current_app.make_response((page, 410))))
    return found


def _unknown_code_message(code: str) -> str:
    return _(
        "No signed document has the code “%(code)s”. Check the code printed beside the QR code "
        "on the document (8 letters and digits) and type it again.",
        code=code,
    )


def _form(message: str | None = None, status: int = 200, code: str = ""):
    return render_template("verify/form.html", error=message, code=code, **_words()), status


def _words() -> dict[str, object]:
    return {"language": str(get_locale()), "max_upload_mb": current_app.config["MAX_UPLOAD_MB"]}


def _remember_upload(sha256: str) -> None:
    kept = [value for value in session.get(SESSION_UPLOADS, []) if value != sha256]
    session[SESSION_UPLOADS] = [*kept, sha256][-REMEMBERED_UPLOADS:]


def _attachment(data: bytes, name: str):
    return generated_pdf(data, name)


def _no_store(response):
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response
