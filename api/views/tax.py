"""Environmental-tax assessments: JSON records or a monitoring file (CSV/XLSX/HJ 212) in; rows, tiers, tax due out."""
from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask.views import MethodView

from incentives.services import tax, tax_batches

from ..auth import FILES, JSON, XLSX, current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..i18n import lang
from ..schemas_grades import today
from ..schemas_tax import AssessmentIn, AssessmentOut, BatchForm, BatchOut, FilingFormat, UploadForm
from ..tasks import enqueue_tax_batch, tax_batch_alive
from ..uploads import uploaded, uploaded_files, wants_csv, wants_xlsx

blp = Blueprint("tax", __name__, url_prefix="/api/v1/tax", description="Environmental-tax assessments")


def _answer(answer: dict, status: int):
    """The answer as JSON, or as the filing form: `?format=csv|xlsx` or `Accept: text/csv` / XLSX."""
    fmt = request.args.get("format") or ("csv" if wants_csv() else "xlsx" if wants_xlsx() else "json")
    name = f"assessment-{answer['id'] or 'preview'}"
    if fmt == "csv":
        return Response(tax.filing_csv(answer, lang()), status=status, mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    if fmt == "xlsx":
        return Response(tax.filing_xlsx(answer, lang()), status=status, mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
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
    @blp.arguments(FilingFormat, location="query", as_kwargs=True)
    @blp.response(200, AssessmentOut, description="JSON; with `format=csv` or `format=xlsx` (or Accept) the filing "
                  "form (《环境保护税税源明细表》 air columns, 减免性质代码, 本期减免税额, a total row; CSV with a BOM)")
    def get(self, assessment_id, format=None):
        """A stored assessment"""
        return _answer(tax.get(session=get_session(), caller=current_caller(), assessment_id=assessment_id), 200)


@blp.route("/batches")
class Batches(MethodView):
    @protect("tax_bureau", consumes=("multipart/form-data",))
    @blp.arguments(BatchForm, location="form")
    @blp.response(202, BatchOut)
    @blp.alt_response(503, description="the job queue is not available")
    def post(self, form):
        """Queue a batch of monitoring files (one taxpayer each, or a `uscc` column); the worker assesses them"""
        answer = tax_batches.create(session=get_session(), caller=current_caller(), uploads=uploaded_files(),
                                    options=form, max_bytes=current_app.config["MAX_CONTENT_LENGTH"] * 4,
                                    enqueue=enqueue_tax_batch)
        url = url_for("tax.BatchResource", batch_id=answer["id"])
        return {**answer, "status_url": url}, 202, {"Location": url}


@blp.route("/batches/<batch_id>")
class BatchResource(MethodView):
    @protect("tax_bureau")
    @blp.response(200, BatchOut)
    def get(self, batch_id):
        """A batch's status, progress and per-taxpayer results (assessment ids or errors)"""
        return tax_batches.get(session=get_session(), caller=current_caller(), batch_id=batch_id,
                               alive=tax_batch_alive)
