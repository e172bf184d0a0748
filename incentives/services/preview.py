"""Upgrade preview: current and target evaluations, what is gained, what blocks it, what it is worth.

Stores nothing: reads a registered enterprise (or takes facts), simulates the target as `rated` events at
`as_of` through the same ledger and engine, and assesses monitoring data without saving it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import Session

from incentives import cells, engine, ledger, upgrade
from incentives.access import PUBLIC, Caller
from incentives.errors import Forbidden, Invalid
from incentives.grades import rank, scale_grades
from incentives.industries import UnknownIndustry, resolve_branch
from incentives.reference import reference
from incentives.state import GradeEvent

from . import emergency, registry
from .benefits import context
from .evaluations import benefit, not_applicable, plain


def _subject(session: Session, body: dict, as_of: dt.date, caller: Caller = PUBLIC):
    """(name, division, facility division, registrations, events, facts, uscc) of the enterprise; by uscc,
    stored facts only for a caller who may see the enterprise (contract 1.1: else only public data)."""
    ent_in = body["enterprise"]
    if ent_in.get("uscc"):
        extra = sorted(k for k, v in ent_in.items() if k != "uscc" and v not in (None, [], {}))
        if extra:
            raise Invalid("give the enterprise either by uscc or by facts, not both",
                          [{"field": f"enterprise.{k}", "message": "drop this field, or drop uscc"} for k in extra])
        ent = registry.get_enterprise(session, ent_in["uscc"])
        facts = dict(ent.facts or {}) if caller.may_see_enterprise(ent.uscc, ent.facility_division, ent.division) \
            else {}
        return (ent.name, ent.division, ent.facility_division, registry.registrations_of(session, ent.uscc),
                registry.events_of(session, ent.uscc), facts, ent.uscc)
    if not ent_in.get("division") or not ent_in.get("industries"):
        raise Invalid("give the enterprise's uscc, or its division and industries",
                      [{"field": "enterprise", "message": "uscc, or division and industries"}])
    regs, events, errors = [], [], []
    for i, item in enumerate(ent_in["industries"]):
        try:
            b = resolve_branch(item["industry"], item.get("branch"))
        except UnknownIndustry as exc:
            errors.append({"field": f"enterprise.industries.{i}.{exc.field}", "message": str(exc)})
            continue
        regs.append(ledger.Registration(b.industry, b.code, None))
        if item.get("grade"):
            try:
                ledger.validate_grade(b.code, item["grade"])
            except ledger.LedgerError as exc:
                errors.append({"field": f"enterprise.industries.{i}.grade", "message": str(exc)})
                continue
            # A grade given without its date is taken as held for a year before as_of (named reading:
            # so that it is not itself a new upgrade inside a campaign window).
            rated_on = item.get("rated_on") or as_of - dt.timedelta(days=365)
            events.append(GradeEvent(kind="rated", effective=rated_on, industry=b.industry, branch=b.code,
                                     grade=item["grade"], seq=i + 1))
    if errors:
        raise Invalid(f"{len(errors)} industry entries are invalid", errors)
    facts = dict(ent_in.get("facts") or {})
    division = ent_in["division"]
    return (ent_in.get("name"), division, ent_in.get("facility_division") or division, regs, events, facts, None)


def _targets(body: dict, state) -> list[tuple[object, str]]:
    """(industry line, target grade) for each targeted industry."""
    target = body["target"]
    if target.get("grade"):
        return [(line, target["grade"]) for line in state.industries]
    out = []
    for i, item in enumerate(target.get("industries") or []):
        try:
            b = resolve_branch(item["industry"], item.get("branch"))
        except UnknownIndustry as exc:
            raise Invalid(str(exc), [{"field": f"target.industries.{i}.{exc.field}", "message": str(exc)}]) from None
        line = next((x for x in state.industries if x.branch == b.code), None)
        if line is None:
            raise Invalid(f"the enterprise has no industry {b.code}",
                          [{"field": f"target.industries.{i}.branch", "message": "not an industry of this enterprise"}])
        out.append((line, item["grade"]))
    if not out:
        raise Invalid("give target.grade or target.industries", [{"field": "target", "message": "required"}])
    return out


def _blocking(state, targets, as_of: dt.date, lm, options=None) -> tuple[list[dict], list[GradeEvent]]:
    """What stops each target, and the `rated` events that simulate the targets that are not stopped."""
    blocking, events = [], []
    for n, (line, grade) in enumerate(targets):
        branch = reference().branches[line.branch]
        if grade == "A+":
            blocking.append(_block("aplus_selection", "G-APLUS", line, None,
                                   "A+由生态环境部从A级企业中遴选（技术国际领先、稳定运行2年以上），不能申请",
                                   "A+ is selected by the ministry from A enterprises (world-leading technology "
                                   "running stably ≥ 2 years); it cannot be applied for"))
            continue
        try:
            ledger.validate_grade(branch.code, grade)
        except ledger.LedgerError as exc:
            blocking.append(_block("not_on_scale", "G-SCALE", line, None, exc.message.zh, exc.message.en,
                                   grades=list(scale_grades(branch.scale, branch.allows_b_minus))))
            continue
        if rank(grade, lm) <= rank(line.rated_grade if line.status == "rated" else line.grade, lm) \
                and line.status == "rated":
            continue   # not an upgrade: nothing to simulate, nothing gained (answered, not an error)
        event = GradeEvent(kind="rated", effective=as_of, industry=line.industry, branch=line.branch, grade=grade,
                           site=line.site, seq=10_000_000 + n, note="preview target")
        try:
            ledger.check_event(state, event, today=as_of, options=options)
        except ledger.EventRefused as exc:
            blocking.append(_block("refused", exc.ref, line, exc.until, exc.message.zh, exc.message.en))
            continue
        events.append(event)
    for r in state.restrictions:
        if r.until and r.until > as_of and not any(b["ref"] == r.ref for b in blocking):
            barred = set(r.grades_barred)
            if r.kind == "no_application" or barred & {g for _, g in targets}:
                blocking.append({"kind": r.kind, "ref": r.ref, "until": r.until, "industry": None,
                                 "message": plain(r.reason)})
    if state.status == "under_rectification":
        blocking.append({"kind": "under_rectification", "ref": "G-RECT-CQ", "until": None, "industry": None,
                         "message": {"zh": "整改期间按最低等级管理，整改复核通过前不能升级",
                                     "en": "managed at the lowest grade until the rectification review passes"}})
    targeted = {line.branch for line, _ in targets}
    left = [x for x in state.industries if x.branch not in targeted]
    if left:
        blocking.append({"kind": "short_board", "ref": "G-MULTI", "until": None, "industry": None,
                         "message": {"zh": "综合等级取各行业最低等级：未列入目标的行业 "
                                           + "、".join(f"{x.branch}（{x.grade}）" for x in left) + " 仍决定综合等级",
                                     "en": "the overall grade is the lowest industry grade: industries not targeted ("
                                           + ", ".join(f"{x.branch} {x.grade}" for x in left) + ") still decide it"}})
    return blocking, events


def _block(kind, ref, line, until, zh, en, **extra) -> dict:
    return {"kind": kind, "ref": ref, "until": until, "industry": line.industry, "branch": line.branch,
            "message": {"zh": zh, "en": en}, **extra}


def preview(*, session: Session, body: dict, today: dt.date, caller: Caller = PUBLIC) -> dict:
    """The preview answer (contract POST /api/v1/benefits/preview); nothing is written."""
    as_of = body.get("as_of") or today
    scenario = body.get("scenario") or {}
    ctx = context(alert_level=body.get("alert_level"), include_drafts=body.get("include_drafts"),
                  parameters=body.get("parameters"))
    name, division, facility, regs, events, facts, uscc = _subject(session, body, as_of, caller)
    if scenario.get("allowance_2023_t") is not None:
        facts["allowance_2023_t"] = str(scenario["allowance_2023_t"])
        facts.setdefault("holds_carbon_allowance", True)
    # the grades are taken under the request's drafts switch and parameter overrides, as the measures are
    options = ledger.LedgerOptions(include_drafts=ctx.drafts, parameters=ctx.interpretations.ledger_overrides())
    fold = lambda extra=(): ledger.fold(uscc=uscc, name=name, division=division, facility_division=facility,
                                        registrations=regs, events=[*events, *extra], as_of=as_of, facts=facts,
                                        with_history=False, options=options)
    current_state = fold()
    lm = ctx.interpretations.leading_for(facility[:2] + "0000")
    targets = _targets(body, current_state)
    blocking, target_events = _blocking(current_state, targets, as_of, lm, options)
    target_state = fold(target_events) if target_events else current_state
    current = engine.evaluate(current_state, as_of, ctx)
    target = engine.evaluate(target_state, as_of, ctx)
    gained, lost = upgrade.gained_and_lost(current, target)
    quantified = _quantified(session, current, target, scenario, as_of, division=facility, uscc=uscc, caller=caller)
    quantified["cash_rewards"] = [_figure(f) for f in upgrade.cash_rewards(
        current, target, lambda day: engine.evaluate(target_state, day, ctx))]
    quantified["emergency"] = emergency.preview_figure(
        current=current_state, target=target_state, current_eval=current, target_eval=target, as_of=as_of,
        interp=ctx.interpretations, scenario=scenario)
    shape = _Shapes()
    answer = {
        "as_of": as_of, "uscc": uscc, "name": name, "division": division, "facility_division": facility,
        "include_drafts": current.include_drafts, "parameters": plain(dict(current.parameters)),
        "ruleset": current.ruleset,
        "current": {"overall_grade": current_state.overall_grade, "status": current_state.status,
                    "industries": [{"industry": x.industry, "branch": x.branch, "grade": x.grade,
                                    "rated_grade": x.rated_grade, "status": x.status}
                                   for x in current_state.industries],
                    **shape.brief(current)},
        "target": {"overall_grade": target_state.overall_grade, "status": target_state.status,
                   "grades": [{"industry": line.industry, "branch": line.branch, "grade": g} for line, g in targets],
                   **shape.brief(target)},
        "gained": [shape(b) for b in gained], "lost": [shape(b) for b in lost],
        "blocking": blocking, "quantified": quantified,
        "path": _path(current_state, targets, fold, ctx, as_of, lm, current, target),
        "notes": [] if gained or blocking else [{"zh": "目标不高于现有等级，或没有新增措施",
                                                 "en": "the target is not above the current grade, or adds no measure"}],
    }
    return answer


class _Shapes:
    """The contract's objects of both evaluations, each shaped once per answer: the target repeats part of
    the current evaluation (equal entries are shaped alike), and gained / lost are entries of the two."""

    def __init__(self):
        self._done: dict[str, list[tuple[object, dict]]] = {}

    def __call__(self, item) -> dict:
        same = self._done.setdefault(item.policy_id, [])
        for seen, shaped in same:
            if seen is item or (type(seen) is type(item) and seen == item):
                return shaped
        shaped = not_applicable(item) if isinstance(item, engine.NotApplicable) else benefit(item)
        same.append((item, shaped))
        return shaped

    def brief(self, ev: engine.Evaluation) -> dict:
        """The benefits, obligations and not-applicable measures of services.evaluations.evaluation."""
        return {"benefits": [self(b) for b in ev.benefits], "obligations": [self(o) for o in ev.obligations],
                "not_applicable": [self(n) for n in ev.not_applicable]}


def _path(state, targets, fold, ctx, as_of, lm, current_eval, target_eval) -> list[dict]:
    """For each grade between the current and the target (C → B → A), what that step adds."""
    if len(targets) != 1 and not all(g == targets[0][1] for _, g in targets):
        return []
    goal = targets[0][1]
    line = targets[0][0]
    branch = reference().branches[line.branch]
    ladder = [g for g in reversed(scale_grades(branch.scale, branch.allows_b_minus)) if g != "A+" and g != "B-"]
    start = line.rated_grade if line.status == "rated" else line.grade
    if goal not in ladder or start not in ladder or ladder.index(goal) <= ladder.index(start):
        return []
    steps, previous = [], current_eval
    for grade in ladder[ladder.index(start) + 1: ladder.index(goal) + 1]:
        evs = [GradeEvent(kind="rated", effective=as_of, industry=t.industry, branch=t.branch, grade=grade,
                          site=t.site, seq=20_000_000 + i) for i, (t, _) in enumerate(targets)]
        ev = target_eval if grade == goal else engine.evaluate(fold(evs), as_of, ctx)
        added, _ = upgrade.gained_and_lost(previous, ev)
        steps.append({"grade": grade, "adds": [{"policy_id": b.policy_id, "refs": list(b.refs),
                                                "title": plain(b.title),
                                                "quantity": plain(b.quantity) if b.quantity else None}
                                               for b in added]})
        previous = ev
    return steps


def _quantified(session, current, target, scenario: dict, as_of: dt.date, *, division: str, uscc, caller) -> dict:
    out: dict = {}
    carbon = upgrade.carbon_bonus(target, _dec(scenario.get("carbon_price_yuan_per_t")))
    out["carbon_allowance"] = _figure(carbon) if carbon else {
        "value": None, "unit": "tCO2", "refs": ["CQ-A1-9"],
        "basis": {"zh": "目标等级下无碳配额增发措施适用（或缺少2023年度配额）",
                  "en": "no carbon-allowance measure applies at the target (or the 2023 allowance is missing)"}}
    out["emergency_response"] = _figure(upgrade.emergency_days(
        current, target, scenario.get("alert_days"), _dec(scenario.get("daily_output_value_yuan"))))
    out["emission_rights"] = [_figure(f) for f in upgrade.emission_rights(
        current, target, as_of, _dec(scenario.get("surplus_emission_rights_t")))]
    out["enforcement"] = _figure(upgrade.enforcement_counts(current, target))
    if scenario.get("monitoring"):
        out["env_tax"] = _tax(session, scenario, division, uscc, as_of, caller)
    else:
        out["env_tax"] = {"value": None, "unit": "yuan/year", "refs": ["LAW-13", "NAT-11-TAX"],
                          "basis": {"zh": "未提供监测数据（scenario.monitoring），无法计算减税额",
                                    "en": "no monitoring data (scenario.monitoring): the saving cannot be computed"}}
    return out


def _tax(session, scenario, division, uscc, as_of, caller) -> dict:
    """Tax due before and after the target concentrations, by the tax module (never re-implemented here).

    `monitoring` is an assessment body (records), or `{assessment_id}` of a stored assessment the caller may
    read: its rows are the "before", so the stored figures are reused as they were answered."""
    from incentives.access import Caller

    from . import tax
    reader = Caller(role="admin")   # the preview stores nothing; a stored assessment is read with `caller`
    monitoring = scenario["monitoring"]
    if monitoring.get("assessment_id"):
        if caller.role not in ("tax_bureau", "enterprise", "admin"):
            raise Forbidden("a stored assessment is read with the key of its tax bureau or enterprise")
        before = tax.get(session=session, caller=caller, assessment_id=str(monitoring["assessment_id"]))
        body = {"division": before["division"],
                "outlets": [{"outlet": o, "standards": s} for o, s in _standards(before["rows"]).items()],
                "rates": _request_rates(before)}
    else:
        body = {"division": monitoring.get("division") or division, **monitoring}
        body.pop("uscc", None)
        before = tax.assess_json(session=session, caller=reader, body=body, today=as_of, store=False)
    targets = scenario.get("target_concentrations") or {}
    after_body = {**body, "records": upgrade.after_records(before["rows"], targets)}
    after = tax.assess_json(session=session, caller=reader, body=after_body, today=as_of, store=False)
    months = len({r["month"] for r in before["rows"]}) or 1
    fig = _figure(upgrade.tax_saving(before["rows"], after["rows"], months))
    fig["note"] = {"zh": "环境保护税法第十三条的减征适用于所有纳税人；升级通常要求更低的排放浓度，减税来自浓度下降",
                   "en": "LAW-13's reduction applies to every taxpayer; an upgrade usually needs lower "
                         "concentrations, and the saving comes from them"}
    return fig


def _standards(rows: list[dict]) -> dict:
    out: dict = {}
    for r in rows:
        if r.get("standard") is not None:
            out.setdefault(r["outlet"], {})[r["pollutant"]] = str(r["standard"])
    return out


def _request_rates(answer: dict) -> dict | None:
    """The rates the stored assessment was given by its request (reference rates are looked up again)."""
    given = {r["pollutant"]: str(r["rate"]) for r in answer.get("rates", []) if r.get("source") == "request"}
    return given or None


def _figure(f: upgrade.Figure) -> dict:
    return {"kind": f.kind, "value": f.value, "unit": f.unit, "basis": plain(f.basis), "refs": list(f.refs),
            "detail": plain(f.detail)}


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


PLAN_COLUMNS = ("企业名称", "重点行业类型", "行业分支", "绩效现状", "绩效提升目标", "差异化指标", "存在问题", "改进措施",
                "拟完成时间", "备注")
PLAN_COLUMNS_EN = ("enterprise", "industry", "branch", "current grade", "target grade", "differentiating indicators",
                   "problems", "measures", "planned completion", "remarks")


def plan_rows(answer: dict, lang: str = "zh") -> list[list[str]]:
    """The preview as Ningxia 附件2 rows (提级扩面计划表): one per targeted industry."""
    en = lang == "en"
    current = {(g["industry"], g["branch"]): g for g in answer["current"].get("industries", [])}
    out = []
    for t in answer["target"]["grades"]:
        ind = reference().industries[t["industry"]]
        br = reference().branches[t["branch"]]
        problems = [b["message"]["en" if en else "zh"] + (f"（{b['ref']}" + (f"，{b['until']}解除）" if b.get("until")
                                                             else "）"))
                    for b in answer["blocking"] if b.get("branch") in (None, t["branch"])]
        missing = [f"{m.get('condition')}: {m.get('needed')} ({m.get('ref')})"
                   for n in answer["target"]["not_applicable"] for m in n["missing"]
                   if m.get("condition") not in ("window", "jurisdiction")][:5]
        gained = "；".join(g["title"]["en" if en else "zh"] for g in answer["gained"])
        out.append([answer.get("name") or "", ind.name_en if en else ind.name_zh, br.name_en if en else br.name_zh,
                    current.get((t["industry"], t["branch"]), {}).get("grade") or answer["current"]["overall_grade"] or "",
                    t["grade"], ("indicators of the branch's technical guide for grade " if en else
                                 "按该行业技术指南" ) + t["grade"] + ("" if en else "级指标"),
                    "；".join(problems + missing), "", "", gained])
    return out


def plan_csv(answer: dict, lang: str = "zh") -> str:
    """The 附件2 plan as CSV (cells neutralised)."""
    return cells.csv_text([PLAN_COLUMNS_EN if lang == "en" else PLAN_COLUMNS, *plan_rows(answer, lang)])


def plan_xlsx(answer: dict, lang: str = "zh") -> bytes:
    """The 附件2 plan as XLSX (text cells as text, never formulas)."""
    return cells.xlsx_bytes([("提级扩面计划", [PLAN_COLUMNS_EN if lang == "en" else PLAN_COLUMNS,
                                          *plan_rows(answer, lang)])])
