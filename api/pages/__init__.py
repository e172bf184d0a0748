"""Server-rendered pages for enterprises, banks and tax bureaus, on the same services as the API."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, render_template, request
from werkzeug.exceptions import HTTPException

from incentives.tax.parameters import tier_labels

from ..i18n import lang, pick
from . import links, problems
from . import session as page_session
from .charts import tier_class
from .format import (
    amount,
    division_label,
    grade_label,
    industry_label,
    number,
    percent,
    plain_codes,
    pollutant_label,
    show_value,
    two_places,
)
from .text import label, plain_reason, t, tier_name, unit_label

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)  # templates and static files are the app's (api/templates, api/static)


def init_app(app: Flask) -> None:
    """Register the pages blueprint."""
    from . import (  # noqa: F401  (routes register on import)
        emergency_sheet,
        jurisdictions_page,
        lookup_page,
        preview_page,
        public_pages,
        stats_page,
        tax_page,
    )
    app.register_blueprint(bp)
    for code in (404, 405):   # paths no blueprint matched: a page for a browser, problem+json for the rest
        app.register_error_handler(code, _unknown_path)
    app.jinja_env.globals.update(_helpers())   # globals, so imported macros see them too


@bp.before_request
def _csrf():
    return page_session.check_csrf()


def _helpers() -> dict:
    return {"t": t, "lang": lang, "pick": pick, "link": links.link, "switch_to": links.switch_to,
            "csrf_token": page_session.csrf_token, "label": label, "caller": page_session.page_caller,
            "amount": amount, "number": number, "grade_label": grade_label, "industry_label": industry_label,
            "pollutant_label": pollutant_label, "show_value": show_value,
            "field_attrs": problems.field_attrs, "localize": problems.localize, "unit_label": unit_label, "plain_reason": plain_reason,
            "two_places": two_places, "plain_codes": plain_codes, "percent": percent, "division_label": division_label,
            "tier_labels": tier_labels, "tier_class": tier_class, "tier_name": tier_name}


def error_page(status: int, headline: str = ""):
    """The friendly page of an error (a 404 says where to go instead)."""
    return render_template("pages/error.html", status=status, headline=headline, problem=None), status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_page(exc.code or 500, problems.localize(exc.description or exc.name))


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("page failed", extra={"path": request.path})
    return error_page(500, t("error_intro"))


def wants_page() -> bool:
    """A browser asking for a path outside the API (it prefers HTML): it gets a page, not problem+json."""
    if request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match(["application/problem+json", "application/json", "text/html"])
    return best == "text/html"


def _unknown_path(exc: HTTPException):
    if wants_page():
        return error_page(exc.code or 404, problems.localize(exc.description or exc.name))
    from ..problems import _http_exception  # the API's own problem+json answer, unchanged
    return _http_exception(exc)


bp.add_url_rule("/login", "login", page_session.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", page_session.logout, methods=["POST"])
