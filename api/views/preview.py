"""Upgrade preview (public, nothing stored) and its export as a Ningxia 附件2 plan."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from incentives.services import preview

from ..auth import current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..i18n import lang
from ..schemas_grades import today
from ..schemas_preview import PlanQuery, PreviewIn, PreviewOut

blp = Blueprint("preview", __name__, url_prefix="/api/v1/benefits", description="Upgrade preview")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/preview")
class Preview(MethodView):
    @protect()
    @blp.arguments(PreviewIn)
    @blp.response(200, PreviewOut)
    def post(self, body):
        """What a higher grade is worth, what it adds, and what blocks it (nothing is stored)"""
        return preview.preview(session=get_session(), body=body, today=today(), caller=current_caller())


@blp.route("/preview/plan")
class PreviewPlan(MethodView):
    @protect()
    @blp.arguments(PreviewIn)
    @blp.arguments(PlanQuery, location="query", as_kwargs=True)
    @blp.response(200, content_type="text/csv")
    def post(self, body, format):
        """The preview as an upgrade plan in the columns of Ningxia 附件2 (CSV or XLSX)"""
        answer = preview.preview(session=get_session(), body=body, today=today(), caller=current_caller())
        if format == "xlsx":
            return Response(preview.plan_xlsx(answer, lang()), mimetype=XLSX,
                            headers={"Content-Disposition": "attachment; filename=upgrade-plan.xlsx"})
        return Response(preview.plan_csv(answer, lang()), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=upgrade-plan.csv"})
