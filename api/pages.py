"""Server-rendered pages (registered by init_app)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages blueprint."""
