"""Public pages: the start page, the policy catalogue and one enterprise's grade history."""
from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, request

import policies as policies_pkg
from incentives import uscc as uscc_mod
from incentives.errors import Invalid
from incentives.policy import CATEGORIES
from incentives.reference import reference
from incentives.services import catalogue, registry
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
    if division not in {d.code for d in divisions_with_policies()}:
        division = None
    if category not in CATEGORIES:
        category = None
    listed = catalogue.list_policies(division=division, as_of=None, category=category, include_drafts=True,
                                     with_text=True)
    return render_template("pages/policies.html", groups=by_jurisdiction(listed), count=len(listed),
                           divisions=divisions_with_policies(), categories=CATEGORIES, division=division,
                           category=category)


@bp.get("/policies/<policy_id>")
def policy(policy_id: str):
    """One policy, every dated version, with the text of its clause."""
    versions, problem = attempt(lambda: catalogue.get_policy(policy_id))
    status = problem.status if problem else 200
    return render_template("pages/policy.html", versions=versions or [], problem=problem,
                           policy_id=policy_id), status


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
    if code:
        return redirect(link("pages.enterprise", uscc=code))
    return render_template("pages/enterprise.html", state=None, problem=None, uscc="")


@bp.get("/enterprises/<uscc>")
def enterprise(uscc: str):
    """One enterprise's grade at a date and its grade history as a timeline (grades are published)."""
    def load():
        as_of = parse_date(request.args.get("as_of")) or today()
        return state_dict(registry.grade(session=get_session(), uscc=uscc_mod.normalize(uscc), as_of=as_of))
    state, problem = attempt(load)
    return render_template("pages/enterprise.html", state=state, problem=problem, uscc=uscc), \
        problem.status if problem else 200


@bp.app_template_global()
def policy_link(policy_id: str) -> str:
    """The page of a policy's clause text."""
    return link("pages.policy", policy_id=policy_id)

