"""Run the alembic migrations programmatically (boot script, CLI and tests use the same path)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An alembic Config for `url` pointing at the packaged migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision`."""
    command.downgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Fail if the models and the migrated schema differ (alembic check)."""
    command.check(alembic_config(url))
