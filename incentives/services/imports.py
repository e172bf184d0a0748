"""Enterprise imports: CSV or XLSX, zh or en headers, validated whole before anything is written.

All or nothing (one transaction); idempotent: the same file (content hash) changes nothing, and a
different file with the same facts appends nothing (natural keys: uscc, branch, site, grade at date).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import ARRAY, any_, bindparam, delete, func
from sqlmodel import Session, select

from incentives import ledger
from incentives import uscc as uscc_mod
from incentives.access import Caller
from incentives.bulk import bulk_insert
from incentives.db import (
    Enterprise,
    GradeEventRow,
    GradeProjection,
    ImportBatch,
    Registration,
    begin_write,
    is_postgres,
    utcnow,
)
from incentives.errors import Conflict, Invalid
from incentives.grades import UnknownGrade, canonical_grade
from incentives.industries import UnknownIndustry, resolve_branch
from incentives.state import GradeEvent
from incentives.tabular import read_table

from . import feed, registry
from .serialize import state_dict

ALIASES = {
    "统一社会信用代码": "uscc", "企业名称": "name", "行政区划": "division", "行业": "industry", "行业分支": "branch",
    "绩效等级": "grade", "评级日期": "rated_on", "设施所在区划": "facility_division", "排污许可证编号": "site",
    "持有碳排放配额": "holds_carbon_allowance", "2023年度配额": "allowance_2023_t", "保障类别": "guarantee_category",
}
REQUIRED = ("uscc", "name", "industry")
LENGTHS = {"name": 200, "site": 64, "guarantee_category": 100, "industry": 64, "branch": 64}
MAX_LISTED_ERRORS = 1000
ADMIN = Caller(role="admin")
Progress = Callable[[str, int, int], None]


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bool(text: str) -> bool | None:
    if text == "":
        return None
    if text.lower() in ("true", "1", "yes", "是", "y"):
        return True
    if text.lower() in ("false", "0", "no", "否", "n"):
        return False
    raise ValueError("expected true/false (是/否)")


def _validate(table) -> tuple[list[dict], list[dict]]:
    """Rows as clean dicts, and every error with its file row and column."""
    headers = table.attrs.get("headers", {})
    col = lambda name: headers.get(name, name)
    errors: list[dict] = []
    usccs = {}
    for raw in table["uscc"].unique():                  # validate unique values once (gotcha 14)
        try:
            usccs[raw] = uscc_mod.normalize(raw)
        except uscc_mod.InvalidUscc as exc:
            usccs[raw] = exc
    branches: dict = {}
    grades: dict = {}
    dates: dict = {}
    rows: list[dict] = []
    records = table.to_dict("records")
    for rec in records:
        line = int(rec["row"])
        def bad(column, message, line=line):
            errors.append({"row": line, "column": col(column), "message": message})
        code = usccs[rec["uscc"]]
        if isinstance(code, Exception):
            bad("uscc", str(code))
            continue
        if not rec.get("name"):
            bad("name", "企业名称不能为空 name is required")
        for column, most in LENGTHS.items():   # what the registry stores (incentives.db)
            value = rec.get(column) or ""
            if len(value) > most:
                bad(column, f"at most {most} characters, not {len(value)}")
            if "\x00" in value:
                bad(column, "holds a NUL character")
        division = rec.get("division") or code[2:8]
        if not (len(division) == 6 and division.isdigit()):
            bad("division", "a six-digit GB/T 2260 code")
        facility = rec.get("facility_division") or division
        if not (len(facility) == 6 and facility.isdigit()):
            bad("facility_division", "a six-digit GB/T 2260 code")
        key = (rec.get("industry", ""), rec.get("branch", ""))
        if key not in branches:
            try:
                branches[key] = resolve_branch(*key)
            except UnknownIndustry as exc:
                branches[key] = exc
        branch = branches[key]
        if isinstance(branch, UnknownIndustry):
            bad(branch.field, str(branch))
            continue
        grade = None
        if rec.get("grade"):
            gkey = (branch.code, rec["grade"])
            if gkey not in grades:
                try:
                    grades[gkey] = ledger.validate_grade(branch.code, canonical_grade(rec["grade"]))
                except (UnknownGrade, ledger.LedgerError) as exc:
                    grades[gkey] = exc
            grade = grades[gkey]
            if isinstance(grade, Exception):
                bad("grade", str(grade))
                continue
        rated_on = None
        if rec.get("rated_on"):
            if rec["rated_on"] not in dates:
                try:
                    dates[rec["rated_on"]] = dt.date.fromisoformat(rec["rated_on"].replace("/", "-")[:10])
                except ValueError:
                    dates[rec["rated_on"]] = None
            rated_on = dates[rec["rated_on"]]
            if rated_on is None:
                bad("rated_on", f"not a date (YYYY-MM-DD): {rec['rated_on']!r}")
                continue
        elif grade:
            bad("rated_on", "a graded row needs its rating date")
            continue
        facts = {}
        try:
            if rec.get("holds_carbon_allowance", "") != "":
                facts["holds_carbon_allowance"] = _bool(rec["holds_carbon_allowance"])
        except ValueError as exc:
            bad("holds_carbon_allowance", str(exc))
        if rec.get("allowance_2023_t"):
            try:
                value = float(rec["allowance_2023_t"])  # validation only; stored as the text given
                if value < 0:
                    raise ValueError
                facts["allowance_2023_t"] = rec["allowance_2023_t"]
            except ValueError:
                bad("allowance_2023_t", "a non-negative number of tonnes")
        if rec.get("guarantee_category"):
            facts["guarantee_category"] = rec["guarantee_category"]
        rows.append({"row": line, "uscc": code, "name": rec.get("name", ""), "division": division,
                     "facility_division": facility, "branch": branch, "site": rec.get("site") or "",
                     "grade": grade, "rated_on": rated_on, "facts": facts})
    by_uscc: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_uscc[r["uscc"]].append(r)
    for code, group in by_uscc.items():
        first = group[0]
        for r in group[1:]:
            for field in ("name", "division", "facility_division"):
                if r[field] != first[field]:
                    errors.append({"row": r["row"], "column": col(field),
                                   "message": f"disagrees with row {first['row']} for {code}"})
    return rows, errors


def import_enterprises(*, session: Session, data: bytes, filename: str | None, content_type: str | None,
                       today: dt.date, max_rows: int, caller: Caller = ADMIN,
                       progress: Progress | None = None) -> dict:
    """Validate the whole file, then write enterprises, registrations and `rated` events in one transaction.

    Everything slow (reading, validating, folding the stored history of enterprises already registered)
    happens before the write lock is taken; inside it, the plan is re-checked against what other writers
    committed meanwhile (re-planned if anything changed) and written with bulk inserts, so event writers
    wait for the writing alone, not for the whole import."""
    progress = progress or (lambda stage, done, total: None)
    digest = _hash(data)
    previous = _previous(session, digest)
    if previous is not None:
        return previous
    table = read_table(data, filename=filename, content_type=content_type, aliases=ALIASES,
                       required=REQUIRED, max_rows=max_rows)
    progress("validate", 0, len(table))
    rows, errors = _validate(table)
    future = [r for r in rows if r["rated_on"] and r["rated_on"] > today]
    errors += [{"row": r["row"], "column": "rated_on", "message": f"after today {today}"} for r in future]
    if caller.role != "admin":
        errors += [{"row": r["row"], "column": "division", "message": "outside the divisions of this key"}
                   for r in rows if not caller.covers(r["facility_division"])]
    if errors:
        errors.sort(key=lambda e: e["row"] or 0)
        raise Invalid(f"{len(errors)} errors in {len({e['row'] for e in errors})} rows; nothing was imported",
                      errors[:MAX_LISTED_ERRORS])
    progress("validate", len(table), len(table))
    usccs = list(dict.fromkeys(r["uscc"] for r in rows))
    plan = _plan(session, rows, usccs, today)              # no lock held
    begin_write(session)                                    # SQLite: BEGIN IMMEDIATE
    previous = _previous(session, digest)                   # the same file, imported meanwhile
    if previous is not None:
        return previous
    locked = _lock_existing(session, usccs)
    moved = {u for u in {*locked, *plan["fingerprint"]} if locked.get(u) != plan["fingerprint"].get(u)}
    if moved:   # another writer changed some of them meanwhile: plan those again, under the lock
        plan = _merge(plan, _plan(session, [r for r in rows if r["uscc"] in moved], sorted(moved), today), moved)
    return _write(session, rows, plan, digest, filename or "", today, progress)


def _merge(plan: dict, again: dict, moved: set[str]) -> dict:
    """`plan` with the parts of the `moved` enterprises taken from `again`."""
    keep = lambda items: [x for x in items if x["uscc"] not in moved]
    return {"fingerprint": {**plan["fingerprint"], **again["fingerprint"]},
            "existing": {**{k: v for k, v in plan["existing"].items() if k not in moved}, **again["existing"]},
            "regs": keep(plan["regs"]) + again["regs"], "events": keep(plan["events"]) + again["events"],
            "projections": keep(plan["projections"]) + again["projections"]}


def _previous(session: Session, digest: str) -> dict | None:
    previous = session.exec(select(ImportBatch).where(ImportBatch.content_hash == digest)).first()
    if previous is None:
        return None
    return {"import_id": previous.id, "status": "unchanged", "rows": previous.rows, "enterprises_created": 0,
            "events_appended": 0, "detail": "this file was imported before; nothing changed"}


def _fingerprint(session: Session, usccs: list[str], *, lock: bool = False) -> dict[str, tuple]:
    """(version, last event seq) of each registered enterprise among `usccs`; `lock` takes their row locks
    (PostgreSQL, in uscc order so that two imports never deadlock)."""
    out: dict[str, tuple] = {}
    for chunk in _chunks(sorted(usccs), _chunk_size(session)):
        stmt = select(Enterprise.uscc, Enterprise.version).where(_in(session, Enterprise.uscc, chunk)) \
            .order_by(Enterprise.uscc)
        if lock and is_postgres(session):
            stmt = stmt.with_for_update()
        for code, version in session.exec(stmt).all():
            out[code] = (version, None)
        seqs = select(GradeEventRow.uscc, func.max(GradeEventRow.seq)).where(_in(session, GradeEventRow.uscc, chunk)) \
            .group_by(GradeEventRow.uscc)
        for code, seq in session.exec(seqs).all():
            if code in out:
                out[code] = (out[code][0], seq)
    return out


def _lock_existing(session: Session, usccs: list[str]) -> dict[str, tuple]:
    fingerprint = _fingerprint(session, usccs, lock=True)
    registry.serialize_event_writes(session)   # after the row locks, as every event writer takes them
    return fingerprint


def _plan(session: Session, rows: list[dict], usccs: list[str], today: dt.date) -> dict:
    """What the import writes: new enterprises and registrations, and the `rated` events of enterprises
    already registered that the ledger accepts (their history read in bulk, each folded once per date)."""
    fingerprint = _fingerprint(session, usccs)
    existing = {e.uscc: e for chunk in _chunks(list(fingerprint), 500)
                for e in session.exec(select(Enterprise).where(Enterprise.uscc.in_(chunk))).all()}
    regs_of: dict[str, list] = defaultdict(list)
    events_of: dict[str, list] = defaultdict(list)
    for chunk in _chunks(list(existing), 500):
        for reg in session.exec(select(Registration).where(Registration.uscc.in_(chunk))
                                .order_by(Registration.id)).all():
            regs_of[reg.uscc].append(ledger.Registration(reg.industry, reg.branch, reg.site or None))
        for row in session.exec(select(GradeEventRow).where(GradeEventRow.uscc.in_(chunk))
                                .order_by(GradeEventRow.seq)).all():
            events_of[row.uscc].append(registry.to_event(row))
    states: dict[tuple, object] = {}

    def state_at(ent: Enterprise, day: dt.date):
        if (ent.uscc, day) not in states:
            states[ent.uscc, day] = ledger.fold(
                uscc=ent.uscc, name=ent.name, division=ent.division, facility_division=ent.facility_division,
                registrations=regs_of[ent.uscc], events=events_of[ent.uscc], as_of=day, facts=ent.facts,
                with_history=False)
        return states[ent.uscc, day]

    new_regs_existing: list[dict] = []
    events_existing: list[dict] = []
    seen_regs: set = set()
    for r in rows:
        if r["uscc"] not in existing:
            continue
        b = r["branch"]
        state = state_at(existing[r["uscc"]], r["rated_on"] or today)
        line = next((i for i in state.industries if i.branch == b.code and (i.site or "") == r["site"]), None)
        reg_key = (r["uscc"], b.code, r["site"])
        if line is None and reg_key not in seen_regs:
            seen_regs.add(reg_key)
            new_regs_existing.append({"uscc": r["uscc"], "industry": b.industry, "branch": b.code, "site": r["site"]})
        if r["grade"] and (line is None or line.rated_grade != r["grade"]):
            event = _as_event(r)
            try:
                ledger.check_event(state, event, today=today)
            except ledger.LedgerError as exc:
                raise Conflict(f"row {r['row']}: {exc}", [{"row": r["row"], "column": "grade",
                                                          "message": str(exc)}]) from None
            events_existing.append(r)
    projections = _project_existing(existing, regs_of, events_of, new_regs_existing, events_existing, today)
    return {"fingerprint": fingerprint, "existing": existing, "regs": new_regs_existing, "events": events_existing,
            "projections": projections}


def _project_existing(existing, regs_of, events_of, new_regs, new_rows, today) -> list[dict]:
    """Projection rows of the registered enterprises the import changes, folded from their stored history plus
    what the import adds (computed before the write lock; the lock re-plans if that history moved meanwhile)."""
    added_regs: dict[str, list] = defaultdict(list)
    for reg in new_regs:
        added_regs[reg["uscc"]].append(ledger.Registration(reg["industry"], reg["branch"], reg["site"] or None))
    added_events: dict[str, list] = defaultdict(list)
    for n, r in enumerate(new_rows):
        added_events[r["uscc"]].append(_as_event(r, seq=10**12 + n))   # after every stored event
    rows = []
    for code in dict.fromkeys([*added_regs, *added_events]):
        ent = existing[code]
        events = [*events_of[code], *added_events[code]]
        state = ledger.fold(uscc=code, name=ent.name, division=ent.division, facility_division=ent.facility_division,
                            registrations=[*regs_of[code], *added_regs[code]], events=events, as_of=today,
                            facts=ent.facts, with_history=False)
        rows.append({"uscc": code, "overall_grade": state.overall_grade, "status": state.status,
                     "computed_for": today, "valid_until": registry.valid_until(state, events),
                     "state": state_dict(state, with_history=False, iso=True)})
    return rows


def _write(session: Session, rows: list[dict], plan: dict, digest: str, filename: str, today: dt.date,
           progress: Progress) -> dict:
    usccs = list(dict.fromkeys(r["uscc"] for r in rows))
    existing = plan["existing"]
    batch = ImportBatch(content_hash=digest, filename=filename[:300], rows=len(rows))
    session.add(batch)
    session.flush()
    now = utcnow()
    new_ents, new_regs, new_events = [], [], []
    seen_regs: set = set()
    by_uscc: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_uscc[r["uscc"]].append(r)
    for code in usccs:
        if code in existing:
            continue
        first = by_uscc[code][0]
        facts = {}
        for r in by_uscc[code]:
            facts.update(r["facts"])
        new_ents.append({"uscc": code, "name": first["name"], "division": first["division"],
                         "facility_division": first["facility_division"], "facts": facts, "version": 1,
                         "created_at": now, "updated_at": now})
    for r in rows:
        if r["uscc"] in existing:
            continue
        b = r["branch"]
        reg_key = (r["uscc"], b.code, r["site"])
        if reg_key not in seen_regs:
            seen_regs.add(reg_key)
            new_regs.append({"uscc": r["uscc"], "industry": b.industry, "branch": b.code, "site": r["site"]})
        if r["grade"]:
            new_events.append(_event(r, batch.id, now))
    progress("write", 0, len(new_ents))
    conn = session.connection()   # new rows only: no ORM bookkeeping needed
    for table, items in ((Enterprise, new_ents), (Registration, new_regs), (GradeEventRow, new_events)):
        bulk_insert(conn, table.__table__, items)
    bulk_insert(conn, Registration.__table__, plan["regs"])
    existing_events = [_event(r, batch.id, now) for r in plan["events"]]
    bulk_insert(conn, GradeEventRow.__table__, existing_events)
    progress("write", len(new_ents), len(new_ents))
    _project_new(session, new_ents, new_regs, new_events, today, progress)
    changed = [row["uscc"] for row in plan["projections"]]
    for chunk in _chunks(changed, 500):
        session.execute(delete(GradeProjection).where(GradeProjection.uscc.in_(chunk)))
    bulk_insert(conn, GradeProjection.__table__, plan["projections"])
    session.flush()
    # the feed's grades and the webhook outbox of every event this file appended, in this transaction; the
    # enterprises this file creates have no history but its own: their events are read back by import (one
    # query), their registrations are those just written (in id order), not read again by uscc
    appended = feed.events_of_import(session, batch.id)
    regs_by: dict[str, list] = defaultdict(list)
    for reg in new_regs:
        regs_by[reg["uscc"]].append(ledger.Registration(reg["industry"], reg["branch"], reg["site"] or None))
    held = {e["uscc"]: feed.History(e["division"], e["facility_division"], e["facts"], regs_by[e["uscc"]],
                                    appended.get(e["uscc"], [])) for e in new_ents}
    feed.record(session, [_Appended(code, ev.seq) for code, evs in appended.items() for ev in evs], held)
    batch.created, batch.events = len(new_ents), len(new_events) + len(existing_events)
    session.add(batch)
    session.commit()
    return {"import_id": batch.id, "status": "imported", "rows": len(rows), "enterprises_created": len(new_ents),
            "events_appended": batch.events, "detail": f"{len(new_ents)} enterprises created, "
                                                       f"{batch.events} grade events appended"}


class _Appended(NamedTuple):
    uscc: str
    seq: int


def _as_event(r: dict, seq: int | None = None) -> GradeEvent:
    """The `rated` event a row appends, as the ledger's value type (no ORM row: imports fold thousands)."""
    return GradeEvent(kind="rated", effective=r["rated_on"], industry=r["branch"].industry, branch=r["branch"].code,
                      grade=r["grade"], site=r["site"] or None, seq=seq)


def _event(r: dict, batch_id: int, now) -> dict:
    return {"uscc": r["uscc"], "kind": "rated", "industry": r["branch"].industry, "branch": r["branch"].code,
            "site": r["site"], "grade": r["grade"], "effective": r["rated_on"], "ref": None,
            "note": f"导入文件第{r['row']}行 / import row {r['row']}", "import_id": batch_id, "recorded_at": now}


_USCC, _NAME = "\x00uscc", "\x00name"
_USCC_JSON, _NAME_JSON = json.dumps(_USCC), json.dumps(_NAME)


def _project_new(session, ents, regs, events, today, progress) -> None:
    """Projections of new enterprises. Enterprises with the same registrations, events, facts and divisions
    have the same state but for who they are: each distinct history is folded once by the ledger, then
    stamped with each enterprise's uscc and name."""
    regs_by = defaultdict(list)
    for r in regs:
        regs_by[r["uscc"]].append(ledger.Registration(r["industry"], r["branch"], r["site"] or None))
    evs_by = defaultdict(list)
    for i, e in enumerate(events):
        evs_by[e["uscc"]].append(GradeEvent(kind=e["kind"], effective=e["effective"], industry=e["industry"],
                                            branch=e["branch"], grade=e["grade"], site=e["site"] or None,
                                            seq=i + 1))
    shapes: dict[tuple, tuple] = {}
    rows = []
    for n, e in enumerate(ents):
        evs = evs_by[e["uscc"]]
        key = (e["division"], e["facility_division"], tuple(regs_by[e["uscc"]]),
               tuple((v.kind, v.effective, v.industry, v.branch, v.grade, v.site) for v in evs),
               json.dumps(e["facts"], sort_keys=True) if e["facts"] else "")
        if key not in shapes:
            state = ledger.fold(uscc=e["uscc"], name=e["name"], division=e["division"],
                                facility_division=e["facility_division"], registrations=regs_by[e["uscc"]],
                                events=evs, as_of=today, facts=e["facts"], with_history=False)
            # the shape's JSON text once, with markers where each enterprise's uscc and name go (names hold
            # no NUL: _validate): the same text as json.dumps of the state with them, without encoding it again
            text = json.dumps({**state_dict(state, with_history=False, iso=True), "uscc": _USCC, "name": _NAME})
            shapes[key] = (state, text, registry.valid_until(state, evs))
        state, text, until = shapes[key]
        rows.append({"uscc": e["uscc"], "overall_grade": state.overall_grade, "status": state.status,
                     "computed_for": today, "valid_until": until,
                     "state": text.replace(_USCC_JSON, json.dumps(e["uscc"]), 1)
                                  .replace(_NAME_JSON, json.dumps(e["name"]), 1)})
        if n % 10000 == 0:
            progress("project", n, len(ents))
    bulk_insert(session.connection(), GradeProjection.__table__, rows, json_text=("state",))
    progress("project", len(ents), len(ents))


def _chunk_size(session: Session) -> int:
    """How many usccs one query names: SQLite binds each as a variable (at most 32 766); PostgreSQL binds one
    array whatever its length."""
    return 200_000 if is_postgres(session) else 500


def _in(session: Session, column, values: list):
    """`column IN values`; on PostgreSQL `column = ANY(array)`: one bound array, not one parameter per value to
    compile and send (hundreds of thousands for a large import)."""
    if is_postgres(session):
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
