"""Job functions the worker runs (RQ imports them by name): each opens its own session via jobs.job_session."""
from __future__ import annotations

from incentives.services import tax_batches

from . import jobs


def run_tax_batch(batch_id: str) -> str:
    """Assess a stored tax batch (queue `batches`); returns its final status."""
    from .schemas import today_in_shanghai
    with jobs.job_session() as session:
        return tax_batches.run(session=session, batch_id=batch_id, today=today_in_shanghai()).status


def enqueue_tax_batch(batch_id: str):
    """Put a stored batch on the `batches` queue (job id = batch id, so a repeat does not run it twice)."""
    return jobs.enqueue("batches", run_tax_batch, batch_id, job_id=f"tax-batch-{batch_id}")
