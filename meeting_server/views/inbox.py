"""The signer's inbox (mobile-first): pending, overdue, done; Sign with the PIN, Return, batch.

Wrong PINs and codes answer 403 and are counted per person, one count for every way of signing
(``services/signing_tries.py``); past the limit every signing request answers 429 until the
stated time, whatever the PIN. A signature is JSON for the page's script or a plain form post.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import RequestStatus, SigningKey, SigningRequest, SigningStep, User
from ..permissions import (
    can_send_for_signing,
    can_view_signing_dashboard,
    can_view_signing_request,
)
from ..services import signing_requests as service
from ..services import signing_tries
from ..services.certificates import totp_required
from ..services.errors import NotAllowed, ServiceError
from ..services.inbox import actionable_step, inbox_of
from ..services.signatures import PinProtectedKey
from . import schemas
from .lookups import get_or_404
from .schemas import read

bp = Blueprint("inbox", __name__, url_prefix="/signing")


@bp.get("/")
@login_required
def index():
    """Show my inbox: what waits for me (overdue first marked), what I handled, what I sent."""
    user = signed_in_user()
    inbox = inbox_of(user)
    template = "signing/_inbox_lists.html" if request.args.get("part") else "signing/inbox.html"
    return render_template(
        template,
        inbox=inbox,
        needs_code=totp_required(user),
        tries=signing_tries.tries_of(user),
        can_send=can_send_for_signing(user),
        can_dashboard=can_view_signing_dashboard(user),
    )


@bp.post("/<int:request_id>/sign")
@login_required
def sign(request_id: int):
    """Sign my step of the request with my PIN (and authenticator code, if I turned it on)."""
    user = signed_in_user()
    step = _my_step(user, request_id)
    if request.is_json:
        secrets = read(schemas.Secrets)
    else:
        form = request.form
        secrets = schemas.Secrets(pin=form.get("pin", "")[:256], code=form.get("code", "")[:256])
    try:
        if service.reserve_number(user, step):
            db.session.commit()  # the seal's number: no lock held while the seal is computed
        outcome = service.sign_step(user, step, pin=secrets.pin, code=secrets.code)
    except ServiceError as error:
        db.session.rollback()
        return _refusal(error, request_id)
    db.session.commit()
    message = _("Signed. The document went on to the next step.")
    if outcome.request.status == RequestStatus.COMPLETED:
        message = _("Signed. The document is now fully signed.")
    flash(message, "ok")  # shown by the next page (the script reloads)
    if request.is_json:
        return jsonify(ok=True, error=None, message=message, status=outcome.request.status)
    return redirect(url_for("inbox.index"))


@bp.post("/<int:request_id>/return")
@login_required
def give_back(request_id: int):
    """Return the document to its sender with my comment; the route stops."""
    user = signed_in_user()
    step = _my_step(user, request_id)
    try:
        service.return_request(user, step, request.form.get("comment", ""))
    except ServiceError as error:
        db.session.rollback()
        return _refusal(error, request_id)
    db.session.commit()
    flash(_("Returned to the sender with your comment."), "ok")
    return redirect(url_for("inbox.index"))


@bp.post("/batch")
@login_required
def batch():
    """Sign several pending documents with one PIN; the answer streams one line per document."""
    user = signed_in_user()
    choose = _("Choose the documents to sign (at most %(n)d at once).", n=schemas.MAX_BATCH)
    body = read(schemas.Batch, {"ids": choose})
    steps = [_my_step(user, request_id) for request_id in dict.fromkeys(body.ids)]
    try:
        keys = {
            kind: service.unlock_signing_key(user, kind, pin=body.pin, code=body.code)
            for kind in {step.kind for step in steps}
        }  # one PIN check (and one code) for the whole batch
    except ServiceError as error:
        db.session.rollback()
        return jsonify(ok=False, error=str(error.message)), error.status
    db.session.commit()  # the authenticator code is used up even if a document fails
    work = [(step.id, step.request_id, keys[step.kind][0].id, keys[step.kind][1]) for step in steps]
    return Response(stream_with_context(_sign_each(user.id, work)), mimetype="application/x-ndjson")


def _sign_each(user_id: int, work: list[tuple[int, int, int, PinProtectedKey]]) -> Iterator[str]:
    """Sign one document after another, committing each; report progress as JSON lines.

    Runs while the answer streams, after the view's session is gone: rows are read again.
    """
    total = len(work)
    try:
        for done, (step_id, request_id, key_id, key) in enumerate(work, start=1):
            line: dict[str, object] = {"request_id": request_id, "done": done, "total": total}
            user, step = db.session.get_one(User, user_id), db.session.get_one(SigningStep, step_id)
            try:
                key_row = db.session.get_one(SigningKey, key_id)
                if service.reserve_number(user, step):
                    db.session.commit()  # as in sign(): the number first, then the seal
                service.apply_signature(user, step, key_row, key)
                db.session.commit()
                line["ok"] = True
            except ServiceError as error:
                db.session.rollback()
                line.update(ok=False, error=str(error.message))
            yield json.dumps(line, ensure_ascii=False) + "\n"
    finally:
        for *_ids, key in work:
            key.lock()


def _my_step(user: User, request_id: int) -> SigningStep:
    """Return the step of the request the user may act on now, or answer 404/403/409."""
    signing_request = get_or_404(SigningRequest, request_id)
    require(can_view_signing_request(user, signing_request))
    step = actionable_step(user, signing_request)
    if step is None:
        raise NotAllowed(_("This document is not waiting for you (any more)."))
    return step


def _refusal(error: ServiceError, request_id: int):
    if request.is_json:
        return jsonify(ok=False, error=str(error.message), field=error.field), error.status
    flash(str(error.message), "error")
    return redirect(url_for("signing.show", request_id=request_id)), 303


def _back_to_inbox(message: str):
    flash(message, "error")
    return redirect(url_for("inbox.index")), 303
