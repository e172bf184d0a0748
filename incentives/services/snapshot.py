"""The monthly snapshot for banks: every enterprise of a division at `as_of`, streamed in constant memory.

Enterprises are read through a server-side cursor (`yield_per`) in uscc order, a chunk at a time; each
chunk's registrations and events are read with it and folded by the ledger's bulk path (`fold_many`, the
same rules as a single grade read), all in one read transaction (REPEATABLE READ on PostgreSQL), so the
snapshot is one state of the ledger. Rows go out as they are made: CSV (UTF-8 with BOM), JSON, or XLSX
written by openpyxl in write-only mode to a temporary file that is then sent in pieces. Memory does not
grow with the number of enterprises.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from incentives import cells, ledger
from incentives.access import Caller
from incentives.db import Enterprise
from incentives.errors import Forbidden
from incentives.reference import division_prefix

from .feed import stored_events, stored_registrations
from .registry import drafts_options
from .serialize import state_dict

FORMATS = {"csv": "text/csv", "json": "application/json",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
COLUMNS = ("uscc", "name", "division", "facility_division", "as_of", "overall_grade", "rated_grade", "status",
           "review_due", "industries", "restrictions")
CHUNK = 2000                     # enterprises read, folded and written at a time
XLSX_SHEET_ROWS = 1_000_000      # Excel holds 1 048 576 rows a sheet: a larger snapshot goes on
PIECE = 256 * 1024               # bytes sent at a time


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot ready to stream: its media type, a file name, and the bytes (produced while sent)."""
    media_type: str
    filename: str
    body: Iterator[bytes]


def grade_rows(session: Session, division: str, as_of: dt.date, chunk: int = CHUNK,
               include_drafts: bool = False) -> Iterator[dict]:
    """Grade objects (no history) of every enterprise registered, or with its facility, in the division
    (drafts' grading rules only with `include_drafts`)."""
    options = drafts_options(include_drafts)
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # every chunk reads the same state of the ledger: an event committed while the snapshot streams is
        # in none of it (SQLite: the session's read transaction already is one snapshot)
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    prefix = division_prefix(division)
    inside = or_(Enterprise.division.startswith(prefix), Enterprise.facility_division.startswith(prefix))
    stream = session.exec(select(Enterprise.uscc, Enterprise.name, Enterprise.division, Enterprise.facility_division,
                                 Enterprise.facts).where(inside).order_by(Enterprise.uscc)
                          .execution_options(yield_per=chunk))
    for part in stream.partitions():
        usccs = [e.uscc for e in part]
        regs, events = stored_registrations(session, usccs), stored_events(session, usccs)
        states = ledger.fold_many([ledger.Enterprise(e.uscc, e.name, e.division, e.facility_division,
                                                     tuple(regs[e.uscc]), e.facts) for e in part],
                                  ((u, ev) for u in usccs for ev in events[u]), as_of=as_of, options=options)
        for s in states:
            yield state_dict(s, with_history=False, iso=True)


def stream(*, session: Session, caller: Caller, division: str, as_of: dt.date, fmt: str,
           localize: Callable[[dict], dict], include_drafts: bool = False) -> Snapshot:
    """The snapshot of `division` at `as_of` as CSV, JSON or XLSX; 403 outside the caller's divisions.

    Checks run now; rows are read only while the body is sent. `localize` picks the language of texts.
    """
    unbound_bank = caller.role == "bank" and not caller.divisions   # a bank key without divisions sees all
    if not (unbound_bank or caller.covers(division)):
        raise Forbidden("此密钥不辖该行政区划 this key does not cover the division",
                        [{"field": "division", "message": "outside the divisions of this key"}])
    rows = (localize(r) for r in grade_rows(session, division, as_of, include_drafts=include_drafts))
    body = (_json(rows, division, as_of, include_drafts) if fmt == "json"
            else {"csv": _csv, "xlsx": _xlsx}[fmt](rows, division, as_of))
    return Snapshot(FORMATS[fmt], f"grades-{division}-{as_of.isoformat()}.{fmt}", body)


def flat(row: dict) -> list:
    """One grade object as a CSV/XLSX line (industries and restrictions as readable lists in one cell)."""
    industries = "; ".join(f"{i['industry']}/{i['branch']}{'@' + i['site'] if i.get('site') else ''}="
                           f"{i['grade'] or '-'} (rated {i['rated_grade'] or '-'}, {i['status']}"
                           f"{', review ' + i['review_due'] if i.get('review_due') else ''})" for i in row["industries"])
    restrictions = "; ".join(f"{x['kind']} ({x['ref']}) until {x['until'] or '-'}" for x in row["restrictions"])
    return [row["uscc"], row["name"], row["division"], row["facility_division"], row["as_of"],
            row["overall_grade"] or "", row["rated_grade"] or "", row["status"], row.get("review_due") or "",
            industries, restrictions]


def _csv(rows: Iterator[dict], division: str, as_of: dt.date) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(cells.BOM)
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows, 1):
        writer.writerow([cells.neutralise(v) for v in flat(row)])
        if n % CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json(rows: Iterator[dict], division: str, as_of: dt.date, include_drafts: bool) -> Iterator[bytes]:
    yield (f'{{"division":"{division}","as_of":"{as_of.isoformat()}",'
           f'"include_drafts":{json.dumps(include_drafts)},"enterprises":[').encode()
    pieces: list[str] = []
    for n, row in enumerate(rows):
        pieces.append(("," if n else "") + json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        if len(pieces) == CHUNK:
            yield "".join(pieces).encode()
            pieces.clear()
    yield ("".join(pieces) + "]}").encode()


def _xlsx(rows: Iterator[dict], division: str, as_of: dt.date) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet, count = None, XLSX_SHEET_ROWS
    for row in rows:
        if count == XLSX_SHEET_ROWS:
            sheet = book.create_sheet(title=f"{division} {as_of.isoformat()}"[:31] + (
                f" ({len(book.worksheets) + 1})" if book.worksheets else ""))
            sheet.append(list(COLUMNS))
            count = 0
        sheet.append([_text_cell(sheet, v, WriteOnlyCell) for v in flat(row)])
        count += 1
    if sheet is None:
        book.create_sheet(title=f"{division} {as_of.isoformat()}").append(list(COLUMNS))
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        while piece := out.read(PIECE):
            yield piece


def _text_cell(sheet, value, cell_class):
    """Every snapshot cell is text, stored as text: never a formula (a risky one keeps Excel's quote prefix)."""
    cell = cell_class(sheet, value=value)
    cell.data_type = "s"
    if cells.is_risky(value):
        cell.quotePrefix = True
    return cell
