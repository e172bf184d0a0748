"""One database session per request, on `g`, closed at teardown."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlmodel import Session

from incentives.db import make_engine


def init_app(app: Flask) -> None:
    app.extensions["gis_engine"] = make_engine(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


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
