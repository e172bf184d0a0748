"""Benefits of an enterprise, and the policy catalogue."""
from __future__ import annotations

from flask.views import MethodView

from incentives.services import benefits, catalogue

from ..auth import current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas import USCC_PATH
from ..schemas_benefits import BenefitReport, BenefitsQuery, ParametersOut, PoliciesQuery, PolicyOut
from ..schemas_grades import today
from .enterprises import _uscc

blp = Blueprint("benefits", __name__, url_prefix="/api/v1", description="Benefits and the policy catalogue")


@blp.route("/enterprises/<uscc>/benefits", parameters=USCC_PATH)
class Benefits(MethodView):
    @protect("enterprise", "regulator", "tax_bureau")
    @blp.arguments(BenefitsQuery, location="query")
    @blp.response(200, BenefitReport)
    def get(self, query, uscc):
        """Benefits an enterprise is entitled to, and why not the others"""
        return benefits.report(session=get_session(), caller=current_caller(), uscc=_uscc(uscc),
                               as_of=query.pop("as_of") or today(), **query)


@blp.route("/policies")
class Policies(MethodView):
    @protect()
    @blp.arguments(PoliciesQuery, location="query")
    @blp.response(200, PolicyOut(many=True))
    def get(self, query):
        """Encoded policies with refs, sources, status, windows and dated parameters"""
        return catalogue.list_policies(**query)


@blp.route("/policies/parameters")
class Parameters(MethodView):
    @protect()
    @blp.response(200, ParametersOut)
    def get(self):
        """The parameter registry and interpretations: defaults, allowed values, refs, sources"""
        return catalogue.parameters()


@blp.route("/policies/<policy_id>", parameters=[{
    "in": "path", "name": "policy_id", "required": True,
    "schema": {"type": "string", "pattern": r"^[a-z_]+\.[a-z0-9_]+$", "example": "chongqing.carbon_quota_bonus"}}])
class PolicyResource(MethodView):
    @protect()
    @blp.response(200, PolicyOut(many=True))
    def get(self, policy_id):
        """One policy (every dated version) with the text of its clause"""
        return catalogue.get_policy(policy_id)
