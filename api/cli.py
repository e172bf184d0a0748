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


def _today():
    from .schemas import today_in_shanghai
    return today_in_shanghai()


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_cmd(path):
    """Import enterprises and grades from a CSV or XLSX file (all or nothing)."""
    from pathlib import Path

    from sqlmodel import Session

    from incentives.errors import DomainError
    from incentives.services import imports
    from incentives.tabular import FileProblem
    app = _app()
    bars: dict = {}

    def progress(stage, done, total):
        if stage not in bars:
            bars[stage] = click.progressbar(length=max(total, 1), label=stage)
            bars[stage].__enter__()
        bars[stage].update(done - bars[stage].pos)
    with Session(app.extensions["gis_engine"]) as session:
        try:
            result = imports.import_enterprises(session=session, data=Path(path).read_bytes(), filename=path,
                                                content_type=None, today=_today(), max_rows=app.config["IMPORT_MAX_ROWS"],
                                                progress=progress)
        except (DomainError, FileProblem) as exc:
            for bar in bars.values():
                bar.__exit__(None, None, None)
            click.echo(f"refused: {exc.detail}", err=True)
            for e in exc.errors[:50]:
                click.echo(f"  row {e.get('row')}, {e.get('column')}: {e.get('message')}", err=True)
            sys.exit(1)
    for bar in bars.values():
        bar.__exit__(None, None, None)
    click.echo(result["detail"])


@main.command("load-sample")
@click.option("--folder", default="sample_data", type=click.Path(file_okay=False))
def load_sample_cmd(folder):
    """Load sample_data/ once (a repeated load changes nothing)."""
    from pathlib import Path

    from sqlmodel import Session

    from incentives.services import sample
    app = _app()
    if not (Path(folder) / "enterprises.csv").exists():
        click.echo(f"no sample register in {folder}; nothing loaded")
        return
    with Session(app.extensions["gis_engine"]) as session:
        result = sample.load(session=session, folder=Path(folder), today=_today())
    click.echo(f"sample data: {result['detail']}; {result['sample_events_appended']} history events appended")


if __name__ == "__main__":
    main()
