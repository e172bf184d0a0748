"""Rate limits: per key, per IP for public callers; memory by default, Redis when GIS_REDIS_URL is set.

With `memory://` each gunicorn worker counts alone (the real limit is workers × the configured one):
production sets GIS_REDIS_URL.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _caller():
    from .auth import request_caller
    caller = request_caller()
    return caller if caller is not None and caller.role != "public" else None


def _key() -> str:
    # Only a valid key has a bucket of its own; no key, malformed and unknown keys share the client
    # address's bucket (a random token per request must not buy a fresh limit).
    caller = _caller()
    return f"key:{caller.key_id}" if caller is not None else "ip:" + (get_remote_address() or "-")


def _limit_for_caller() -> str:
    from flask import current_app
    return current_app.config["RATELIMIT_DEFAULT"] if _caller() is not None \
        else current_app.config["RATELIMIT_PUBLIC"]


def init_app(app: Flask) -> Limiter:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    limiter = Limiter(key_func=_key, app=app, default_limits=[_limit_for_caller],
                      headers_enabled=app.config["RATELIMIT_HEADERS_ENABLED"])
    return limiter
