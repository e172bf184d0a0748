"""API keys (admin): create (the key is shown once) and revoke."""
from __future__ import annotations

from typing import ClassVar

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
    """A key's binding depends on its role: an enterprise key names its uscc (and only it has one), a
    regulator's or tax bureau's its divisions (one or more); a bank's and an admin's need neither."""
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES[1:]))
    label = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    uscc = Uscc(load_default=None, allow_none=True)
    divisions = ma.fields.List(Division(), load_default=list)

    OPENAPI_EXTRA: ClassVar[dict] = {"oneOf": [
        {"properties": {"role": {"const": "enterprise"}, "uscc": {"type": "string"}}, "required": ["uscc"]},
        {"properties": {"role": {"enum": list(keys.BOUND_TO_DIVISIONS)}, "divisions": {"minItems": 1},
                        "uscc": {"type": "null"}}, "required": ["divisions"]},
        {"properties": {"role": {"enum": [r for r in ROLES[1:] if r != "enterprise" and r not in keys.BOUND_TO_DIVISIONS]},
                        "uscc": {"type": "null"}}},
    ]}
    # the binding rules themselves are the key service's (incentives.services.keys.create), for the CLI too


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
