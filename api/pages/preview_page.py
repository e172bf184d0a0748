"""The enterprise's page: 升级收益预览 — current vs target, gains, figures, blockers, clauses, the 附件2 plan."""
from __future__ import annotations

import json

from flask import render_template, request

from incentives import env_tax
from incentives.grades import CANONICAL
from incentives.reference import reference

from ..database import get_session
from ..i18n import lang
from ..schemas_grades import today
from . import bp
from .charts import quantified_bars
from .downloads import XLSX, data_uri
from .forms import filled, load
from .problems import attempt, message
from .text import t

ALERTS = ("yellow", "orange", "red")


def choices() -> dict:
    """The form's lists: divisions, industries with their branches, grades."""
    ref = reference()
    return {"divisions": [d for d in ref.divisions.values() if d.code != "000000"],
            "industries": list(ref.industries.values()), "grades": CANONICAL, "alerts": ALERTS}


def json_field(name: str) -> tuple[object, bool]:
    """(parsed value or None if empty, ok) of a JSON form field."""
    text = (request.form.get(name) or "").strip()
    if not text:
        return None, True
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


def preview_body() -> dict:
    """The contract's preview body from the form (validated next by the API's own schema)."""
    f = filled(request.form)
    if f.get("uscc"):
        enterprise = {"uscc": f["uscc"]}
    else:
        branch = reference().branches.get(f.get("branch", ""))
        enterprise = {"division": f.get("division"), "industries": [
            {"industry": branch.industry if branch else f.get("branch", ""), "branch": f.get("branch"),
             "grade": f.get("grade")}] if f.get("branch") else []}
    scenario = {k: f[k] for k in ("allowance_2023_t", "daily_output_value_yuan") if k in f}
    days = {k: f[f"alert_{k}"] for k in ALERTS if f.get(f"alert_{k}")}
    if days:
        scenario["alert_days"] = days
    targets, _ = json_field("target_concentrations")
    if targets is not None:
        scenario["target_concentrations"] = targets
    return {"enterprise": enterprise, "target": {"grade": f.get("target")}, "as_of": f.get("as_of"),
            "scenario": scenario}


def monitoring_records() -> list[dict] | None:
    """The uploaded monitoring file as the JSON records the preview takes (file line kept out)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    table = env_tax.read_monitoring(upload.read(), filename=upload.filename, content_type=upload.mimetype)
    return table.drop(columns=["row"], errors="ignore").to_dict("records")


def _render(**context):
    context.setdefault("answer", None)
    context.setdefault("problem", None)
    status = context["problem"].status if context["problem"] else 200
    return render_template("pages/preview.html", form=request.form, **choices(), **context), status


@bp.route("/preview", methods=["GET", "POST"])
def preview():
    """Public: what a higher grade brings, with clauses, figures, blockers and the plan download."""
    if request.method == "GET":
        return _render()
    f = filled(request.form)
    if not f.get("uscc") and not (f.get("division") and f.get("branch") and f.get("grade")):
        return _render(problem=message(422, t("need_enterprise")))
    if not f.get("target"):
        return _render(problem=message(422, t("need_target")))
    for name in ("target_concentrations", "outlets"):
        if not json_field(name)[1]:
            return _render(problem=message(422, t("bad_json") + name))
    from ..schemas_preview import PreviewIn
    body, problem = load(PreviewIn(), {k: v for k, v in preview_body().items() if v is not None})
    if problem:
        return _render(problem=problem)
    from incentives.services import preview as service

    def run():
        records = monitoring_records()
        if records is not None:
            outlets, _ = json_field("outlets")   # {outlet: {standards: {...}}}, as on the tax page
            body["scenario"]["monitoring"] = {"records": records, "outlets": [
                {"outlet": name, **value} for name, value in (outlets or {}).items()]}
        return service.preview(session=get_session(), body=body, today=today())
    answer, problem = attempt(run)
    if problem:
        return _render(problem=problem)
    plan = {"csv": data_uri(service.plan_csv(answer, lang()), "text/csv"),
            "xlsx": data_uri(service.plan_xlsx(answer, lang()), XLSX)}
    return _render(answer=answer, charts=quantified_bars(answer["quantified"]), plan=plan)

