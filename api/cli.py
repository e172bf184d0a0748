"""The `gis` command: migrations, keys, imports, assessments, sample data."""
from __future__ import annotations

import os
import sys

import click


def _app():
    from . import create_app
    os.environ.setdefault("GIS_ALLOW_DEV_SECRET", "true") if os.environ.get("GIS_ENV") != "production" else None
    return create_app()


def _url() -> str:
    from .config import Config
    return os.environ.get("GIS_DATABASE_URL", Config.DATABASE_URL)


@click.group()
def main():
    """绩效分级激励服务 command line."""


@main.command("migrate")
def migrate_cmd():
    """Run the database migrations (alembic upgrade head)."""
    from incentives import migrate
    migrate.upgrade(_url())
    click.echo("database migrated")


@main.group()
def keys():
    """API keys."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(["enterprise", "bank", "tax_bureau", "regulator", "admin"]))
@click.option("--label", default="")
@click.option("--uscc", default=None, help="for an enterprise key")
@click.option("--division", "divisions", multiple=True, help="for regulator / tax_bureau keys (repeatable)")
def keys_create(role, label, uscc, divisions):
    """Create a key; it is printed once and stored only as a hash."""
    from sqlmodel import Session

    from incentives.errors import DomainError
    from incentives.services import keys as key_service
    app = _app()
    with Session(app.extensions["gis_engine"]) as session:
        try:
            row, key = key_service.create(session=session, role=role, label=label, uscc=uscc,
                                          divisions=list(divisions))
        except DomainError as exc:
            for e in exc.errors:
                click.echo(f"{e.get('field')}: {e.get('message')}", err=True)
            sys.exit(2)
    click.echo(f"id:  {row.id}\nkey: {key}")


if __name__ == "__main__":
    main()
