"""The served app plus one route that blocks in a single C call, for the time-budget test only.

gunicorn loads this module (`tests.served_blocking:app`) only when a test names it on its command line;
the service's own entry point is `api.wsgi:app`, so the route does not exist in production.
"""
from __future__ import annotations

import os
import time

from flask import request

from api.wsgi import app


@app.get("/api/v1/test-only/block")
def block():
    """Sleep `seconds` in one C call (time.sleep): the watchdog's interruption cannot land before it returns."""
    time.sleep(float(request.args.get("seconds", "0")))
    return {"pid": os.getpid()}
