"""Public: the jurisdictions the catalogue encodes (documents, grading rules, measures), and one division's chain
with the rules and measures in force there."""
from __future__ import annotations

from flask import abort, render_template, request

import policies
from incentives.reference import reference
from incentives.services import jurisdictions

from ..schemas_grades import today
from . import bp
from .problems import attempt
from .public_pages import parse_date

FIELDS = {"as_of": "as_of"}


@bp.get("/jurisdictions")
def jurisdictions_page():
    """Every jurisdiction, national first: its documents with status and confidence, rules and measures."""
    tree, problem = attempt(lambda: jurisdictions.tree(as_of=parse_date(request.args.get("as_of")) or today()),
                            FIELDS)
    return render_template("pages/jurisdictions.html", tree=tree or [], problem=problem), \
        problem.status if problem else 200


@bp.get("/jurisdictions/<code>")
def jurisdiction_page(code: str):
    """A division's chain (national → province → city → county) and what is in force on it."""
    known = code in policies.JURISDICTIONS or code[:2] + "0000" in reference().divisions
    if not (code.isdigit() and len(code) == 6 and known):   # a GB/T 2260 code of a province the table names
        abort(404)
    detail, problem = attempt(lambda: jurisdictions.detail(
        code=code, as_of=parse_date(request.args.get("as_of")) or today()), FIELDS)
    return render_template("pages/jurisdiction.html", detail=detail, problem=problem, code=code), \
        problem.status if problem else 200
