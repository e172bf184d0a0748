"""Server-rendered pages for enterprises, banks and tax bureaus, on the same services as the API."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, render_template, request
from werkzeug.exceptions import HTTPException

from ..i18n import lang, pick
from . import links, problems
from . import session as page_session
from .format import amount, grade_label, industry_label, number, pollutant_label, show_value
from .text import label, t

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)  # templates and static files are the app's (api/templates, api/static)


def init_app(app: Flask) -> None:
    """Register the pages blueprint."""
    from . import emergency_sheet, lookup_page, preview_page, public_pages, tax_page  # noqa: F401  (routes register on import)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_helpers())   # globals, so imported macros see them too


@bp.before_request
def _csrf():
    page_session.check_csrf()


def _helpers() -> dict:
    return {"t": t, "lang": lang, "pick": pick, "link": links.link, "switch_to": links.switch_to,
            "csrf_token": page_session.csrf_token, "label": label, "caller": page_session.page_caller,
            "amount": amount, "number": number, "grade_label": grade_label, "industry_label": industry_label,
            "pollutant_label": pollutant_label, "show_value": show_value}


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return render_template("pages/error.html", problem=problems.from_http(exc)), exc.code


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("page failed", extra={"path": request.path})
    problem = problems.message(500, t("error"), "internal error; the request id identifies it in the logs")
    return render_template("pages/error.html", problem=problem), 500


bp.add_url_rule("/login", "login", page_session.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", page_session.logout, methods=["POST"])
