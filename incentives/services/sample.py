"""Load sample_data/ once: the register (an ordinary import) and its event history."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from sqlmodel import Session, select

from incentives import ledger
from incentives.db import Enterprise, GradeEventRow, ImportBatch
from incentives.state import GradeEvent

from . import feed, imports, registry


def load(*, session: Session, folder: Path, today: dt.date, progress=None) -> dict:
    """Import sample_data/enterprises.csv, then append sample_data/events.csv in date order (each once)."""
    enterprises = folder / "enterprises.csv"
    result = imports.import_enterprises(session=session, data=enterprises.read_bytes(), filename=enterprises.name,
                                        content_type="text/csv", today=today, max_rows=1_000_000,
                                        progress=progress)
    events_file = folder / "events.csv"
    appended = 0
    if events_file.exists():
        data = events_file.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if session.exec(select(ImportBatch).where(ImportBatch.content_hash == digest)).first() is None:
            appended = _append_events(session, data, today)
            session.add(ImportBatch(content_hash=digest, filename=events_file.name, events=appended))
            session.commit()
    return {**result, "sample_events_appended": appended}


def _append_events(session: Session, data: bytes, today: dt.date) -> int:
    registry.serialize_event_writes(session)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    rows.sort(key=lambda r: r["effective"])
    touched: dict[str, Enterprise] = {}
    for r in rows:
        ent = touched.get(r["uscc"]) or session.get(Enterprise, r["uscc"])
        if ent is None:
            raise ValueError(f"events.csv names an enterprise not in enterprises.csv: {r['uscc']}")
        touched[r["uscc"]] = ent
        passed = {"true": True, "false": False}.get((r.get("rectification_passed") or "").lower())
        event = GradeEvent(kind=r["kind"], effective=dt.date.fromisoformat(r["effective"]),
                           industry=r.get("industry") or None, branch=r.get("branch") or None,
                           grade=r.get("grade") or None, ref=r.get("ref") or None,
                           violation=r.get("violation") or None, rectification_passed=passed,
                           until=dt.date.fromisoformat(r["until"]) if r.get("until") else None,
                           note=r.get("note") or None)
        before = registry.fold_enterprise(session, ent, event.effective, with_history=False)
        ledger.check_event(before, event, today=today)
        row = GradeEventRow(uscc=ent.uscc, kind=event.kind, industry=event.industry, branch=event.branch,
                            grade=event.grade, effective=event.effective, until=event.until, ref=event.ref,
                            violation=event.violation, rectification_passed=event.rectification_passed,
                            note=event.note)
        session.add(row)
        session.flush()
        feed.record(session, [row])   # the feed's grades and the webhook outbox
    for ent in touched.values():
        registry.refresh_projection(session, ent, today)
    return len(rows)
