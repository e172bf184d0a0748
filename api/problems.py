"""One error shape: RFC 9457 application/problem+json with field (or row/column) details."""
from __future__ import annotations

import logging
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, current_app, json
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from incentives.errors import DomainError
from incentives.tabular import FileProblem

from .deadline import RequestTimeout, timeout_detail

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}   # RFC 9110 names


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(metadata={"description": "JSON path of the field (JSON bodies and queries)"})
    row = ma.fields.Integer(metadata={"description": "file line (header = 1), for files"})
    column = ma.fields.String(metadata={"description": "file column, for files"})
    message = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""
    type = ma.fields.String(required=True, metadata={"example": "about:blank"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema), required=True)
    request_id = ma.fields.String()


def problem(status: int, detail: str, errors: list[dict] | None = None, *, title: str | None = None,
            headers: dict | None = None):
    """A problem+json response."""
    from .logs import current_request_id
    body = {"type": "about:blank", "title": title or TITLES.get(status) or HTTPStatus(status).phrase, "status": status,
            "detail": detail, "errors": errors or []}
    rid = current_request_id()
    if rid:
        body["request_id"] = rid
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_messages(messages, prefix: str = "") -> list[dict]:
    """webargs/marshmallow nested messages → [{field, message}]; the location (json, query) is dropped."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if prefix == "" and key in ("json", "query", "form", "files", "headers", "view_args", "json_or_form"):
                out += flatten_messages(value, "")
            elif key == "_schema":
                out += flatten_messages(value, prefix)
            else:
                out += flatten_messages(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out += [{"field": prefix or "body", "message": m.rstrip(".") if m == "Unknown field." else m}
                    for m in messages]
        else:
            for m in messages:
                out += flatten_messages(m, prefix)
    else:
        out.append({"field": prefix or "body", "message": str(messages)})
    return out


def _http_exception(error: HTTPException):
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    errors: list[dict] = []
    detail = error.description or HTTPStatus(error.code).phrase
    if "messages" in data:
        errors = flatten_messages(data["messages"])
        if error.code == 422:
            detail = f"{len(errors)} field(s) are invalid"
        elif error.code == 400:
            detail = "the request body is not valid JSON"

    if "errors" in data:
        errors = data["errors"]
    if "message" in data:
        detail = data["message"]
    headers.update(data.get("headers") or {})
    if error.code == 429:
        headers.setdefault("Retry-After", "60")
    return problem(error.code, detail, errors, headers=headers)


def _domain_error(error: DomainError):
    return problem(error.status, error.detail, error.errors, title=error.title, headers=error.headers)


def _unexpected(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if isinstance(original, HTTPException) and not isinstance(original, InternalServerError):
        return _http_exception(original)
    if isinstance(original, DomainError):
        return _domain_error(original)
    if isinstance(original, FileProblem):
        return _file_problem(original)
    if isinstance(original, ma.ValidationError):
        return _validation_error(original)
    if isinstance(original, RequestTimeout):
        limit = current_app.config.get("REQUEST_TIME_LIMIT")
        log.warning("request stopped after its time budget of %s s", limit)
        return problem(503, timeout_detail(float(limit)))
    if isinstance(original, sa_exc.OperationalError) or (isinstance(original, sa_exc.DBAPIError)
                                                         and original.connection_invalidated):
        # the database is briefly gone (restart, failover, dropped connections) or busy: try again soon
        log.warning("database unavailable: %s", type(getattr(original, "orig", original)).__name__)
        return problem(503, "the database is unavailable for a moment; try again shortly",
                       headers={"Retry-After": str(current_app.config.get("RETRY_AFTER_SECONDS", 5))})
    if isinstance(original, sa_exc.DataError):
        return problem(422, "a value does not fit what the service stores (too long, or a character it refuses)",
                       [{"field": "body", "message": "value out of range for storage"}])
    if isinstance(original, RecursionError):
        return problem(400, "the request body is nested too deeply", [{"field": "body", "message": "too deep"}])
    log.exception("unhandled error", exc_info=original)
    return problem(500, "internal error; the request id identifies it in the service's logs")


def _file_problem(error: FileProblem):
    return problem(error.status, error.detail, error.errors)


def _validation_error(error: ma.ValidationError):
    errors = flatten_messages(error.messages)
    return problem(422, f"{len(errors)} field(s) are invalid", errors)


def register(app: Flask) -> None:
    """Route every error the service can raise through the problem+json shape."""
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(FileProblem, _file_problem)
    app.register_error_handler(ma.ValidationError, _validation_error)
    app.register_error_handler(Exception, _unexpected)
