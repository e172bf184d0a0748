"""Schemas of webhooks (contract 1.1, "Banks"): subscriptions, deliveries log, replay."""
from __future__ import annotations

import marshmallow as ma

from incentives.state import EVENT_KINDS

from .schemas import Division
from .schemas_grades import IsoDateTime


class WebhookIn(ma.Schema):
    url = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                           metadata={"description": "https (http only to hosts in GIS_WEBHOOK_ALLOW_HOSTS)",
                                     "example": "https://bank.example/gis-hook"})
    events = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(EVENT_KINDS)), load_default=None,
                            validate=ma.validate.Length(max=len(EVENT_KINDS)),
                            metadata={"description": "event kinds to receive (default: all)"})
    divisions = ma.fields.List(Division(), load_default=None, validate=ma.validate.Length(max=50),
                               metadata={"description": "divisions to follow (default: the key's; none = all)"})


class WebhookOut(ma.Schema):
    id = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    events = ma.fields.List(ma.fields.String(), required=True)
    divisions = ma.fields.List(ma.fields.String(), required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["active", "failing", "revoked"]})
    cursor = ma.fields.Integer(required=True, metadata={"description": "the last seq delivered"})
    created_at = IsoDateTime()
    failing_since = IsoDateTime(allow_none=True)


class WebhookCreated(WebhookOut):
    secret = ma.fields.String(required=True, metadata={
        "description": "signs every delivery (X-GIS-Signature); shown only in this answer"})


class WebhookList(ma.Schema):
    webhooks = ma.fields.List(ma.fields.Nested(WebhookOut), required=True)


class DeliveryOut(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "X-GIS-Delivery (the same on every retry)"})
    seq = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["sending", "delivered", "retrying", "failed"]})
    attempts = ma.fields.Integer(required=True)
    response_status = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    created_at = IsoDateTime()
    last_attempt_at = IsoDateTime(allow_none=True)
    next_attempt_at = IsoDateTime(allow_none=True)
    delivered_at = IsoDateTime(allow_none=True)


class DeliveriesQuery(ma.Schema):
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


class DeliveriesOut(ma.Schema):
    deliveries = ma.fields.List(ma.fields.Nested(DeliveryOut), required=True)


class ReplayQuery(ma.Schema):
    since = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=0, max=2**31 - 1),
                              metadata={"description": "re-send events after this seq (default: resume where it "
                                                       "stopped)"})
