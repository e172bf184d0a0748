"""Public pages: the start page, the policy catalogue and one enterprise's grade history."""
from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, request

import policies as policies_pkg
from incentives import uscc as uscc_mod
from incentives.errors import Invalid
from incentives.grades import CANONICAL
from incentives.policy import CATEGORIES
from incentives.reference import reference
from incentives.services import catalogue, catalogue_search, registry
from incentives.services.serialize import state_dict

from ..database import get_session
from ..schemas_grades import today
from . import bp
from .links import link
from .problems import attempt
from .text import t


@bp.get("/")
def home():
    """The start page: one card per user."""
    return render_template("pages/home.html")


def divisions_with_policies() -> list:
    """Divisions that have a policy of their own, national first (the filter's choices)."""
    codes = sorted({p.jurisdiction for p in policies_pkg.ALL})
    divisions = reference().divisions
    return [divisions[c] for c in codes if c in divisions]


def by_jurisdiction(listed: list[dict]) -> list[tuple[dict, list[tuple[str, list[dict]]]]]:
    """Policies grouped by jurisdiction (national first), then by category in the catalogue's order."""
    groups: dict[str, dict] = {}
    for p in listed:
        j = groups.setdefault(p["jurisdiction"]["code"], {"jurisdiction": p["jurisdiction"], "categories": {}})
        j["categories"].setdefault(p["category"], []).append(p)
    out = []
    for code in sorted(groups):
        cats = groups[code]["categories"]
        out.append((groups[code]["jurisdiction"], [(c, cats[c]) for c in CATEGORIES if c in cats]))
    return out


@bp.get("/policies")
def policies():
    """Every encoded policy by jurisdiction and category, drafts marked, with window, refs and clause text."""
    division = request.args.get("division") or None
    category = request.args.get("category") or None
    grade = request.args.get("grade") or None
    query = (request.args.get("q") or "").strip()[:100]
    if division not in {d.code for d in divisions_with_policies()}:
        division = None
    if category not in CATEGORIES:
        category = None
    if grade not in CANONICAL:
        grade = None
    listed = catalogue_search.search(division=division, category=category, grade=grade, query=query)
    return render_template("pages/policies.html", groups=by_jurisdiction(listed), count=len(listed),
                           divisions=divisions_with_policies(), categories=CATEGORIES, division=division,
                           category=category, grades=CANONICAL, grade=grade, query=query)


@bp.get("/policies/<policy_id>")
def policy(policy_id: str):
    """One policy, every dated version, with the text of its clause."""
    versions, problem = attempt(lambda: catalogue.get_policy(policy_id))
    status = problem.status if problem else 200
    return render_template("pages/policy.html", versions=versions or [], problem=problem,
                           policy_id=policy_id), status


@bp.get("/policies/<policy_id>/document")
def policy_document(policy_id: str):
    """The full text of the document a policy is cut from, its clause marked."""
    doc, problem = attempt(lambda: catalogue_search.document(policy_id))
    parts = None
    if doc and doc["anchor"] and doc["anchor"] in doc["text"]:
        before, _, after = doc["text"].partition(doc["anchor"])
        parts = (before, doc["anchor"], after)
    return render_template("pages/document.html", doc=doc, parts=parts, problem=problem, policy_id=policy_id), \
        problem.status if problem else 200


def parse_date(text: str | None) -> dt.date | None:
    """An ISO date from a form field, None if empty; Invalid (field as_of) if malformed."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(t("bad_date") + text, [{"field": "as_of", "message": t("bad_date") + text}]) from None


@bp.get("/enterprises")
def enterprise_search():
    """The USCC form; a USCC goes to its page."""
    code = (request.args.get("uscc") or "").strip()
    as_of = (request.args.get("as_of") or "").strip() or None
    if code:
        return redirect(link("pages.enterprise", uscc=code, as_of=as_of, include_drafts="true" if _drafts() else None))
    return render_template("pages/enterprise.html", state=None, problem=None, uscc="", as_of=as_of,
                           include_drafts=_drafts())


def _drafts() -> bool:
    """The page's 含征求意见稿 box: drafts' grading rules only when ticked (contract 1.1, default false)."""
    return request.args.get("include_drafts") == "true"


@bp.get("/enterprises/<uscc>")
def enterprise(uscc: str):
    """One enterprise's grade at a date and its grade history as a timeline (grades are published)."""
    def load():
        as_of = parse_date(request.args.get("as_of")) or today()
        return state_dict(registry.grade(session=get_session(), uscc=uscc_mod.normalize(uscc), as_of=as_of,
                                         include_drafts=_drafts()))
    state, problem = attempt(load, {"as_of": "as_of", "uscc": "uscc"}, upload_field="uscc")
    return render_template("pages/enterprise.html", state=state, problem=problem, uscc=uscc,
                           as_of=request.args.get("as_of", ""), include_drafts=_drafts()), \
        problem.status if problem else 200


@bp.app_template_global()
def policy_link(policy_id: str) -> str:
    """The page of a policy's clause text."""
    return link("pages.policy", policy_id=policy_id)



@bp.get("/templates/<name>.<fmt>")
def template(name: str, fmt: str):
    """An upload's template (CSV with BOM or XLSX): the headers the service reads and example lines."""
    from flask import Response, abort

    from .downloads import XLSX, csv_text, xlsx_bytes
    from .sheets import TEMPLATES, template_sheet
    if name not in TEMPLATES or fmt not in ("csv", "xlsx"):
        abort(404)
    sheet = template_sheet(name)
    body, media = (csv_text(sheet).encode("utf-8"), "text/csv; charset=utf-8") if fmt == "csv" else \
        (xlsx_bytes(sheet), XLSX)
    return Response(body, mimetype=media, headers={
        "Content-Disposition": f'attachment; filename="{name}-template.{fmt}"'})
