"""Tax batches: a tax bureau's many monitoring files, assessed by the worker one taxpayer at a time.

A batch is stored (its files too) before it is queued, so it survives a restart of the web process;
the worker (`run`) assesses each file with `tax.assess_batch_file`, the very assessment `POST
/tax/assessments` makes, and records progress after each file.

While it runs, the worker holds a lease on the batch that a heartbeat renews (api/tasks.py: a Redis key
with an expiry). A worker that dies (killed, out of memory, its machine restarted) stops renewing it, and
the next read of the batch (`get`, told by `alive` whether the lease is held) records it failed with the
reason: a batch is never `running` forever.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
import zipfile
from collections.abc import Callable

from sqlmodel import Session, select

from incentives.access import Caller
from incentives.db import TaxBatch, TaxBatchFile, utcnow
from incentives.errors import Forbidden, Invalid, NotFound, TooLarge

from . import tax

MAX_FILES = 2000
logger = logging.getLogger(__name__)


def _files(uploads: list[tuple[str, bytes]], max_bytes: int) -> list[tuple[str, bytes]]:
    """The files of a batch: the uploads, or the members of one ZIP (bounded: count and unpacked size)."""
    if len(uploads) == 1 and uploads[0][1][:4] == b"PK\x03\x04" and not uploads[0][0].lower().endswith(".xlsx"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(uploads[0][1]))
        except zipfile.BadZipFile:
            raise Invalid("not a readable ZIP archive", [{"field": "file", "message": "bad ZIP"}]) from None
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) > MAX_FILES:
            raise TooLarge(f"the archive holds {len(members)} files; at most {MAX_FILES}",
                           [{"field": "file", "message": "too many files"}])
        if sum(m.file_size for m in members) > max_bytes:
            raise TooLarge(f"the archive unpacks to more than {max_bytes} bytes",
                           [{"field": "file", "message": "unpacked size over the limit"}])
        uploads = [(m.filename, archive.read(m)) for m in members]
    if not uploads:
        raise Invalid("send the monitoring files as `file` fields (or one ZIP)", [{"field": "file", "message": "missing"}])
    if len(uploads) > MAX_FILES:
        raise TooLarge(f"{len(uploads)} files; at most {MAX_FILES}", [{"field": "file", "message": "too many files"}])
    return uploads


def create(*, session: Session, caller: Caller, uploads: list[tuple[str, bytes]], options: dict,
           max_bytes: int, enqueue: Callable[[str], object]) -> dict:
    """Store a batch and its files (one transaction), status `queued`, then put it on the queue with
    `enqueue(batch_id)`; if the queue refuses, the batch is marked failed and the error goes up (503)."""
    if caller.role not in ("tax_bureau", "admin"):
        raise Forbidden("batches are for tax bureaus")
    if options.get("division") and caller.role == "tax_bureau" and not caller.covers(options["division"]):
        raise Forbidden(f"division {options['division']} is outside this tax bureau's divisions")
    files = _files(uploads, max_bytes)
    batch = TaxBatch(id=uuid.uuid4().hex[:16], caller={"role": caller.role, "key_id": caller.key_id,
                                                       "divisions": list(caller.divisions)},
                     options=options, files_total=len(files))
    session.add(batch)
    session.flush()
    for position, (name, data) in enumerate(files):
        session.add(TaxBatchFile(batch_id=batch.id, position=position, filename=name[:300], data=data))
    session.commit()
    try:
        enqueue(batch.id)
    except Exception as exc:
        mark_failed(session=session, batch_id=batch.id, error=getattr(exc, "detail", str(exc)))
        raise
    return {"id": batch.id, "status": batch.status,
            "progress": {"files_done": 0, "files_total": batch.files_total}}


def run(*, session: Session, batch_id: str, today: dt.date,
        progress: Callable[[int, int], None] | None = None) -> TaxBatch:
    """Assess every file of a stored batch not yet done (the worker's job); progress after each file."""
    batch = session.get(TaxBatch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    caller = Caller(role=batch.caller["role"], key_id=batch.caller.get("key_id"),
                    divisions=tuple(batch.caller.get("divisions") or ()))
    batch.status = "running"
    session.commit()
    opts = batch.options
    try:
        pending = session.exec(select(TaxBatchFile).where(TaxBatchFile.batch_id == batch_id,
                                                          TaxBatchFile.data.is_not(None))
                               .order_by(TaxBatchFile.position)).all()
        for item in pending:
            results = tax.assess_batch_file(
                session=session, caller=caller, data=item.data, filename=item.filename,
                division=opts.get("division"), rates=opts.get("rates"), parameters=opts.get("parameters"),
                outlets=opts.get("outlets"), today=today, strict=opts.get("strict", True), store=True)
            item.results = [{"uscc": r["uscc"], "file": r["file"], "assessment_id": r["answer"]["id"]}
                            if "answer" in r else {"uscc": r["uscc"], "file": r["file"], "detail": r["detail"],
                                                   "errors": r["errors"]} for r in results]
            item.data = None  # the file is no longer needed once assessed
            batch.files_done += 1
            session.commit()
            if progress:
                progress(batch.files_done, batch.files_total)
        batch.status, batch.finished_at = "done", utcnow()
    except Exception as exc:
        session.rollback()
        batch.status, batch.error, batch.finished_at = "failed", f"{type(exc).__name__}: {exc}"[:2000], utcnow()
        session.commit()
        raise
    session.commit()
    return batch


def mark_failed(*, session: Session, batch_id: str, error: str) -> None:
    """Record that a batch could not be queued or was lost by the worker."""
    batch = session.get(TaxBatch, batch_id)
    if batch is not None:
        batch.status, batch.error, batch.finished_at = "failed", error[:2000], utcnow()
        session.commit()


LOST_WORKER = ("the worker stopped while assessing this batch (its heartbeat lease ran out): {done} of {total} "
               "files were assessed and their results are kept; send the other files again")


def get(*, session: Session, caller: Caller, batch_id: str, alive: Callable[[str], bool | None] | None = None) -> dict:
    """A batch's status, progress and results (the key that made it, or an admin). `alive(batch_id)` says
    whether a worker holds the batch's lease (None: cannot tell); a `running` batch without one lost its
    worker and is recorded failed."""
    batch = session.get(TaxBatch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    if caller.role != "admin" and caller.key_id != batch.caller.get("key_id"):
        raise Forbidden("not this key's batch")
    if batch.status == "running" and alive is not None and alive(batch_id) is False:
        session.refresh(batch)   # the worker sets `running` only once it holds the lease: re-read, then decide
        if batch.status == "running":
            logger.warning("tax batch lost its worker", extra={"batch_id": batch_id, "files_done": batch.files_done})
            mark_failed(session=session, batch_id=batch_id,
                        error=LOST_WORKER.format(done=batch.files_done, total=batch.files_total))
    files = session.exec(select(TaxBatchFile).where(TaxBatchFile.batch_id == batch_id)
                         .order_by(TaxBatchFile.position)).all()
    return {"id": batch.id, "status": batch.status,
            "progress": {"files_done": batch.files_done, "files_total": batch.files_total},
            "results": [r for f in files for r in f.results], "error": batch.error,
            "created_at": batch.created_at, "finished_at": batch.finished_at}
