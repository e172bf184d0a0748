"""Environmental-tax assessments: JSON records or a monitoring file (CSV/XLSX/HJ 212) in; rows, tiers, tax due out."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from incentives.services import tax

from ..auth import FILES, JSON, current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..i18n import lang
from ..schemas_grades import today
from ..schemas_tax import AssessmentIn, AssessmentOut, UploadForm
from ..uploads import uploaded, wants_csv

blp = Blueprint("tax", __name__, url_prefix="/api/v1/tax", description="Environmental-tax assessments")


def _answer(answer: dict, status: int):
    if wants_csv():
        return Response(tax.filing_csv(answer, lang()), status=status, mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=assessment-{answer['id']}.csv"})
    return answer


@blp.route("/assessments")
class Assessments(MethodView):
    @protect("tax_bureau", "enterprise", consumes=JSON + FILES)
    @blp.arguments(AssessmentIn, required=False)
    @blp.arguments(UploadForm, location="query", as_kwargs=True)
    @blp.response(201, AssessmentOut)
    @blp.alt_response(422, description="invalid records, standards or rates (row and column, or field)")
    def post(self, body, **query):
        """Assess the 75% / 50% reduction and the tax due per outlet × pollutant × month"""
        if request.is_json:
            return _answer(tax.assess_json(session=get_session(), caller=current_caller(), body=body,
                                           today=today()), 201)
        form = {**query, **UploadForm().load({k: v for k, v in request.form.items() if k != "file"})} \
            if request.mimetype == "multipart/form-data" else query
        data, filename, content_type = uploaded()
        answer = tax.assess_upload(session=get_session(), caller=current_caller(), data=data, filename=filename,
                                   content_type=content_type, today=today(), uscc=form["uscc"],
                                   division=form["division"], rates=form["rates"], parameters=form["parameters"],
                                   outlets=form["outlets"], fmt=form["format"], strict=form["strict"],
                                   mn_to_outlet=form["mn_to_outlet"])
        return _answer(answer, 201)


@blp.route("/assessments/<assessment_id>")
class AssessmentResource(MethodView):
    @protect("tax_bureau", "enterprise")
    @blp.response(200, AssessmentOut)
    def get(self, assessment_id):
        """A stored assessment"""
        return _answer(tax.get(session=get_session(), caller=current_caller(), assessment_id=assessment_id), 200)
