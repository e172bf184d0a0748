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


BOUND_TO_DIVISIONS = ("regulator", "tax_bureau")


class KeyCreate(ma.Schema):
    """A key's binding depends on its role: an enterprise key names its uscc (and only it has one), a
    regulator's or tax bureau's its divisions (one or more); a bank's and an admin's need neither."""
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES[1:]))
    label = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    uscc = Uscc(load_default=None, allow_none=True)
    divisions = ma.fields.List(Division(), load_default=list)

    OPENAPI_EXTRA: ClassVar[dict] = {"oneOf": [
        {"properties": {"role": {"const": "enterprise"}, "uscc": {"type": "string"}}, "required": ["uscc"]},
        {"properties": {"role": {"enum": list(BOUND_TO_DIVISIONS)}, "divisions": {"minItems": 1},
                        "uscc": {"type": "null"}}, "required": ["divisions"]},
        {"properties": {"role": {"enum": [r for r in ROLES[1:] if r != "enterprise" and r not in BOUND_TO_DIVISIONS]},
                        "uscc": {"type": "null"}}},
    ]}

    @ma.validates_schema
    def _binding_of_role(self, data, **kwargs):
        if data.get("role") == "enterprise" and not data.get("uscc"):
            raise ma.ValidationError("an enterprise key is bound to one uscc", "uscc")
        if data.get("role") in BOUND_TO_DIVISIONS and not data.get("divisions"):
            raise ma.ValidationError("a regulator or tax-bureau key is bound to divisions", "divisions")
        if data.get("role") != "enterprise" and data.get("uscc"):
            raise ma.ValidationError("only an enterprise key is bound to a uscc", "uscc")


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
