"""One database session per request, on `g`, closed at teardown."""
from __future__ import annotations

import logging

from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from incentives.db import make_engine

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.extensions["gis_engine"] = make_engine(app.config["DATABASE_URL"],
                                               statement_timeout_s=app.config.get("REQUEST_TIME_LIMIT"))

    @app.teardown_appcontext
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except SQLAlchemyError:
                # the connection died under the request (database restarted, connection dropped): the answer
                # is already made; drop the connection instead of failing the request at teardown
                log.warning("database connection lost at the end of a request; discarded")
                session.invalidate()


def get_engine():
    """The app's engine."""
    return current_app.extensions["gis_engine"]


def get_session() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def own_session() -> Session:
    """A session for a streamed answer: the request's own closes at teardown, before the body is sent."""
    return Session(get_engine(), expire_on_commit=False)


def closing_after(body, session: Session):
    """Yield `body`, then close `session` (also when the client goes away mid-stream)."""
    try:
        yield from body
    finally:
        session.close()
