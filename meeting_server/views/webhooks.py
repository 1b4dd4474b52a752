"""Outgoing webhooks (administrators): subscriptions of the integrations, their secrets, the
delivery log, test events and replays."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import ApiKey, WebhookDelivery, WebhookSubscription
from ..models.ids import find
from ..permissions import can_administer
from ..services import webhook_subscriptions as service
from ..services.errors import ServiceError
from ..services.webhooks import EVENT_TYPES, SCOPE_OF
from . import forms
from .lookups import get_or_404

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.before_request
@login_required
def _admins_only():
    require(can_administer(signed_in_user()))


@bp.get("")
def index():
    """List the subscriptions: integration, address, events, state, last delivery."""
    return render_template("webhooks/index.html", rows=service.subscription_rows())


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Subscribe an integration to events; the new secret is shown once."""
    if request.method == "GET":
        return _form()
    try:
        key = find(ApiKey, request.form.get("api_key_id", ""))
        subscription, secret = service.create_subscription(
            signed_in_user(), key, forms.text("url"), request.form.getlist("events")
        )
    except ServiceError as error:
        db.session.rollback()
        return _form(error), error.status
    db.session.commit()
    flash(_("Subscription created. Copy its secret now: it is not shown again."), "ok")
    return _show(subscription, secret=secret)


@bp.get("/<int:subscription_id>")
def show(subscription_id: int):
    """Show a subscription with its delivery log (newest first, paginated)."""
    return _show(get_or_404(WebhookSubscription, subscription_id))


@bp.post("/<int:subscription_id>/rotate")
def rotate(subscription_id: int):
    """Give the subscription a new secret and show it once."""
    subscription = get_or_404(WebhookSubscription, subscription_id)
    secret = service.rotate_secret(signed_in_user(), subscription)
    db.session.commit()
    flash(_("New secret made. Give it to the receiver now: it is not shown again."), "ok")
    return _show(subscription, secret=secret)


@bp.post("/<int:subscription_id>/disable")
def disable(subscription_id: int):
    """Stop sending to this subscription (queued messages wait)."""
    subscription = get_or_404(WebhookSubscription, subscription_id)
    service.disable_subscription(signed_in_user(), subscription)
    db.session.commit()
    flash(_("Subscription disabled. Queued messages wait until it is enabled."), "ok")
    return redirect(url_for("webhooks.show", subscription_id=subscription.id))


@bp.post("/<int:subscription_id>/enable")
def enable(subscription_id: int):
    """Send to this subscription again, starting with what was queued."""
    subscription = get_or_404(WebhookSubscription, subscription_id)
    service.enable_subscription(signed_in_user(), subscription)
    db.session.commit()
    flash(_("Subscription enabled."), "ok")
    return redirect(url_for("webhooks.show", subscription_id=subscription.id))


@bp.post("/<int:subscription_id>/delete")
def delete(subscription_id: int):
    """Remove the subscription with its queue and log."""
    subscription = get_or_404(WebhookSubscription, subscription_id)
    service.delete_subscription(signed_in_user(), subscription)
    db.session.commit()
    flash(_("Subscription deleted."), "ok")
    return redirect(url_for("webhooks.index"))


@bp.post("/<int:subscription_id>/test")
def send_test(subscription_id: int):
    """Queue a test event for this subscription."""
    subscription = get_or_404(WebhookSubscription, subscription_id)
    service.send_test(signed_in_user(), subscription)
    db.session.commit()
    flash(_("Test event queued. It is sent within a few seconds; reload to see it."), "ok")
    return redirect(url_for("webhooks.show", subscription_id=subscription.id))


@bp.post("/deliveries/<int:delivery_id>/replay")
def replay(delivery_id: int):
    """Send a delivery again (same message id), with the reason in the audit trail."""
    delivery = get_or_404(WebhookDelivery, delivery_id)
    service.replay_delivery(signed_in_user(), delivery, forms.text("reason"))
    db.session.commit()
    flash(_("Delivery queued again with the same message id."), "ok")
    return redirect(url_for("webhooks.show", subscription_id=delivery.subscription_id))


def _form(error: ServiceError | None = None):
    return render_template(
        "webhooks/form.html",
        keys=service.integrations(),
        events=EVENT_TYPES,
        scope_of=SCOPE_OF,
        error=error,
        values=request.form if error else None,
        chosen=request.form.getlist("events") if error else [],
    )


def _show(subscription: WebhookSubscription, secret: str | None = None):
    page = service.delivery_page(subscription, request.args.get("page", 1, type=int) or 1)
    response = make_response(
        render_template("webhooks/show.html", subscription=subscription, log=page, secret=secret)
    )
    response.headers["Cache-Control"] = "no-store"  # a secret is shown once, never from a cache
    return response
