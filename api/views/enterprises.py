"""Enterprises, their grade events and their grade (contract: registry)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView

from incentives.services import registry
from incentives.services.serialize import state_dict

from ..auth import current_caller, protect
from ..bodies import Blueprint
from ..database import get_session
from ..schemas import USCC_PATH, GradeQuery
from ..schemas_grades import EnterpriseIn, EnterprisePatch, EventCreated, EventIn, GradeAtOut, GradeOut, today

blp = Blueprint("enterprises", __name__, url_prefix="/api/v1/enterprises", description="Enterprises and grades")


def _uscc(value: str) -> str:
    from incentives import uscc as uscc_mod
    from incentives.errors import Invalid
    try:
        return uscc_mod.normalize(value)
    except uscc_mod.InvalidUscc as exc:
        raise Invalid(str(exc), [{"field": "uscc", "message": str(exc)}]) from None


def _with_etag(state, version: int):
    body = {**state_dict(state), "version": version}
    return body, {"ETag": f'"{version}"'}


@blp.route("")
class Enterprises(MethodView):
    @protect("regulator", "admin")
    @blp.arguments(EnterpriseIn)
    @blp.response(201, GradeOut)
    @blp.alt_response(409, description="already registered")
    def post(self, body):
        """Register an enterprise with its industries and grades"""
        state = registry.register(session=get_session(), caller=current_caller(), body=body, today=today())
        return _with_etag(state, 1)


@blp.route("/<uscc>", parameters=USCC_PATH)
class EnterpriseResource(MethodView):
    @protect("regulator", "admin", "tax_bureau", "enterprise")
    @blp.response(200, GradeOut)
    @blp.alt_response(403, description="not this key's enterprise, nor in its divisions")
    def get(self, uscc):
        """An enterprise with its current state and facts (ETag carries its version)"""
        ent, state = registry.enterprise_record(session=get_session(), caller=current_caller(), uscc=_uscc(uscc),
                                                today=today())
        body, headers = _with_etag(state, ent.version)
        return {**body, "facts": ent.facts or {}}, headers

    @protect("regulator", "admin")
    @blp.arguments(EnterprisePatch)
    @blp.response(200, GradeOut)
    @blp.alt_response(409, description="stale version")
    @blp.alt_response(428, description="If-Match missing")
    def patch(self, changes, uscc):
        """Amend an enterprise (If-Match: its version)"""
        state = registry.amend(session=get_session(), caller=current_caller(), uscc=_uscc(uscc), if_match=request.headers.get("If-Match"),
                               changes=changes, today=today())
        return _with_etag(state, registry.get_enterprise(get_session(), state.uscc).version)


@blp.route("/<uscc>/grade", parameters=USCC_PATH)
class GradeResource(MethodView):
    @protect()
    @blp.arguments(GradeQuery, location="query")
    @blp.response(200, GradeAtOut)
    def get(self, query, uscc):
        """The grade of an enterprise at a date (public: grades are published; drafts' rules only when asked)"""
        state = registry.grade(session=get_session(), uscc=_uscc(uscc), **query)
        return {**state_dict(state), "include_drafts": query["include_drafts"]}


@blp.route("/<uscc>/events", parameters=USCC_PATH)
class Events(MethodView):
    @protect("regulator", "admin")
    @blp.arguments(EventIn)
    @blp.response(201, EventCreated)
    @blp.alt_response(409, description="the rules forbid this event now")
    def post(self, body, uscc):
        """Append a grade event (never edits history)"""
        seq, state = registry.append_event(session=get_session(), caller=current_caller(), uscc=_uscc(uscc), body=body, today=today())
        return {"seq": seq, "state": state_dict(state)}
