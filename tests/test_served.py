"""The served shape: gunicorn started through the same entry point `make run` uses, on a free port."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, tmp_path: Path, *, app: str | None = None, log: Path | None = None,
                   **env) -> tuple[subprocess.Popen, str]:
    """Start gunicorn with gunicorn.conf.py on a free loopback port; return the process and base URL.
    `app` serves another WSGI module than the config's `api.wsgi:app`; `log` keeps the logs (stdout)."""
    port = free_port()
    metrics = tmp_path / "metrics"
    metrics.mkdir(exist_ok=True)
    environ = {**os.environ, "GIS_BIND": f"127.0.0.1:{port}", "GIS_DATABASE_URL": database_url,
               "GIS_SECRET_KEY": "served-test", "GIS_WORKERS": "2", "GIS_THREADS": "2",
               "PROMETHEUS_MULTIPROC_DIR": str(metrics), "GIS_RATELIMIT_ENABLED": "false",
               "GIS_LOG_LEVEL": "WARNING", **env}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", *([app] if app else [])], cwd=ROOT,
                            env=environ, stdout=out, stderr=subprocess.PIPE)
    if log:
        out.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode())
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not answer in 30 s")


def test_gunicorn_serves_health_and_metrics(served):
    with urllib.request.urlopen(served + "/api/v1/health", timeout=5) as r:
        assert r.status == 200
        assert json.load(r)["database"] == "ok"
    with urllib.request.urlopen(served + "/metrics", timeout=5) as r:
        assert "flask_http_request" in r.read().decode()
