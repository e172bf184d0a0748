"""Bearer keys and roles: 401 (no or bad key) before 403 (wrong role) before validation (415, 422)."""
from __future__ import annotations

import functools
import re

from flask import current_app, g, request
from flask_httpauth import HTTPTokenAuth

from incentives.access import PUBLIC, ROLES, Caller
from incentives.services import keys

from .database import get_session
from .problems import problem

auth = HTTPTokenAuth(scheme="Bearer")
JSON = ("application/json",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = ("multipart/form-data", "text/csv", "text/plain", XLSX, "application/octet-stream")


# RFC 6750 b64token: what a key can look like. Anything else (non-ASCII bytes, spaces) is malformed: 401.
TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def request_caller() -> Caller | None:
    """The caller the request's key stands for: PUBLIC without a key, None for a malformed, unknown or
    revoked key (401). Looked up once per request (the rate limiter asks first)."""
    if "gis_caller" not in g:
        header = request.headers.get("Authorization")
        if header is None:
            g.gis_caller = PUBLIC
        else:
            scheme, _, token = header.partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not TOKEN.fullmatch(token) or len(token) > 512:
                g.gis_caller = None
            else:
                g.gis_caller = keys.caller_for(session=get_session(), key=token,
                                               bootstrap_key=current_app.config.get("BOOTSTRAP_ADMIN_KEY"))
    return g.gis_caller


@auth.verify_token
def _verify(token: str):
    if not token and "Authorization" not in request.headers:
        return None
    caller = request_caller()
    return caller if caller is not None and caller.role != "public" else None


@auth.get_user_roles
def _roles(caller: Caller):
    # An admin may do what every role may do.
    return list(ROLES) if caller.role == "admin" else [caller.role]


@auth.error_handler
def _auth_error(status: int):
    if status == 401:
        return problem(401, "a valid API key is required: Authorization: Bearer <key> (this one is missing, "
                            "malformed, unknown or revoked)",
                       headers={"WWW-Authenticate": 'Bearer realm="gis"'})
    return problem(403, "this key's role may not use this operation")


def current_caller() -> Caller:
    """The caller of the request (public when no key was sent)."""
    return auth.current_user() or PUBLIC


def _check_content_type(consumes: tuple[str, ...]):
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None
    if request.mimetype == "application/json" and (request.content_length or 0) > current_app.config["MAX_JSON_BYTES"]:
        limit = current_app.config["MAX_JSON_BYTES"]
        return problem(413, f"a JSON body may hold at most {limit} bytes; send large monitoring data as a file",
                       [{"field": "body", "message": f"at most {limit} bytes"}])
    if request.mimetype not in consumes:
        return problem(415, f"Content-Type {request.mimetype or '(none)'} is not accepted here; "
                            f"send one of: {', '.join(consumes)}",
                       [{"field": "Content-Type", "message": f"expected {' or '.join(consumes)}"}])
    return None


def protect(*roles: str, consumes: tuple[str, ...] = JSON):
    """Require one of `roles` (none = public, a key is optional) and a body of an accepted media type."""
    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            refused = _check_content_type(consumes)
            return refused if refused is not None else view(*args, **kwargs)
        if roles:
            guarded = auth.login_required(role=list(roles), optional=False)(checked)
        else:
            @functools.wraps(checked)
            def guarded(*args, **kwargs):
                if request_caller() is None:   # a key was sent, but it is malformed, unknown or revoked
                    return _auth_error(401)
                return auth.login_required(optional=True)(checked)(*args, **kwargs)
        guarded._gis_roles = roles  # read by the auth-matrix test and the OpenAPI security note
        return guarded
    return decorate
