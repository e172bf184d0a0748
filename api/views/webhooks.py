"""Webhooks for banks and regulators: subscribe (the secret is shown once), list, delete, deliveries, replay."""
from __future__ import annotations

from flask.views import MethodView

from incentives.services import webhooks

from ..auth import current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas_webhooks import (
    DeliveriesOut,
    DeliveriesQuery,
    ReplayQuery,
    WebhookCreated,
    WebhookIn,
    WebhookList,
)
from ..schemas_webhooks import WebhookOut as WebhookShown
from ..webhook_jobs import secret_box, settings

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Pushed grade events")


@blp.route("")
class Webhooks(MethodView):
    @protect("bank", "regulator")
    @blp.arguments(WebhookIn)
    @blp.response(201, WebhookCreated)
    @blp.alt_response(403, description="divisions outside the key's")
    def post(self, body):
        """Subscribe a URL to the change feed (the secret is shown only here)"""
        return webhooks.subscribe(session=get_session(), caller=current_caller(), box=secret_box(), settings=settings(),
                                  **body)

    @protect("bank", "regulator")
    @blp.response(200, WebhookList)
    def get(self):
        """The key's webhooks"""
        return {"webhooks": webhooks.listing(session=get_session(), caller=current_caller())}


@blp.route("/<subscription_id>")
class Webhook(MethodView):
    @protect("bank", "regulator")
    @blp.response(204)
    @blp.alt_response(404, description="no such webhook")
    def delete(self, subscription_id):
        """Delete a webhook: deliveries stop"""
        webhooks.delete(session=get_session(), caller=current_caller(), subscription_id=subscription_id)


@blp.route("/<subscription_id>/deliveries")
class Deliveries(MethodView):
    @protect("bank", "regulator")
    @blp.arguments(DeliveriesQuery, location="query")
    @blp.response(200, DeliveriesOut)
    @blp.alt_response(404, description="no such webhook")
    def get(self, query, subscription_id):
        """The deliveries log (attempts, status, last error), newest first"""
        return {"deliveries": webhooks.deliveries(session=get_session(), caller=current_caller(),
                                                  subscription_id=subscription_id, **query)}


@blp.route("/<subscription_id>/replay")
class Replay(MethodView):
    @protect("bank", "regulator")
    @blp.arguments(ReplayQuery, location="query")
    @blp.response(200, WebhookShown)
    @blp.alt_response(404, description="no such webhook")
    def post(self, query, subscription_id):
        """Send again every event after `since` (a failing webhook resumes)"""
        return webhooks.replay(session=get_session(), caller=current_caller(), subscription_id=subscription_id,
                               **query)
