"""Public statistics: the grade structure of a division by grade and industry, progress against the targets
(SX-2-2, CQ-2), and the public lists of rated enterprises per division and grade (公示/查询)."""
from __future__ import annotations

from flask import render_template, request

from incentives.grades import CANONICAL
from incentives.reference import reference
from incentives.services import public_lists

from ..database import get_session
from ..schemas_grades import today
from . import bp
from .charts import grade_chart, industry_chart
from .problems import attempt
from .public_pages import parse_date

FIELDS = {"as_of": "as_of", "division": "division"}


def stat_divisions() -> list:
    """The divisions one may choose: national, then every province and city the table names."""
    return list(reference().divisions.values())


def _division() -> str:
    code = request.args.get("division") or "000000"
    return code if code in reference().divisions else "000000"


@bp.get("/statistics")
def statistics():
    """A division's grade structure with charts and tables, and every target's progress."""
    division = _division()
    data, problem = attempt(lambda: public_lists.overview(
        session=get_session(), division=division, as_of=parse_date(request.args.get("as_of")) or today(),
        today=today()), FIELDS)
    charts = [grade_chart(data["stats"]), industry_chart(data["stats"])] if data and data["stats"]["total"] else []
    return render_template("pages/statistics.html", data=data, problem=problem, division=division,
                           divisions=stat_divisions(), charts=[c for c in charts if c]), \
        problem.status if problem else 200


@bp.get("/statistics/rated")
def rated_list():
    """The public list of rated enterprises of a division, optionally of one grade, a page at a time."""
    division = _division()
    grade = request.args.get("grade") if request.args.get("grade") in CANONICAL else None
    page = request.args.get("page", "1")
    data, problem = attempt(lambda: public_lists.rated_list(
        session=get_session(), division=division, grade=grade,
        as_of=parse_date(request.args.get("as_of")) or today(), today=today(),
        page=int(page) if page.isdigit() and len(page) < 7 else 1), FIELDS)
    return render_template("pages/rated.html", data=data, problem=problem, division=division, grade=grade,
                           divisions=stat_divisions(), grades=CANONICAL), problem.status if problem else 200
