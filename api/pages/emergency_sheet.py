"""The emergency-response sheet as a page for the signed-in enterprise or its regulator (?format=pdf)."""
from __future__ import annotations

from flask import request

from incentives.services import emergency

from ..database import get_session
from ..schemas_grades import today
from ..sheet_render import respond
from . import bp
from .problems import attempt
from .session import page_caller, role_required


@bp.get("/enterprises/<uscc>/emergency-sheet")
@role_required("enterprise", "regulator")
def emergency_sheet(uscc: str):
    """The printable sheet of an enterprise (signed in as the enterprise or its regulator); ?format=pdf."""
    from .public_pages import parse_date
    fmt = "pdf" if request.args.get("format") == "pdf" else "html"
    answer, problem = attempt(lambda: emergency.sheet(
        session=get_session(), caller=page_caller(), uscc=_normalize(uscc),
        as_of=parse_date(request.args.get("as_of")) or today()))
    if problem:
        from . import error_page
        return error_page(problem.status, problem.headline)
    return respond(answer, fmt, filename=f"emergency-sheet-{answer['uscc']}")


def _normalize(uscc: str) -> str:
    from incentives import uscc as uscc_mod
    from incentives.errors import Invalid
    try:
        return uscc_mod.normalize(uscc)
    except uscc_mod.InvalidUscc as exc:
        raise Invalid(str(exc), [{"field": "uscc", "message": str(exc)}]) from None


@bp.app_template_global()
def emergency_sheet_label() -> str:
    """The enterprise page's link text to the sheet."""
    from ..sheet_render import tx
    return tx("title")
