"""Rate limits: per key, per IP for public callers; memory by default, Redis when GIS_REDIS_URL is set.

With `memory://` each gunicorn worker counts alone (the real limit is workers × the configured one):
production sets GIS_REDIS_URL.
"""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _key() -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and len(header) > 7:
        from incentives.services.keys import hash_key
        return "key:" + hash_key(header[7:])[:16]
    return "ip:" + (get_remote_address() or "-")


def _limit_for_caller() -> str:
    from flask import current_app
    header = request.headers.get("Authorization", "")
    return current_app.config["RATELIMIT_DEFAULT"] if header.startswith("Bearer ") \
        else current_app.config["RATELIMIT_PUBLIC"]


def init_app(app: Flask) -> Limiter:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    limiter = Limiter(key_func=_key, app=app, default_limits=[_limit_for_caller],
                      headers_enabled=app.config["RATELIMIT_HEADERS_ENABLED"])
    return limiter
