"""API keys (admin): create (the key is shown once) and revoke."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from incentives.access import ROLES
from incentives.services import keys

from ..auth import protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas import Division, Uscc

blp = Blueprint("keys", __name__, url_prefix="/api/v1/keys", description="API keys (admin)")


class KeyCreate(ma.Schema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES[1:]))
    label = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    uscc = Uscc(load_default=None, allow_none=True)
    divisions = ma.fields.List(Division(), load_default=list)


class KeyCreated(ma.Schema):
    id = ma.fields.String(required=True)
    key = ma.fields.String(required=True, metadata={"description": "shown only in this answer"})
    role = ma.fields.String(required=True)
    label = ma.fields.String()
    uscc = ma.fields.String(allow_none=True)
    divisions = ma.fields.List(ma.fields.String())


@blp.route("")
class Keys(MethodView):
    @protect("admin")
    @blp.arguments(KeyCreate)
    @blp.response(201, KeyCreated)
    def post(self, body):
        """Create an API key"""
        row, key = keys.create(session=get_session(), **body)
        return {"id": row.id, "key": key, "role": row.role, "label": row.label, "uscc": row.uscc,
                "divisions": row.divisions}


@blp.route("/<key_id>")
class Key(MethodView):
    @protect("admin")
    @blp.response(204)
    @blp.alt_response(404, description="no such key")
    def delete(self, key_id):
        """Revoke an API key"""
        keys.revoke(session=get_session(), key_id=key_id)
