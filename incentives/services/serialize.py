"""Derived states as plain dicts: Text stays {zh, en} so the edge picks the language; dates stay dates."""
from __future__ import annotations

from incentives.explain import Text
from incentives.state import EnterpriseState, GradeEvent


def text(t: Text | None) -> dict | None:
    """A Text as {zh, en}."""
    return None if t is None else {"zh": t.zh, "en": t.en}


def event_dict(ev: GradeEvent, uscc: str | None = None) -> dict:
    """One grade event as the change feed and history show it."""
    out = {"seq": ev.seq, "kind": ev.kind, "industry": ev.industry, "branch": ev.branch, "site": ev.site,
           "grade": ev.grade, "effective": ev.effective, "until": ev.until, "ref": ev.ref,
           "violation": ev.violation, "rectification_passed": ev.rectification_passed, "note": ev.note,
           "recorded_at": ev.recorded_at}
    if uscc is not None:
        out = {"uscc": uscc, **out}
    return out


def _iso(day):
    return day.isoformat() if day is not None else None


def _same(day):
    return day


def state_dict(state: EnterpriseState, *, with_history: bool = True, iso: bool = False) -> dict:
    """The contract's grade object; `iso` writes dates as ISO text (JSON storage of the projection)."""
    d = _iso if iso else _same
    out = {
        "uscc": state.uscc, "name": state.name, "division": state.division,
        "facility_division": state.facility_division, "as_of": d(state.as_of),
        "overall_grade": state.overall_grade, "rated_grade": state.rated_grade, "status": state.status,
        "review_due": d(state.review_due),
        "industries": [{"industry": i.industry, "branch": i.branch, "site": i.site, "scale": i.scale,
                        "grade": i.grade, "rated_grade": i.rated_grade, "rated_on": d(i.rated_on),
                        "status": i.status, "review_due": d(i.review_due)} for i in state.industries],
        "restrictions": [{"kind": r.kind, "reason": text(r.reason), "ref": r.ref, "since": d(r.since),
                          "until": d(r.until), "grades_barred": list(r.grades_barred)} for r in state.restrictions],
        "upgrades": [{"industry": u.industry, "branch": u.branch, "from_grade": u.from_grade,
                      "to_grade": u.to_grade, "effective": d(u.effective), "ref": u.ref} for u in state.upgrades],
    }
    if with_history:
        out["history"] = [{**event_dict(h.event), "effect": text(h.effect), "effect_ref": h.ref}
                          for h in state.history]
    return out
