"""The emergency-response sheet (一厂一策 公示牌) of an enterprise: JSON, a printable HTML page, or PDF."""
from __future__ import annotations

from flask.views import MethodView

from incentives.services import emergency

from ..auth import current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas import USCC_PATH
from ..schemas_emergency import SheetOut, SheetQuery
from ..schemas_grades import today
from ..sheet_render import PDF, respond
from .enterprises import _uscc

blp = Blueprint("emergency", __name__, url_prefix="/api/v1", description="Emergency response and staggered production")


@blp.route("/enterprises/<uscc>/emergency-sheet", parameters=USCC_PATH)
class EmergencySheet(MethodView):
    @protect("enterprise", "regulator")
    @blp.arguments(SheetQuery, location="query")
    @blp.response(200, SheetOut, description="format=json (default); html and pdf as documented below")
    @blp.alt_response(200, success=True, content_type="text/html", description="format=html: a printable page")
    @blp.alt_response(200, success=True, content_type=PDF, description="format=pdf")
    def get(self, query, uscc):
        """Emergency-response sheet: per line the managed grade, the measures per alert level and staggered season"""
        fmt = query.pop("format")
        answer = emergency.sheet(session=get_session(), caller=current_caller(), uscc=_uscc(uscc),
                                 as_of=query.pop("as_of") or today(), **query)
        return respond(answer, fmt, filename=f"emergency-sheet-{answer['uscc']}")
