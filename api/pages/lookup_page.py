"""The bank's page: bulk grade lookup of up to 1 000 USCCs, pasted or uploaded, with CSV/XLSX downloads."""
from __future__ import annotations

import re

from flask import current_app, redirect, render_template, request

from incentives.services import grade_lookup

from ..database import get_session
from ..schemas_grades import today
from . import bp
from .downloads import links
from .links import here, link
from .problems import attempt, field_problem
from .public_pages import parse_date
from .session import page_caller, redisplay_on_expiry, role_required
from .sheets import lookup_sheet
from .text import t

SEPARATORS = re.compile(r"[\s,;，；、]+")


def asked_usccs() -> list[str]:
    """The USCCs of the form: the uploaded file if one was chosen, else the pasted text."""
    f = request.files.get("file")
    if f is not None and f.filename:
        return grade_lookup.usccs_from_file(f.read(), f.filename, f.mimetype)
    return [u for u in SEPARATORS.split(request.form.get("usccs", "")) if u]


@redisplay_on_expiry("pages.lookup")
def _expired(problem):
    if page_caller().role == "public":
        return redirect(link("pages.login", next=here()))
    return render_template("pages/lookup.html", answer=None, problem=problem,
                           pasted=request.form.get("usccs", "")), problem.status


@bp.route("/lookup", methods=["GET", "POST"])
@role_required("bank", "regulator", "tax_bureau")
def lookup():
    """Paste or upload USCCs; a table of grades with the not-found and invalid ones marked; CSV and XLSX."""
    if request.method == "GET":
        return render_template("pages/lookup.html", answer=None, problem=None, pasted="")

    def run():
        usccs = asked_usccs()
        if not usccs:
            return None
        return grade_lookup.lookup(session=get_session(), usccs=usccs, as_of=parse_date(request.form.get("as_of")),
                                   today=today(), limit=current_app.config["LOOKUP_MAX_USCCS"])
    answer, problem = attempt(run)
    if answer is None and problem is None:
        problem = field_problem(422, "usccs", t("nothing_given"))
    downloads = links(lookup_sheet(answer)) if answer is not None else None
    return render_template("pages/lookup.html", answer=answer, problem=problem, downloads=downloads,
                           pasted=request.form.get("usccs", "")), problem.status if problem else 200
