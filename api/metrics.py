"""Prometheus metrics at /metrics, grouped by URL rule (not one series per USCC); multiprocess under gunicorn."""
from __future__ import annotations

import os

from flask import Flask


def init_app(app: Flask) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics
        GunicornInternalPrometheusMetrics(app, group_by="url_rule", path="/metrics")
    else:
        from prometheus_client import CollectorRegistry
        from prometheus_flask_exporter import PrometheusMetrics
        PrometheusMetrics(app, group_by="url_rule", path="/metrics", registry=CollectorRegistry())
