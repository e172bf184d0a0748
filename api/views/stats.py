"""Grade statistics of a division (public)."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from incentives.services import stats

from ..auth import protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas import Day, Division, Number
from ..schemas_grades import IsoDate, Localized, today

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats", description="Grade statistics")


class StatsQuery(ma.Schema):
    division = Division(required=True)
    as_of = Day(load_default=None)


class CountOut(ma.Schema):
    grade = ma.fields.String()
    status = ma.fields.String()
    count = ma.fields.Integer()
    share = Number()


class IndustryCount(ma.Schema):
    industry = ma.fields.String()
    total = ma.fields.Integer()
    grades = ma.fields.List(ma.fields.Nested(CountOut))


class TargetOut(ma.Schema):
    ref = ma.fields.String()
    due = IsoDate()
    floor = ma.fields.String()
    text = Localized()
    count = ma.fields.Integer()
    total = ma.fields.Integer()
    target_share = Number()
    share = Number()
    target_count = ma.fields.Integer()
    met = ma.fields.Boolean()


class StatsOut(ma.Schema):
    division = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    as_of = IsoDate(required=True)
    total = ma.fields.Integer(required=True)
    by_grade = ma.fields.List(ma.fields.Nested(CountOut))
    by_status = ma.fields.List(ma.fields.Nested(CountOut))
    by_industry = ma.fields.List(ma.fields.Nested(IndustryCount))
    targets = ma.fields.List(ma.fields.Nested(TargetOut))


@blp.route("/grades")
class GradeStats(MethodView):
    @protect()
    @blp.arguments(StatsQuery, location="query")
    @blp.response(200, StatsOut)
    def get(self, query):
        """Grade structure of a division and progress against its targets (SX-2-2, CQ-2)"""
        return stats.grade_stats(session=get_session(), division=query["division"],
                                 as_of=query["as_of"] or today(), today=today())
