"""Domain errors: each names what happened and carries the HTTP status the edge answers with."""
from __future__ import annotations


class DomainError(Exception):
    """Base of errors the service reports to callers; `errors` lists field or row details."""
    status = 422
    title = "Unprocessable Content"

    def __init__(self, detail: str, errors: list[dict] | None = None, *, headers: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


class BadRequest(DomainError):
    status, title = 400, "Bad Request"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class NotFound(DomainError):
    status, title = 404, "Not Found"


class Conflict(DomainError):
    status, title = 409, "Conflict"


class StaleVersion(Conflict):
    """An If-Match version that is no longer current."""


class TooLarge(DomainError):
    status, title = 413, "Content Too Large"


class Invalid(DomainError):
    status, title = 422, "Unprocessable Content"


class PreconditionRequired(DomainError):
    status, title = 428, "Precondition Required"
