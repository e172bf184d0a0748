"""Security headers on every response (contract 1.1 "Hardening"): CSP, nosniff, no framing.

Pages load scripts and styles only from the service (`api/static`); JSON data for charts travels in
`<script type="application/json">` islands, which CSP does not execute. The one exception is the
Swagger UI docs page, whose bundled template starts the UI from an inline script: there, and only
there, that script is allowed by its SHA-256 hash (computed from the page served) and inline styles
are allowed for the UI's widgets.
"""
from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, current_app, request

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_csp(html: bytes) -> str:
    """The docs page's policy: the base one, plus its own inline scripts by hash and inline styles."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in INLINE_SCRIPT.findall(html))
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip()) \
              .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def _docs_path() -> str:
    cfg = current_app.config
    return f"{cfg['OPENAPI_URL_PREFIX'].rstrip('/')}/{cfg['OPENAPI_SWAGGER_UI_PATH'].strip('/')}"


def secure(response: Response) -> Response:
    """Add the security headers (the docs page gets its relaxed policy)."""
    headers = response.headers
    if request.path == _docs_path() and response.mimetype == "text/html" and not response.direct_passthrough:
        headers["Content-Security-Policy"] = docs_csp(response.get_data())
    else:
        headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Send the security headers on every response."""
    app.after_request(secure)
