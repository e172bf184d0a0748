"""Migrations run on SQLite and PostgreSQL alike: upgrade → check → downgrade → upgrade (issue 3)."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from incentives import migrate

from .conftest import PG_URL


def _roundtrip(url: str) -> None:
    migrate.upgrade(url)
    migrate.check(url)          # models and migrated schema agree
    migrate.downgrade(url)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
    migrate.upgrade(url)


def test_migrations_roundtrip_on_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'm.sqlite'}")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL is not available")
def test_migrations_roundtrip_on_postgresql():
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = f"gis_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _roundtrip(PG_URL.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
