"""The enterprise's page: 升级收益预览 — a summary of what the upgrade is worth, then gains, blockers, clauses and
the 附件2 plan. Monitoring uploads use the file's own 标准浓度, shown in an editable outlet × pollutant grid."""
from __future__ import annotations

from decimal import Decimal

from flask import render_template, request

from incentives import env_tax
from incentives.grades import CANONICAL
from incentives.reference import reference
from incentives.services import catalogue

from ..database import get_session
from ..i18n import lang, pick
from ..schemas_grades import today
from . import bp
from .charts import headline_chart
from .downloads import links
from .forms import filled, load
from .grid import grid_from_file, grid_problem, grid_rows, missing_grid, standards_problem
from .problems import attempt, field_problem
from .session import redisplay_on_expiry
from .sheets import plan_sheet
from .text import t, unit_label

ALERTS = ("yellow", "orange", "red")
# The API's fields as the form's: a refused value is shown beside the input it was typed in.
FIELD_MAP = {"enterprise.uscc": "uscc", "enterprise.division": "division", "enterprise.industries": "branch",
             "enterprise.industries.0.branch": "branch", "enterprise.industries.0.industry": "branch",
             "enterprise.industries.0.grade": "grade", "enterprise": "uscc", "target.grade": "target",
             "target": "target", "as_of": "as_of", "scenario.allowance_2023_t": "allowance_2023_t",
             "scenario.daily_output_value_yuan": "daily_output_value_yuan",
             **{f"scenario.alert_days.{a}": f"alert_{a}" for a in ALERTS}, "scenario.monitoring": "file",
             "scenario.target_concentrations": "file", "records": "file", "outlets": "file"}


def choices() -> dict:
    """The form's lists: divisions, industries with their branches, grades."""
    ref = reference()
    return {"divisions": [d for d in ref.divisions.values() if d.code != "000000"],
            "industries": list(ref.industries.values()), "grades": CANONICAL, "alerts": ALERTS}


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
    return {"enterprise": enterprise, "target": {"grade": f.get("target")}, "as_of": f.get("as_of"),
            "scenario": scenario}


def read_upload():
    """The uploaded monitoring file as a table (None if no file was chosen)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return env_tax.read_monitoring(upload.read(), filename=upload.filename, content_type=upload.mimetype)


def monitoring(table, rows: list[dict]) -> tuple[dict, dict]:
    """(scenario.monitoring, scenario.target_concentrations) from the file and the grid."""
    records = table.drop(columns=["row"], errors="ignore").to_dict("records")
    outlets: dict[str, dict] = {}
    targets: dict[str, dict] = {}
    for r in rows:
        if r["standard"]:
            outlets.setdefault(r["outlet"], {})[r["pollutant"]] = r["standard"]
        if r["target"]:
            targets.setdefault(r["outlet"], {})[r["pollutant"]] = r["target"]
    return ({"records": records, "outlets": [{"outlet": o, "standards": s} for o, s in outlets.items()]},
            targets)


def _render(**context):
    context.setdefault("answer", None)
    context.setdefault("problem", None)
    context.setdefault("grid", [])
    status = context["problem"].status if context["problem"] else 200
    return render_template("pages/preview.html", form=request.form, **choices(), **context), status


@redisplay_on_expiry("pages.preview")
def _expired(problem):
    return _render(problem=problem)


@bp.route("/preview", methods=["GET", "POST"])
def preview():
    """Public: what a higher grade brings, with clauses, figures, blockers and the plan download."""
    if request.method == "GET":
        return _render()
    f = filled(request.form)
    missing = {}
    if not f.get("uscc") and not (f.get("division") and f.get("branch") and f.get("grade")):
        missing["uscc"] = t("need_enterprise")
    if not f.get("target"):
        missing["target"] = t("need_target")
    if missing:
        problem = field_problem(422, next(iter(missing)), next(iter(missing.values())))
        problem.fields = missing
        problem.headline = t("problem_title")
        return _render(problem=problem)
    from ..schemas_preview import PreviewIn
    body, problem = load(PreviewIn(), {k: v for k, v in preview_body().items() if v is not None}, FIELD_MAP)
    if problem:
        return _render(problem=problem)
    from incentives.services import preview as service
    table, problem = attempt(read_upload, FIELD_MAP)
    if problem:
        return _render(problem=problem)
    grid = grid_rows(grid_from_file(table)) if table is not None else []
    problem = grid_problem(grid)
    if problem:
        return _render(problem=problem, grid=grid)
    if table is not None:
        body["scenario"]["monitoring"], targets = monitoring(table, grid)
        if targets:
            body["scenario"]["target_concentrations"] = targets
    answer, problem = attempt(lambda: service.preview(session=get_session(), body=body, today=today()), FIELD_MAP)
    if problem:
        return _render(problem=standards_problem(problem), grid=grid or missing_grid(problem))
    summary = headline(answer, asked=f.get("target"))
    return _render(answer=answer, summary=summary, chart=headline_chart(summary), grid=grid,
                   plan=links(plan_sheet(answer)))


def _figure_value(f: dict | None):
    return None if not f else f.get("value")


def _only_in(refs: list[str]) -> str:
    """Where and when the measures with these refs apply, in words, from the catalogue."""
    listed = [p for p in catalogue.list_policies(division=None, as_of=None, category=None, include_drafts=True)
              if set(p["refs"]) & set(refs)]
    if not listed:
        return ""
    places = "、".join(dict.fromkeys(pick(p["jurisdiction"]["name"]) for p in listed))
    p = listed[0]
    window = f"{p['effective']['from'] or '—'} – {p['effective']['to'] or t('until_changed')}"
    return t("only_in").format(places=places, refs="、".join(refs), window=window)


def headline(answer: dict, asked: str | None) -> dict:
    """The summary card's figures (exactly the API's values) and a plain sentence for each empty one."""
    q = answer["quantified"]
    tax, carbon, emergency = q.get("env_tax") or {}, q.get("carbon_allowance") or {}, q.get("emergency_response") or {}
    output = ((emergency.get("detail") or {}).get("output_value_yuan")) if emergency.get("value") is not None else None
    cash = [f for v in q.values() for f in (v if isinstance(v, list) else [v])
            if f and f.get("unit") == "yuan" and f.get("value") is not None]
    cash += [b["quantity"] for b in answer["gained"] if (b.get("quantity") or {}).get("unit") == "yuan"
             and b["quantity"].get("value") is not None]
    cash_total = sum((Decimal(str(f["value"])) for f in cash), Decimal(0)) if cash else None
    figures = [
        {"key": "env_tax", "label": t("h_tax"), "value": _figure_value(tax), "unit": unit_label("yuan/year"),
         "refs": tax.get("refs") or [], "empty": t("h_tax_empty") if tax.get("value") is None else "",
         "note": t("h_tax_note").format(period=tax.get("period_value"), months=tax.get("months_of_data"))
         if tax.get("period_value") is not None else ""},
        {"key": "output_value", "label": t("h_output"), "value": output, "unit": unit_label("yuan"),
         "refs": emergency.get("refs") or [],
         "empty": "" if output is not None else (t("h_output_days").format(days=emergency["value"])
                                                 if emergency.get("value") is not None else t("h_output_empty")),
         "note": t("h_days").format(days=emergency["value"]) if output is not None else ""},
        {"key": "carbon_allowance", "label": t("h_carbon"), "value": _figure_value(carbon),
         "unit": unit_label(carbon.get("unit") or "tCO2"), "refs": carbon.get("refs") or [],
         "empty": "" if carbon.get("value") is not None else (_only_in(carbon.get("refs") or []) or t("h_none")),
         "note": ""},
        {"key": "cash", "label": t("h_cash"), "value": cash_total, "unit": unit_label("yuan"),
         "refs": [r for f in cash for r in (f.get("refs") or [])],
         "empty": "" if cash_total is not None else t("h_cash_empty"), "note": ""},
    ]
    target = answer["target"]["overall_grade"]
    return {"figures": figures, "asked": asked, "target": target, "differs": bool(asked and target != asked),
            "lang": lang()}
