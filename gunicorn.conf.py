"""gunicorn settings from the environment (GIS_BIND, GIS_WORKERS, GIS_THREADS)."""
import os

from api import deadline, server_errors
from api.logs import logging_config

server_errors.install()   # gunicorn's own 400/414/431 as problem+json

bind = os.environ.get("GIS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GIS_WORKERS", "2"))
threads = int(os.environ.get("GIS_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GIS_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = "-"
# Requests refused before the app sees them (answered as problem+json by api.server_errors).
limit_request_line = int(os.environ.get("GIS_LIMIT_REQUEST_LINE", "8190"))       # bytes: longer is 414
limit_request_fields = int(os.environ.get("GIS_LIMIT_REQUEST_FIELDS", "100"))     # more headers: 431
limit_request_field_size = int(os.environ.get("GIS_LIMIT_REQUEST_FIELD_SIZE", "8190"))  # one header: 431
logconfig_dict = logging_config(os.environ.get("GIS_LOG_LEVEL", "INFO"))
wsgi_app = "api.wsgi:app"


def child_exit(server, worker):
    """Tell Prometheus a worker is gone (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics
        GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)


def post_worker_init(worker):
    """A request still running GIS_REQUEST_TIME_GRACE seconds after its budget (stuck in a C call that the
    interruption cannot enter) is answered 503 and its worker replaced (api.deadline)."""
    deadline.replace_worker_when_stuck(worker)
