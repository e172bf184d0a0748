"""Configuration: safe defaults, overridden by GIS_* environment variables, then by a test config."""
from __future__ import annotations

from typing import ClassVar

DEV_SECRET = "dev-only-not-secret"


class Config:
    SECRET_KEY = DEV_SECRET
    DATABASE_URL = "sqlite:///var/gis.sqlite"
    REDIS_URL = None                                # GIS_REDIS_URL: rate limits and the job queue (RQ)
    JOB_TIMEOUT = 4 * 3600                          # seconds a queued job may run (a province's batch is long)
    BOOTSTRAP_ADMIN_KEY = None
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024          # uploads (a year of CEMS data is large)
    MAX_JSON_BYTES = 16 * 1024 * 1024
    IMPORT_MAX_ROWS = 100_000
    LOOKUP_MAX_USCCS = 1000
    REQUEST_TIME_LIMIT = 60                          # seconds; a request still working then is stopped (503)
    REQUEST_TIME_GRACE = 10                          # seconds more: then its gunicorn worker answers and exits
    RETRY_AFTER_SECONDS = 5                          # Retry-After of a 503 when the database is briefly gone
    RATELIMIT_ENABLED = True
    RATELIMIT_DEFAULT = "600 per minute"
    RATELIMIT_PUBLIC = "120 per minute"
    RATELIMIT_HEADERS_ENABLED = True
    LOG_LEVEL = "INFO"
    TIMEZONE = "Asia/Shanghai"
    TESTING = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Strict"

    API_TITLE = "绩效分级激励服务 Grade-incentive service"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs-assets/"
    API_SPEC_OPTIONS: ClassVar[dict] = {
        "info": {"description": "Turns air-pollution performance grades (重点行业绩效分级) into the incentives each "
                                "enterprise is entitled to, with the law behind each one.\n\n"
                                "Banks: [对接指南 (zh)](/api/v1/docs/integrators) · "
                                "[integrators' guide (en)](/api/v1/docs/integrators?lang=en): the snapshot, "
                                "resuming from the change feed, verifying webhook signatures."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }

    # Webhooks (banks): the key sealing their secrets (default: derived from SECRET_KEY), hosts allowed over
    # http or at private addresses (comma-separated), and deliveries: exponential backoff with jitter from
    # BASE seconds doubling up to CAP, for RETRY_WINDOW seconds, then the subscription is `failing`.
    WEBHOOK_KEY = None
    WEBHOOK_ALLOW_HOSTS = ""
    WEBHOOK_BACKOFF_BASE = 10
    WEBHOOK_BACKOFF_CAP = 3600
    WEBHOOK_RETRY_WINDOW = 24 * 3600
    WEBHOOK_TIMEOUT = 10
    WEBHOOK_LEASE = 60
    BATCH_MEMORY_LIMIT = "2GB"   # DuckDB's memory limit for a tax batch's aggregation in the worker (as --memory-limit)
    BATCH_LEASE = 60          # seconds a tax batch's worker may go without a heartbeat (every third of it) before
    #                           the batch is reported failed (its worker died)
