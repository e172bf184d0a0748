"""Emergency response and staggered production for one enterprise: the sheet (一厂一策 公示牌), the section of
the benefits report, and `quantified.emergency` of the preview. Figures come from incentives/emergency.py."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import Session

from incentives import emergency as em
from incentives import engine, ledger
from incentives.access import Caller
from incentives.engine import Evaluation
from incentives.interpretations import Interpretations
from incentives.state import EnterpriseState
from policies.emergency_tables import catalogue

from . import registry
from .benefits import context
from .evaluations import jurisdiction, plain


def _line(x) -> em.Line:
    return em.Line(x.industry, x.branch, x.grade, x.site)


def _policy_ids(ev: Evaluation) -> frozenset[str]:
    return frozenset(b.policy_id for b in (*ev.benefits, *ev.obligations))


def _document(located) -> dict:
    d = located.document
    return {"id": d.id, "title": d.title, "number": d.number, "issuer": d.issuer, "status": d.status,
            "confidence": d.confidence, "source": d.url or d.file}


def _table(located) -> dict | None:
    if located is None:
        return None
    t = located.item
    return {"id": t.id, "refs": list(t.refs), "title": plain(t.title.model_dump()), "clause": t.clause,
            "confidence": located.confidence, "jurisdiction": jurisdiction(located.jurisdiction),
            "document": _document(located),
            "cut_base": {"ref": t.cut_base.ref, "text": t.cut_base.text.model_dump()} if t.cut_base else None}


def _measure(m: em.AlertMeasure | None) -> dict | None:
    if m is None:
        return None
    return {"level": m.level, "production": m.production, "share": m.share, "cut": m.cut, "transport": m.transport,
            "refs": list(m.refs)}


def _periods(periods) -> list[dict]:
    return [{"from": a, "to": b} for a, b in periods]


def _calendar(located) -> dict:
    c = located.item
    return {"id": c.id, "refs": list(c.refs), "title": c.title.model_dump(), "clause": c.clause,
            "status": located.status, "confidence": located.confidence,
            "jurisdiction": jurisdiction(located.jurisdiction), "document": _document(located),
            "effective": {"from": c.window.start, "to": c.window.to}}


def _season(s: em.SeasonDays) -> dict:
    return {"id": s.season_id, "name": plain(s.name), "periods": _periods(s.periods),
            "calendar_days": s.calendar_days, "basis": plain(s.basis) if s.basis else None}


# --- the sheet and the benefits section: the measures at the managed grade --------------------------------

def lines_at(state: EnterpriseState, ev: Evaluation, as_of: dt.date, interp: Interpretations) -> list[dict]:
    """Per industry line: managed grade, measures per alert level (or why none), staggered seasons in force."""
    cat = catalogue()
    ids = _policy_ids(ev)
    counting = em.Counting.at(as_of, interp)
    out = []
    for x in state.industries:
        line = _line(x)
        alerts = em.alert_measures(cat, line, state.facility_division, as_of, counting)
        cals = em.line_calendars(cat, line, state.facility_division, as_of, state.facts, ids, counting,
                                 em.named_treatments(ev))
        out.append({
            "industry": x.industry, "branch": x.branch, "site": x.site, "grade": x.grade,
            "rated_grade": x.rated_grade, "status": x.status, "grade_read_as": alerts.grade_read_as,
            "table": _table(alerts.table), "reason": plain(alerts.reason) if alerts.reason else None,
            "alert_levels": [_measure(m) for m in alerts.measures],
            "staggered_production": [{**_calendar(c.calendar), "treatment": c.treatment, "ref": c.ref,
                                      "days_stopped": c.days_stopped,
                                      "seasons": [{**_season(s), "days_stopped": s.days_stopped} for s in c.seasons]}
                                     for c in cals],
        })
    return out


def general_measures(ev: Evaluation) -> list[dict]:
    """The engine's emergency measures for the enterprise as a whole (NAT-10-1, HN-4-1, CQ-A1-8 …)."""
    return [{"policy_id": b.policy_id, "refs": list(b.refs), "title": plain(b.title),
             "jurisdiction": jurisdiction(b.jurisdiction), "status": b.status,
             "source": {"document": b.source.document, "clause": b.source.clause, "status": b.source.status},
             "treatment": dict(b.treatment or {}), "obligation": b in ev.obligations}
            for b in (*ev.benefits, *ev.obligations) if b.category == "emergency_response"]


def sheet(*, session: Session, caller: Caller, uscc: str, as_of: dt.date, include_drafts: bool | None = None,
          parameters: dict | None = None) -> dict:
    """The emergency-response sheet (一厂一策 公示牌) of an enterprise at `as_of`."""
    ent = registry.get_enterprise(session, uscc)
    registry.ensure_visible(caller, ent)
    ctx = context(alert_level=None, include_drafts=include_drafts, parameters=parameters)
    # The managed grade is taken under the same drafts switch and parameter overrides as the measures.
    options = ledger.LedgerOptions(include_drafts=ctx.drafts, parameters=ctx.interpretations.ledger_overrides())
    state = registry.fold_enterprise(session, ent, as_of, with_history=False, options=options)
    ev = engine.evaluate(state, as_of, ctx)
    return {"uscc": ent.uscc, "name": ent.name, "division": ent.division, "facility_division": ent.facility_division,
            "as_of": as_of, "include_drafts": ev.include_drafts, "ruleset": ev.ruleset,
            "parameters": plain(dict(ev.parameters)), "overall_grade": state.overall_grade, "status": state.status,
            "lines": lines_at(state, ev, as_of, ctx.interpretations), "general": general_measures(ev)}


# --- the preview: what the upgrade is worth ------------------------------------------------------------------

def _pairs(current: EnterpriseState, target: EnterpriseState) -> list[tuple[em.Line, em.Line]]:
    after = {(x.branch, x.site): x for x in target.industries}
    return [(_line(x), _line(after.get((x.branch, x.site), x))) for x in current.industries]


def _level(lc: em.LevelChange) -> dict:
    def days(m, stopped):
        if m is None or m.cut is None:
            return None
        return lc.days if (m.cut == 1) == stopped and m.cut > 0 else 0
    return {"level": lc.level, "days": lc.days, "before": _measure(lc.before), "after": _measure(lc.after),
            "days_stopped_before": days(lc.before, True), "days_limited_before": days(lc.before, False),
            "days_stopped_after": days(lc.after, True), "days_limited_after": days(lc.after, False),
            "days_equivalent": lc.days_equivalent}


def _season_change(sc: em.SeasonChange) -> dict:
    side = lambda t: {"treatment": t[0], "ref": t[1], "days_stopped": t[2]}
    return {"calendar": _calendar(sc.calendar), "season": _season(sc.season), "before": side(sc.before),
            "after": side(sc.after), "days_saved": sc.days_saved}


def preview_figure(*, current: EnterpriseState, target: EnterpriseState, current_eval: Evaluation,
                   target_eval: Evaluation, as_of: dt.date, interp: Interpretations, scenario: dict) -> dict:
    """`quantified.emergency`: per line, alert level and season, before and after, and what it is worth."""
    alert_days = scenario.get("alert_days")
    yuan, tonnes = _dec(scenario.get("daily_output_value_yuan")), _dec(scenario.get("daily_capacity_t"))
    w = em.worth(catalogue(), _pairs(current, target), division=current.facility_division, as_of=as_of,
                 facts_before=current.facts, facts_after=target.facts, policies_before=_policy_ids(current_eval),
                 policies_after=_policy_ids(target_eval), counting=em.Counting.at(as_of, interp),
                 alert_days=alert_days,
                 daily_output_value_yuan=yuan, daily_capacity_t=tonnes,
                 named_before=em.named_treatments(current_eval), named_after=em.named_treatments(target_eval))
    notes = []
    if not alert_days:
        notes.append({"zh": "未提供预警天数（scenario.alert_days）：预警部分按0天计",
                      "en": "no scenario.alert_days: the alert levels count 0 days"})
    if alert_days and any(alert_days.get(level) for level in ("light", "moderate")):
        notes.append({"zh": "措施表只规定黄色、橙色、红色预警：轻度、中度污染天气的天数未计算",
                      "en": "the tables set measures for yellow, orange and red alerts only: light and moderate "
                            "pollution days are not counted"})
    if w.value is not None and yuan is None and tonnes is None:
        notes.append({"zh": "提供scenario.daily_output_value_yuan（及daily_capacity_t）可换算为产值和吨数",
                      "en": "give scenario.daily_output_value_yuan (and daily_capacity_t) for yuan and tonnes"})
    return {"kind": "emergency", "value": w.value, "unit": "days", "quantified_part": w.quantified_part,
            "output_value_yuan": w.output_value_yuan, "output_t": w.output_t,
            "reason": plain(w.reason) if w.reason else None, "basis": plain(w.basis), "refs": list(w.refs),
            "alert_days": dict(alert_days) if alert_days else None, "daily_output_value_yuan": yuan,
            "daily_capacity_t": tonnes,
            "lines": [{"industry": ln.before.industry, "branch": ln.before.branch, "site": ln.before.site,
                       "grade_before": ln.before.grade, "grade_after": ln.after.grade,
                       "table": _table(ln.alerts_before.table or ln.alerts_after.table),
                       "reason_before": plain(ln.alerts_before.reason) if ln.alerts_before.reason else None,
                       "reason_after": plain(ln.alerts_after.reason) if ln.alerts_after.reason else None,
                       "alert_levels": [_level(lc) for lc in ln.levels],
                       "seasons": [_season_change(sc) for sc in ln.seasons]} for ln in w.lines],
            "unquantified": [{**u, "reason": plain(u["reason"])} for u in w.unquantified], "notes": notes}


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))
