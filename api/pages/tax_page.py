"""The tax bureau's page: upload monitoring data, see each month's tier and reason, chart it, download the filing CSV."""
from __future__ import annotations

import json

from flask import render_template, request

from incentives.reference import reference

from ..database import get_session
from ..i18n import lang
from ..schemas_grades import today
from . import bp
from .charts import tax_series
from .downloads import data_uri
from .forms import filled, load
from .problems import attempt, message
from .session import page_caller, role_required
from .text import t

TAX_FIELDS = ("uscc", "division", "rates", "outlets")


def tax_divisions() -> list:
    """Divisions a tax rate can be found for (provinces and the cities and counties listed)."""
    return [d for d in reference().divisions.values() if d.code != "000000"]


def _render(**context):
    context.setdefault("answer", None)
    context.setdefault("problem", None)
    status = context["problem"].status if context["problem"] else 200
    return render_template("pages/tax.html", divisions=tax_divisions(), form=request.form, **context), status


@bp.route("/tax", methods=["GET", "POST"])
@role_required("tax_bureau", "enterprise")
def tax():
    """Upload a monitoring file (CSV/XLSX/HJ 212); the assessment per outlet × pollutant × month."""
    if request.method == "GET":
        return _render()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render(problem=message(422, t("no_file")))
    from ..schemas_tax import UploadForm
    fields = {k: v for k, v in filled(request.form).items() if k in TAX_FIELDS}
    if request.form.get("boundary") in ("strict", "inclusive"):
        fields["parameters"] = json.dumps({"boundary": request.form["boundary"]})
    form, problem = load(UploadForm(), fields)
    if problem:
        return _render(problem=problem)
    from incentives.services import tax as tax_service
    answer, problem = attempt(lambda: tax_service.assess_upload(
        session=get_session(), caller=page_caller(), data=upload.read(), filename=upload.filename,
        content_type=upload.mimetype, division=form["division"], uscc=form["uscc"], rates=form["rates"],
        parameters=form["parameters"], outlets=form["outlets"], today=today()))
    if problem:
        return _render(problem=problem)
    filing = data_uri(tax_service.filing_csv(answer, lang()), "text/csv")
    return _render(answer=answer, charts=tax_series(answer["rows"]), filing=filing)
