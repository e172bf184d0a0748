"""Job functions the worker runs (RQ imports them by name): each opens its own session via jobs.job_session."""
from __future__ import annotations

from incentives.services import tax_batches

from . import jobs


def _lease(batch_id: str) -> str:
    return f"gis:lease:tax-batch:{batch_id}"


def run_tax_batch(batch_id: str) -> str:
    """Assess a stored tax batch (queue `batches`); returns its final status. The job holds the batch's lease
    (renewed by a heartbeat) from before it marks the batch `running` until it is done or failed."""
    import tempfile
    from pathlib import Path

    from flask import current_app

    from incentives.tabular import duckdb_settings

    from .schemas import today_in_shanghai
    spill = Path(tempfile.gettempdir()) / "gis-batch-spill"   # DuckDB spills there beyond its memory limit
    spill.mkdir(exist_ok=True)
    with jobs.lease(_lease(batch_id), seconds=float(current_app.config["BATCH_LEASE"])), \
            duckdb_settings(memory_limit=current_app.config["BATCH_MEMORY_LIMIT"], temp_directory=str(spill)), \
            jobs.job_session() as session:
        return tax_batches.run(session=session, batch_id=batch_id, today=today_in_shanghai()).status


def tax_batch_alive(batch_id: str) -> bool | None:
    """Whether a worker holds the batch's lease; None when the queue (Redis) cannot tell."""
    return jobs.lease_held(_lease(batch_id))


def enqueue_tax_batch(batch_id: str):
    """Put a stored batch on the `batches` queue (job id = batch id, so a repeat does not run it twice)."""
    return jobs.enqueue("batches", run_tax_batch, batch_id, job_id=f"tax-batch-{batch_id}")
