"""The grade registry: enterprises, the append-only event ledger, derived states and the projection."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from incentives import ledger
from incentives.access import Caller
from incentives.db import (
    Enterprise,
    GradeEventRow,
    GradeProjection,
    Registration,
    begin_write,
    is_postgres,
    utcnow,
)
from incentives.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from incentives.industries import UnknownIndustry, resolve_branch
from incentives.state import EnterpriseState, GradeEvent

from . import feed
from .serialize import state_dict


def jsonable(obj):
    """Plain JSON data: dates and datetimes as ISO text, Decimals as text, tuples as lists."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def to_event(row: GradeEventRow) -> GradeEvent:
    """A stored event row as the ledger's value type."""
    return GradeEvent(kind=row.kind, effective=row.effective, industry=row.industry, branch=row.branch,
                      grade=row.grade, ref=row.ref, violation=row.violation, site=row.site or None,
                      until=row.until, rectification_passed=row.rectification_passed, note=row.note,
                      seq=row.seq, recorded_at=row.recorded_at)


def registrations_of(session: Session, uscc: str) -> list[ledger.Registration]:
    rows = session.exec(select(Registration).where(Registration.uscc == uscc).order_by(Registration.id)).all()
    return [ledger.Registration(r.industry, r.branch, r.site or None) for r in rows]


def events_of(session: Session, uscc: str) -> list[GradeEvent]:
    rows = session.exec(select(GradeEventRow).where(GradeEventRow.uscc == uscc).order_by(GradeEventRow.seq)).all()
    return [to_event(r) for r in rows]


def serialize_event_writes(session: Session) -> None:
    """Take the ledger's write lock for this transaction (PostgreSQL): events commit in `seq` order, so a
    bank following the change feed past `since` never misses a later-committed, lower `seq`."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(211900)"))


def lock_enterprise(session: Session, uscc: str) -> Enterprise:
    """Begin the write transaction of one enterprise and return its row, read inside it: writers of the
    same enterprise run one after the other (PostgreSQL: `SELECT … FOR UPDATE`; SQLite: BEGIN IMMEDIATE),
    so a rule check, a version check and the projection all see the last commit."""
    begin_write(session)
    stmt = select(Enterprise).where(Enterprise.uscc == uscc).execution_options(populate_existing=True)
    if is_postgres(session):
        stmt = stmt.with_for_update()
    ent = session.exec(stmt).first()
    if ent is None:
        raise NotFound(f"未登记的企业 no enterprise registered with uscc {uscc}")
    return ent


def get_enterprise(session: Session, uscc: str) -> Enterprise:
    """The enterprise row, or NotFound."""
    ent = session.get(Enterprise, uscc)
    if ent is None:
        raise NotFound(f"未登记的企业 no enterprise registered with uscc {uscc}")
    return ent


def fold_enterprise(session: Session, ent: Enterprise, as_of: dt.date, *, with_history: bool = True,
                    extra_events: Iterable[GradeEvent] = (),
                    options: ledger.LedgerOptions | None = None) -> EnterpriseState:
    """The enterprise's state at `as_of` from its stored events (plus `extra_events`)."""
    return ledger.fold(uscc=ent.uscc, name=ent.name, division=ent.division,
                       facility_division=ent.facility_division, registrations=registrations_of(session, ent.uscc),
                       events=[*events_of(session, ent.uscc), *extra_events], as_of=as_of, facts=ent.facts,
                       with_history=with_history, options=options)


def valid_until(state: EnterpriseState, events: list[GradeEvent]) -> dt.date | None:
    """The first day after `as_of` on which the state may change by itself (a ban or boost ends)."""
    days = [r.until for r in state.restrictions if r.until and r.until > state.as_of]
    days += [e.until for e in events if e.until and e.until > state.as_of]
    return min(days) if days else None


def refresh_projection(session: Session, ent: Enterprise, today: dt.date) -> GradeProjection:
    """Recompute the projection row of one enterprise (in the caller's transaction)."""
    events = events_of(session, ent.uscc)   # read once: folded and scanned for time-limited events
    state = ledger.fold(uscc=ent.uscc, name=ent.name, division=ent.division,
                        facility_division=ent.facility_division, registrations=registrations_of(session, ent.uscc),
                        events=events, as_of=today, facts=ent.facts, with_history=False)
    return write_projection(session, state, events, today)


def write_projection(session: Session, state: EnterpriseState, events: list[GradeEvent],
                     today: dt.date) -> GradeProjection:
    """Store a derived state as the enterprise's projection."""
    proj = session.get(GradeProjection, state.uscc) or GradeProjection(uscc=state.uscc, status=state.status,
                                                                       computed_for=today)
    proj.overall_grade, proj.status, proj.computed_for = state.overall_grade, state.status, today
    proj.valid_until = valid_until(state, events)
    proj.state = state_dict(state, with_history=False, iso=True)
    session.add(proj)
    return proj


# -- enterprises ---------------------------------------------------------------------------------------

def _resolve_industries(industries: list[dict]) -> list[tuple[dict, object]]:
    out, errors = [], []
    for i, item in enumerate(industries):
        try:
            branch = resolve_branch(item["industry"], item.get("branch"))
            if item.get("grade"):
                ledger.validate_grade(branch.code, item["grade"])
            out.append((item, branch))
        except UnknownIndustry as exc:
            errors.append({"field": f"industries.{i}.{exc.field}", "message": str(exc)})
        except ledger.LedgerError as exc:
            errors.append({"field": f"industries.{i}.grade", "message": str(exc)})
    if errors:
        raise Invalid(f"{len(errors)} industry entries are invalid", errors)
    return out


def register(*, session: Session, caller: Caller, body: dict, today: dt.date) -> EnterpriseState:
    """Register an enterprise with its industries; a graded industry gets a `rated` event."""
    uscc = body["uscc"]
    division = body.get("division") or uscc[2:8]
    if caller.role != "admin" and not caller.covers(body.get("facility_division") or division):
        raise Forbidden("此密钥不辖该行政区划 this key does not cover the enterprise's division")
    resolved = _resolve_industries(body.get("industries") or [])
    errors = [{"field": f"industries.{i}.rated_on", "message": f"晚于今天 after today {today}"}
              for i, (item, _) in enumerate(resolved) if item.get("rated_on") and item["rated_on"] > today]
    if errors:
        raise Invalid("rating dates are in the future", errors)
    begin_write(session)
    if session.get(Enterprise, uscc) is not None:
        raise Conflict(f"企业已登记 an enterprise with uscc {uscc} is already registered",
                       [{"field": "uscc", "message": "duplicate"}])
    serialize_event_writes(session)
    ent = Enterprise(uscc=uscc, name=body["name"], division=division,
                     facility_division=body.get("facility_division") or division, facts=jsonable(body.get("facts") or {}))
    session.add(ent)
    rated = []
    for item, branch in resolved:
        session.add(Registration(uscc=uscc, industry=branch.industry, branch=branch.code, site=item.get("site") or ""))
        if item.get("grade"):
            rated.append(GradeEventRow(uscc=uscc, kind="rated", industry=branch.industry, branch=branch.code,
                                       site=item.get("site") or "", grade=item["grade"],
                                       effective=item.get("rated_on") or today, ref=item.get("ref"),
                                       note="登记时的评级 / registered with its grade"))
    session.add_all(rated)
    try:
        session.flush()
        feed.record(session, rated)   # the feed's grades and the webhook outbox, in this transaction
        refresh_projection(session, ent, today)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"an enterprise with uscc {uscc} is already registered (or a duplicate industry)",
                       [{"field": "uscc", "message": "duplicate"}]) from None
    return fold_enterprise(session, ent, today)


def amend(*, session: Session, caller: Caller, uscc: str, if_match: str | None, changes: dict,
          today: dt.date) -> EnterpriseState:
    """Amend name, facility division, facts or add industries; needs the current version (If-Match)."""
    ensure_visible(caller, get_enterprise(session, uscc))
    if not if_match:
        raise PreconditionRequired("请在 If-Match 中提供版本号 send the enterprise's version in If-Match",
                                   [{"field": "If-Match", "message": "required"}])
    version = etag_version(if_match)
    ent = lock_enterprise(session, uscc)   # compare and set: the version is checked and raised under the lock
    if version != ent.version:
        raise StaleVersion(f"版本已变更 the enterprise changed: version is {ent.version}, not {if_match}",
                           [{"field": "If-Match", "message": f"current version is {ent.version}"}])
    if "name" in changes:
        ent.name = changes["name"]
    if "facility_division" in changes:
        ent.facility_division = changes["facility_division"]
    if "facts" in changes:
        ent.facts = jsonable({**(ent.facts or {}), **changes["facts"]})
    existing = {(r.branch, r.site or None) for r in registrations_of(session, uscc)}
    for item, branch in _resolve_industries(changes.get("industries") or []):
        if (branch.code, item.get("site") or None) not in existing:
            session.add(Registration(uscc=uscc, industry=branch.industry, branch=branch.code, site=item.get("site") or ""))
    ent.version += 1
    ent.updated_at = utcnow()
    session.add(ent)
    session.flush()
    refresh_projection(session, ent, today)
    session.commit()
    return fold_enterprise(session, ent, today)


ETAG = re.compile(r'"([1-9][0-9]{0,9})"')


def etag_version(if_match: str) -> int:
    """The version in an If-Match header that is exactly an ETag this service gives (`"3"`); 400 otherwise
    (weak validators, lists, `*`, unquoted or padded values are not taken for a version)."""
    m = ETAG.fullmatch(if_match)
    if m is None:
        raise BadRequest(f"If-Match must be the ETag exactly as given (e.g. \"3\"), not {if_match[:40]!r}",
                         [{"field": "If-Match", "message": "a strong ETag: a version in double quotes"}])
    return int(m.group(1))


def enterprise_record(*, session: Session, caller: Caller, uscc: str,
                      today: dt.date) -> tuple[Enterprise, EnterpriseState]:
    """The enterprise row and its current state (for GET with ETag): the enterprise itself, its regulator or
    tax bureau (by its divisions), or an admin; the row carries facts that are not public."""
    ent = get_enterprise(session, uscc)
    ensure_visible(caller, ent)
    return ent, fold_enterprise(session, ent, today)


# -- events --------------------------------------------------------------------------------------------

def append_event(*, session: Session, caller: Caller, uscc: str, body: dict,
                 today: dt.date) -> tuple[int, EnterpriseState]:
    """Append one grade event if the rules allow it at its date; return its seq and the new state.

    The rule check runs inside the enterprise's write lock: an event the ledger accepts once (a
    rectification start, a downgrade) is stored once however many requests race."""
    ensure_visible(caller, get_enterprise(session, uscc))
    ent = lock_enterprise(session, uscc)
    branch = None
    if body.get("industry"):
        try:
            branch = resolve_branch(body["industry"], body.get("branch"))
        except UnknownIndustry as exc:
            raise Invalid(str(exc), [{"field": exc.field, "message": str(exc)}]) from None
    event = GradeEvent(kind=body["kind"], effective=body["effective"], industry=branch.industry if branch else None,
                       branch=branch.code if branch else None, grade=body.get("grade"), ref=body.get("ref"),
                       violation=body.get("violation"), site=body.get("site"), until=body.get("until"),
                       rectification_passed=body.get("rectification_passed"), note=body.get("note"))
    before = fold_enterprise(session, ent, event.effective, with_history=False)
    try:
        ledger.check_event(before, event, today=today)
    except ledger.EventInFuture as exc:
        raise Invalid(str(exc), [{"field": exc.field or "effective", "message": str(exc)}]) from None
    except (ledger.GradeNotOnScale, ledger.UnknownBranch) as exc:
        raise Invalid(str(exc), [{"field": exc.field or "grade", "message": str(exc)}]) from None
    except ledger.EventRefused as exc:
        detail = str(exc) + (f" (ref {exc.ref})" if exc.ref else "")
        errors = [{"field": exc.field or "kind", "message": str(exc), "ref": exc.ref,
                   "until": exc.until.isoformat() if exc.until else None}]
        raise Conflict(detail, errors) from None
    if branch and not any(r.branch == branch.code for r in registrations_of(session, uscc)):
        session.add(Registration(uscc=uscc, industry=branch.industry, branch=branch.code, site=body.get("site") or ""))
    serialize_event_writes(session)
    row = GradeEventRow(uscc=uscc, kind=event.kind, industry=event.industry, branch=event.branch,
                        site=event.site or "", grade=event.grade, effective=event.effective, until=event.until,
                        ref=event.ref, violation=event.violation, rectification_passed=event.rectification_passed,
                        note=event.note)
    session.add(row)
    session.flush()
    feed.record(session, [row])   # the feed's grades and the webhook outbox, in this transaction
    refresh_projection(session, ent, today)
    session.commit()
    return row.seq, fold_enterprise(session, ent, today)


# -- reads ---------------------------------------------------------------------------------------------

def drafts_options(include_drafts: bool) -> ledger.LedgerOptions | None:
    """The ledger options of a grade read: drafts' grading rules only when asked (contract 1.1)."""
    return ledger.LedgerOptions(include_drafts=True) if include_drafts else None


def grade(*, session: Session, uscc: str, as_of: dt.date, include_drafts: bool = False) -> EnterpriseState:
    """The state at `as_of`, folded from the events (authoritative; with history)."""
    return fold_enterprise(session, get_enterprise(session, uscc), as_of, options=drafts_options(include_drafts))


def lookup(*, session: Session, usccs: list[str], as_of: dt.date, today: dt.date,
           include_drafts: bool = False) -> tuple[list[dict], list[str]]:
    """Grade objects for many usccs (no history): the projection where it holds for `as_of`, else a fold.

    Projections are folded without drafts; with `include_drafts` every grade is folded from the ledger."""
    wanted = list(dict.fromkeys(usccs))
    found: dict[str, dict] = {}
    for chunk in _chunks(wanted, 500) if not include_drafts else ():
        for proj in session.exec(select(GradeProjection).where(GradeProjection.uscc.in_(chunk))).all():
            if proj.computed_for <= as_of and (proj.valid_until is None or as_of < proj.valid_until) \
                    and as_of >= today:
                found[proj.uscc] = {**proj.state, "as_of": as_of.isoformat()}
    missing = [u for u in wanted if u not in found]
    if missing:
        options = drafts_options(include_drafts)
        ents = {e.uscc: e for chunk in _chunks(missing, 500)
                for e in session.exec(select(Enterprise).where(Enterprise.uscc.in_(chunk))).all()}
        for u in missing:
            if u in ents:
                found[u] = state_dict(fold_enterprise(session, ents[u], as_of, with_history=False, options=options),
                                      with_history=False, iso=True)
    results = [found[u] for u in wanted if u in found]
    return results, [u for u in wanted if u not in found]


def ensure_visible(caller: Caller, ent: Enterprise) -> None:
    """The enterprise itself, its regulator or tax bureau, or an admin; others are refused (403)."""
    if not caller.may_see_enterprise(ent.uscc, ent.facility_division, ent.division):
        raise Forbidden("此密钥无权访问该企业 this key may not see this enterprise")


def count_enterprises(session: Session) -> int:
    """How many enterprises are registered."""
    return session.exec(select(func.count()).select_from(Enterprise)).one()


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
