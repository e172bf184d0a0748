"""Answers for banks: bulk lookup (JSON or CSV in and out) and the change feed."""
from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from incentives.services import grade_lookup, registry

from ..auth import FILES, JSON, protect
from ..bodies import Blueprint
from ..database import get_session
from ..i18n import lang, localize
from ..schemas_grades import AsOfForm, ChangesOut, ChangesQuery, LookupIn, LookupOut, today
from ..uploads import uploaded, wants_csv

blp = Blueprint("grades", __name__, url_prefix="/api/v1/grades", description="Grades for banks")


@blp.route("/lookup")
class Lookup(MethodView):
    @protect("bank", "regulator", "tax_bureau", consumes=JSON + FILES)
    @blp.arguments(LookupIn, required=False)
    @blp.response(200, LookupOut, content_type="application/json")
    @blp.alt_response(413, description="more than 1 000 usccs")
    def post(self, body):
        """Grades of up to 1 000 enterprises in one call (CSV answer with Accept: text/csv)"""
        if request.is_json:
            usccs, as_of = body.get("usccs") or [], body.get("as_of")
        else:
            form = AsOfForm().load({"as_of": request.form.get("as_of") or request.args.get("as_of") or None})
            usccs, as_of = grade_lookup.usccs_from_file(*uploaded()), form["as_of"]
        answer = grade_lookup.lookup(session=get_session(), usccs=usccs, as_of=as_of, today=today(),
                                     limit=current_app.config["LOOKUP_MAX_USCCS"])
        if wants_csv():
            return Response(grade_lookup.to_csv(answer, lang()), mimetype="text/csv",
                            headers={"Content-Disposition": "attachment; filename=grades.csv"})
        # Up to 1 000 grade objects: shaped by the service already, so they skip the schema's dump (the
        # schema still documents them, and the OpenAPI test checks the answer against it).
        return current_app.response_class(current_app.json.dumps(localize(answer, lang())),
                                          mimetype="application/json")


@blp.route("/changes")
class Changes(MethodView):
    @protect("bank", "regulator")
    @blp.arguments(ChangesQuery, location="query")
    @blp.response(200, ChangesOut)
    def get(self, query):
        """The grade-event feed in commit order (`since` = the last `seq` seen)"""
        events, nxt = registry.changes(session=get_session(), **query)
        from incentives.services.serialize import event_dict
        return {"events": [event_dict(ev, uscc) for uscc, ev in events], "next": nxt}
