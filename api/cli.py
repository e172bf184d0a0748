"""The `gis` command: migrations, keys, imports, assessments, sample data."""
from __future__ import annotations

import os
import sys

import click


def _app():
    from . import create_app
    # Commands serve no session cookies: the development secret is acceptable here outside production.
    if os.environ.get("GIS_ENV") != "production":
        os.environ.setdefault("GIS_ALLOW_DEV_SECRET", "true")
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


@main.command("worker")
@click.option("--queue", "queues", multiple=True, help="queues to serve (repeatable); default: batches, webhooks")
@click.option("--burst", is_flag=True, help="work until the queues are empty, then stop")
def worker_cmd(queues, burst):
    """Run the background worker (RQ) on the job queues; needs GIS_REDIS_URL."""
    from . import jobs
    app = _app()
    try:
        if "webhooks" in (tuple(queues) or jobs.QUEUES):
            from . import webhook_jobs
            webhook_jobs.pump(app)   # deliveries a stopped or killed worker left pending go out again
        ok = jobs.run_worker(app, queues=tuple(queues) or jobs.QUEUES, burst=burst)
    except (jobs.QueueUnavailable, ValueError) as exc:
        click.echo(f"worker: {getattr(exc, 'detail', exc)}", err=True)
        sys.exit(2)
    finally:
        app.extensions["gis_engine"].dispose()
    sys.exit(0 if ok or burst else 1)


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


@main.command("assess")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--division", required=True, help="GB/T 2260 code of the outlets' location (decides the rate)")
@click.option("--uscc", default=None)
@click.option("--format", "fmt", type=click.Choice(["table", "hj212"]), default=None,
              help="table (CSV/XLSX) or hj212 packets; guessed from the file when omitted")
@click.option("--outlets", default=None, help='JSON: {"DA001": {"standards": {"so2": 200}}}')
@click.option("--rates", default=None, help='JSON: {"so2": 1.2} (yuan per 污染当量; overrides the province)')
@click.option("--parameters", default=None, help='JSON: {"boundary": "inclusive"}')
@click.option("--strict/--no-strict", default=True, help="hj212: refuse the file if any packet is rejected")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False), help="write the filing-form CSV here")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def assess_cmd(path, division, uscc, fmt, outlets, rates, parameters, strict, out, lang):
    """Assess the environmental-tax reduction of a monitoring file offline; print a table, write CSV."""
    import json
    from pathlib import Path

    from sqlmodel import Session

    from incentives.access import Caller
    from incentives.errors import DomainError
    from incentives.services import tax
    from incentives.tabular import FileProblem
    app = _app()
    data = Path(path).read_bytes()
    if fmt is None and Path(path).suffix.lower() in (".txt", ".log", ".hj212"):
        fmt = "hj212"
    try:
        loads = lambda text: json.loads(text) if text else None
        with Session(app.extensions["gis_engine"]) as session:
            answer = tax.assess_upload(session=session, caller=Caller(role="admin"), data=data, filename=path,
                                       content_type=None, division=division, uscc=uscc, rates=loads(rates),
                                       parameters=loads(parameters), outlets=loads(outlets), fmt=fmt,
                                       strict=strict, today=_today(), store=False)
    except (DomainError, FileProblem, ValueError) as exc:
        click.echo(f"refused: {getattr(exc, 'detail', exc)}", err=True)
        for e in getattr(exc, "errors", [])[:50]:
            where = f"row {e['row']}, {e.get('column')}" if "row" in e else e.get("field")
            click.echo(f"  {where}: {e.get('message')}", err=True)
        sys.exit(1)
    csv_text = tax.filing_csv(answer, lang)
    for line in csv_text.removeprefix("\ufeff").splitlines():
        click.echo("  ".join(f"{cell:>10}" for cell in line.split(",")))
    for q in answer["totals"]["quarters"]:
        click.echo(f"{q['quarter']}: tax due {q['tax_due']:.2f} (before reduction {q['tax_before_reduction']:.2f}), "
                   f"file by {q['filing_deadline']}")
    if out:
        Path(out).write_text(csv_text, encoding="utf-8")   # the text carries its BOM
        click.echo(f"written {out}")


@main.command("assess-batch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="folder for summary.csv and <uscc>.csv")
@click.option("--division", default=None, help="GB/T 2260 code of the outlets (else each registered enterprise's)")
@click.option("--memory-limit", default="2GB", show_default=True, help="DuckDB's memory limit; it spills to disk beyond")
@click.option("--threads", default=None, type=int, help="DuckDB threads (default: all cores)")
@click.option("--outlets", default=None, help='JSON: {"DA001": {"standards": {"so2": 200}}}')
@click.option("--rates", default=None, help='JSON: {"so2": 1.2} (yuan per 污染当量; overrides the province)')
@click.option("--parameters", default=None, help='JSON: {"boundary": "inclusive"}')
@click.option("--strict/--no-strict", default=True, help="hj212: refuse a file if any packet is rejected")
def assess_batch_cmd(paths, out, division, memory_limit, threads, outlets, rates, parameters, strict):
    """Assess many taxpayers' monitoring files (CSV, XLSX, Parquet, HJ 212; one taxpayer per file, named by its
    USCC, or a uscc column); write summary.csv and <uscc>.csv; exit 0 only if every file was assessed."""
    import json
    from pathlib import Path

    from sqlmodel import Session

    from incentives.access import Caller
    from incentives.services import tax
    from incentives.tabular import duckdb_settings
    app = _app()
    files = sorted({f for p in map(Path, paths) for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()})
    target = Path(out)
    (target / ".spill").mkdir(parents=True, exist_ok=True)
    loads = lambda text: json.loads(text) if text else None
    summary, failed = [], 0
    with Session(app.extensions["gis_engine"]) as session, \
            duckdb_settings(memory_limit=memory_limit, threads=threads, temp_directory=str(target / ".spill")), \
            click.progressbar(files, label="assessing", item_show_func=lambda f: f.name if f else "") as bar:
        for path in bar:
            for result in tax.assess_batch_file(session=session, caller=Caller(role="admin"), path=str(path),
                                                filename=path.name, division=division, rates=loads(rates),
                                                parameters=loads(parameters), outlets=loads(outlets),
                                                today=_today(), strict=strict, store=False):
                summary.append(tax.batch_summary_row(result))
                if "answer" in result:
                    (target / f"{result['uscc']}.csv").write_text(tax.filing_csv(result["answer"]), encoding="utf-8")
                else:
                    failed += 1
    (target / "summary.csv").write_text(tax.batch_summary_csv(summary), encoding="utf-8")  # text has its BOM
    app.extensions["gis_engine"].dispose()
    click.echo(f"{len(summary) - failed} taxpayer(s) assessed, {failed} refused; written {target / 'summary.csv'}")
    sys.exit(1 if failed or not summary else 0)


@main.group()
def webhooks():
    """Webhook deliveries."""


@webhooks.command("pump")
def webhooks_pump_cmd():
    """Queue the deliveries of every webhook with pending events (e.g. from cron, if Redis was away)."""
    from . import jobs, webhook_jobs
    app = _app()
    try:
        click.echo(f"{webhook_jobs.pump(app)} webhooks with pending events queued")
    except jobs.QueueUnavailable as exc:
        click.echo(f"webhooks: {exc.detail}", err=True)
        sys.exit(2)
    finally:
        app.extensions["gis_engine"].dispose()


if __name__ == "__main__":
    main()
