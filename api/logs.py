"""JSON logs on stdout with a request id taken from X-Request-ID (or made) and echoed back."""
from __future__ import annotations

import logging
import logging.config
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return getattr(g, "request_id", None) if has_request_context() else None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def logging_config(level: str = "INFO") -> dict:
    """The one dictConfig, shared with gunicorn."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                "json_ensure_ascii": False}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                                "formatter": "json", "filters": ["request_id"]}},
        "root": {"level": level, "handlers": ["stdout"]},
        "loggers": {"gunicorn.error": {"level": level, "handlers": ["stdout"], "propagate": False},
                    "gunicorn.access": {"level": level, "handlers": ["stdout"], "propagate": False}},
    }


def init_app(app: Flask) -> None:
    """Configure logging and stamp each request with its id."""
    if not app.testing:
        logging.config.dictConfig(logging_config(app.config["LOG_LEVEL"]))

    @app.before_request
    def _take_request_id():
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        rid = current_request_id()
        if rid:
            response.headers["X-Request-ID"] = rid
        if "started" in g:   # server time, for clients and benchmarks (RFC: Server-Timing)
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.1f}"
        return response
