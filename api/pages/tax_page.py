"""The tax bureau's page: upload monitoring data, see each month's tier and reason, chart it, download the filing."""
from __future__ import annotations

import json

from flask import redirect, render_template, request

from incentives.reference import reference

from ..database import get_session
from ..i18n import lang
from ..schemas_grades import today
from . import bp
from .charts import tax_series
from .downloads import XLSX, data_uri, xlsx_bytes
from .forms import filled, load
from .grid import grid_problem, grid_rows, missing_grid, outlets_json, standards_problem
from .links import here, link
from .problems import attempt, field_problem
from .session import page_caller, redisplay_on_expiry, role_required
from .sheets import filing_sheet
from .text import t

TAX_FIELDS = ("uscc", "division", "rates")
FIELD_MAP = {"uscc": "uscc", "division": "division", "rates": "rates", "parameters": "boundary", "records": "file",
             "file": "file"}


def tax_divisions() -> list:
    """Divisions a tax rate can be found for (provinces and the cities and counties listed)."""
    return [d for d in reference().divisions.values() if d.code != "000000"]


def _grid_of_form() -> list[dict]:
    """The grid as posted (pairs named std|outlet|pollutant), so a refused form shows it again."""
    pairs = [name.split("|")[1:] for name in request.form if name.startswith("std|") and name.count("|") == 2]
    return grid_rows([{"outlet": o, "pollutant": p, "file_standard": None} for o, p in pairs])


def _render(**context):
    context.setdefault("answer", None)
    context.setdefault("problem", None)
    context.setdefault("grid", _grid_of_form() if request.method == "POST" else [])
    status = context["problem"].status if context["problem"] else 200
    return render_template("pages/tax.html", divisions=tax_divisions(), form=request.form, **context), status


@redisplay_on_expiry("pages.tax")
def _expired(problem):
    if page_caller().role == "public":
        return redirect(link("pages.login", next=here()))
    return _render(problem=problem)


@bp.route("/tax", methods=["GET", "POST"])
@role_required("tax_bureau", "enterprise")
def tax():
    """Upload a monitoring file (CSV/XLSX/HJ 212); the assessment per outlet × pollutant × month."""
    if request.method == "GET":
        return _render()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render(problem=field_problem(422, "file", t("no_file")))
    grid = _grid_of_form()
    problem = grid_problem(grid)
    if problem:
        return _render(problem=problem, grid=grid)
    from ..schemas_tax import UploadForm
    fields = {k: v for k, v in filled(request.form).items() if k in TAX_FIELDS}
    if outlets_json(grid):
        fields["outlets"] = json.dumps(outlets_json(grid), ensure_ascii=False)
    if request.form.get("boundary") in ("strict", "inclusive"):
        fields["parameters"] = json.dumps({"boundary": request.form["boundary"]})
    form, problem = load(UploadForm(), fields, FIELD_MAP)
    if problem:
        return _render(problem=problem, grid=grid)
    from incentives.services import tax as tax_service
    answer, problem = attempt(lambda: tax_service.assess_upload(
        session=get_session(), caller=page_caller(), data=upload.read(), filename=upload.filename,
        content_type=upload.mimetype, division=form["division"], uscc=form["uscc"], rates=form["rates"],
        parameters=form["parameters"], outlets=form["outlets"], today=today()), FIELD_MAP)
    if problem:
        return _render(problem=standards_problem(problem), grid=grid or missing_grid(problem))
    text = tax_service.filing_csv(answer, lang())   # the API's filing CSV, as it is; the XLSX has the same rows
    filing = {"csv": data_uri(text, "text/csv"), "xlsx": data_uri(xlsx_bytes(filing_sheet(text)), XLSX)}
    return _render(answer=answer, charts=tax_series(answer["rows"]), filing=filing, grid=grid)
