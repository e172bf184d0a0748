"""Imports of official lists (regulators): all or nothing, idempotent."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from incentives.services import imports

from ..auth import FILES, current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas_grades import today
from ..uploads import uploaded

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports", description="Imports of enterprise lists")


class ImportResult(ma.Schema):
    import_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["imported", "unchanged"]})
    rows = ma.fields.Integer(required=True)
    enterprises_created = ma.fields.Integer(required=True)
    events_appended = ma.fields.Integer(required=True)
    detail = ma.fields.String()


@blp.route("/enterprises")
class EnterpriseImport(MethodView):
    @protect("regulator", "admin", consumes=FILES)
    @blp.response(201, ImportResult)
    @blp.alt_response(200, schema=ImportResult, description="the same file again: nothing changed")
    @blp.alt_response(422, description="rows are invalid: every bad row listed, nothing written")
    @blp.alt_response(413, description="more rows than the configured limit")
    def post(self):
        """Import enterprises and grades from CSV or XLSX (zh or en headers; UTF-8 or GBK)"""
        data, filename, content_type = uploaded()
        result = imports.import_enterprises(session=get_session(), data=data, filename=filename,
                                            content_type=content_type, today=today(), caller=current_caller(),
                                            max_rows=current_app.config["IMPORT_MAX_ROWS"])
        return (result, 200) if result["status"] == "unchanged" else result
