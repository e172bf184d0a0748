"""The Flask application: create_app(test_config=None)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import flask_swagger_ui
from flask import Flask, send_from_directory
from flask.json.provider import DefaultJSONProvider

from incentives.reference import reference

from . import database, deadline, headers, limits, logs, metrics, problems
from .config import DEV_SECRET, Config
from .openapi import Api

SWAGGER_DIST = Path(flask_swagger_ui.__file__).with_name("dist")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then GIS_* environment variables, then `test_config`."""
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.from_prefixed_env("GIS")
    if test_config:
        app.config.update(test_config)
    if app.config["SECRET_KEY"] == DEV_SECRET and not (app.testing or app.debug or app.config.get("ALLOW_DEV_SECRET")):
        raise RuntimeError("set GIS_SECRET_KEY: the default secret is for development and tests only")
    app.json = ExactJSONProvider(app)

    reference()  # refuse to start on malformed reference data
    import policies  # importing validates the catalogue: a malformed one refuses to start
    app.extensions["gis_policies"] = getattr(policies, "ALL", ())

    logs.init_app(app)
    database.init_app(app)
    problems.register(app)
    headers.init_app(app)
    deadline.init_app(app)
    app.extensions["gis_limiter"] = limits.init_app(app)
    if not app.testing:
        metrics.init_app(app)

    from . import jobs
    jobs.init_app(app)   # the job queue (RQ on Redis): connected on first use
    from . import webhook_jobs
    webhook_jobs.init_app(app)   # webhook workers woken after commits that wrote feed events

    api = Api(app)
    from .views import register_all
    register_all(api)

    @app.get("/api/v1/docs-assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(SWAGGER_DIST, filename)

    @app.get("/api/v1/docs/integrators")
    def integrators():
        """The integrators' guide (snapshot, feed, webhooks), zh by default, en with ?lang=en."""
        from .i18n import lang
        return send_from_directory(Path(__file__).with_name("docs"), f"integrators.{lang()}.md",
                                   mimetype="text/markdown; charset=utf-8")

    from . import pages
    pages.init_app(app)
    _bootstrap_admin(app)
    return app


class ExactJSONProvider(DefaultJSONProvider):
    """JSON with Chinese as is and Decimals as numbers written from their exact decimal text."""
    ensure_ascii = False
    sort_keys = False

    def loads(self, s, **kwargs):
        """Request bodies are read strictly (api.bodies): bounded numbers, no NUL or lone surrogate."""
        from .bodies import loads
        return loads(s)

    @staticmethod
    def default(o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        if isinstance(o, (date, datetime)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def _bootstrap_admin(app: Flask) -> None:
    key = app.config.get("BOOTSTRAP_ADMIN_KEY")
    if not key:
        return
    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlmodel import Session

    from incentives.services.keys import ensure_bootstrap
    try:
        with Session(app.extensions["gis_engine"]) as session:
            ensure_bootstrap(session=session, key=key)
    except (OperationalError, ProgrammingError):
        app.logger.warning("bootstrap admin key not stored: the database is not migrated yet")
