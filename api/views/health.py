"""Health: the service answers, the database really answers, the policies are loaded."""
from __future__ import annotations

import logging

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from sqlalchemy import text

from ..auth import protect
from ..bodies import Blueprint
from ..database import get_session

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"enum": ["ok", "degraded"]})
    database = ma.fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})
    policies_loaded = ma.fields.Integer(required=True)


@blp.route("/health")
class Health(MethodView):
    @protect()
    @blp.response(200, HealthSchema)
    def get(self):
        """Service health"""
        try:
            get_session().exec(text("SELECT 1")).one()
            database = "ok"
        except Exception:
            log.exception("health: database query failed")
            database = "unavailable"
        return {"status": "ok" if database == "ok" else "degraded", "database": database,
                "policies_loaded": len(current_app.extensions.get("gis_policies", ()))}
