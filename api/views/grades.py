"""Answers for banks: bulk lookup (JSON or CSV in and out) and the change feed."""
from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from incentives.services import feed, grade_lookup, snapshot

from ..auth import FILES, JSON, XLSX, current_caller, protect
from ..bodies import Blueprint
from ..database import closing_after, get_session, own_session
from ..i18n import lang, localize
from ..schemas_grades import (
    AsOfForm,
    ChangesOut,
    ChangesQuery,
    LookupIn,
    LookupOut,
    SnapshotOut,
    SnapshotQuery,
    today,
)
from ..uploads import uploaded, wants_csv

blp = Blueprint("grades", __name__, url_prefix="/api/v1/grades", description="Grades for banks")


@blp.route("/lookup")
class Lookup(MethodView):
    @protect("bank", "regulator", "tax_bureau", consumes=JSON + FILES)
    @blp.arguments(LookupIn, required=False)   # not required when parsing: a CSV or XLSX file may come instead
    @blp.doc(requestBody={"required": True})
    @blp.response(200, LookupOut, content_type="application/json")
    @blp.alt_response(413, description="more than 1 000 usccs")
    def post(self, body):
        """Grades of up to 1 000 enterprises in one call (CSV answer with Accept: text/csv)"""
        if request.is_json:
            usccs, as_of, drafts = body.get("usccs") or [], body.get("as_of"), body.get("include_drafts", False)
        else:
            fields = {name: request.form.get(name) or request.args.get(name) for name in ("as_of", "include_drafts")}
            form = AsOfForm().load({name: value for name, value in fields.items() if value})
            usccs, as_of, drafts = grade_lookup.usccs_from_file(*uploaded()), form["as_of"], form["include_drafts"]
        answer = grade_lookup.lookup(session=get_session(), usccs=usccs, as_of=as_of, today=today(),
                                     limit=current_app.config["LOOKUP_MAX_USCCS"], include_drafts=drafts)
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
        """The grade-event feed in commit order, of the enterprises this key may see

        `since` = the `next` of the previous page (0 at first). Each page scans the next `limit` events and
        returns those of enterprises this key may see: a key bound to divisions, those registered or with
        their facility inside one of them; an admin or a bank key without divisions, all. `next` is the last
        `seq` scanned, so a page may be short or empty while `next` moves on: keep asking with
        `since=next` until `next` equals `since` (caught up).
        """
        events, nxt = feed.changes(session=get_session(), caller=current_caller(), **query)
        return {"events": events, "next": nxt}


def _snapshot_format(asked: str | None) -> str:
    if asked:
        return asked
    best = request.accept_mimetypes.best_match(["application/json", "text/csv", XLSX], default="application/json")
    return {"text/csv": "csv", XLSX: "xlsx"}.get(best, "json")


@blp.route("/snapshot")
class Snapshot(MethodView):
    @protect("bank", "regulator")
    @blp.arguments(SnapshotQuery, location="query")
    @blp.response(200, SnapshotOut, description="the grade objects (no history); CSV and XLSX: one line each")
    @blp.doc(responses={"200": {"description": "the grade objects (no history); CSV and XLSX: one line each",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SnapshotOut"}},
                                            "text/csv": {"schema": {"type": "string"}},
                                            XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, query):
        """Every enterprise of a division at `as_of`, streamed (CSV with BOM, XLSX or JSON)"""
        language, session = lang(), own_session()
        snap = snapshot.stream(session=session, caller=current_caller(), division=query["division"],
                               as_of=query["as_of"], fmt=_snapshot_format(query["fmt"]),
                               localize=lambda row: localize(row, language), include_drafts=query["include_drafts"])
        return Response(closing_after(snap.body, session), mimetype=snap.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{snap.filename}"'})
