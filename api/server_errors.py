"""Errors gunicorn answers itself (before the app sees a request) as problem+json, not HTML.

gunicorn refuses an over-long request line (414), too many or too large header fields (431) and
malformed requests (400) on its own, with `gunicorn.util.write_error`: `gunicorn.conf.py` replaces
that one function with `write_problem`, so every error response keeps the contract's shape.
"""
from __future__ import annotations

import json

from gunicorn import util

REASONS = {400: "Bad Request", 403: "Forbidden", 414: "URI Too Long", 417: "Expectation Failed",
           431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented"}
FIELDS = {414: "url", 431: "headers"}


def problem_bytes(status: int, reason: str, detail: str) -> bytes:
    """The whole HTTP/1.1 response of one problem (connection closed after it)."""
    title = REASONS.get(status, reason)
    errors = [{"field": FIELDS[status], "message": detail[:200]}] if status in FIELDS else []
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": detail[:500] or title, "errors": errors}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {title}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    return head.encode("latin-1") + body


def write_problem(sock, status_int, reason, mesg):
    """gunicorn.util.write_error, writing problem+json."""
    util.write_nonblock(sock, problem_bytes(int(status_int), reason, str(mesg)))


def install() -> None:
    """Make gunicorn answer its own errors with write_problem."""
    util.write_error = write_problem
