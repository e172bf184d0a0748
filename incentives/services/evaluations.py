"""Evaluations as plain dicts for the edge: Text stays {zh, en}, Decimals stay exact, windows show the last day."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import policies
from incentives.engine import Benefit, Evaluation, NotApplicable, Obligation
from incentives.explain import Step, Text
from incentives.periods import Window
from incentives.reference import division_name


def plain(value: Any) -> Any:
    """Values of explanation steps as JSON-ready data (Decimal kept exact as Decimal for the schema)."""
    if isinstance(value, Text):
        return {"zh": value.zh, "en": value.en}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value
    if hasattr(value, "__slots__") and not isinstance(value, (str, int, float, bool)):
        return {name: plain(getattr(value, name)) for name in value.__slots__ if not name.startswith("_")}
    return value


def window(w: Window) -> dict:
    """A window as the contract's `effective` {from, to (last day in force)}."""
    return {"from": w.start, "to": w.last_day}


def step(s: Step) -> dict:
    """An explanation step."""
    return {"ref": s.ref, "text": plain(s.text), "outcome": s.outcome, "values": plain(dict(s.values)),
            "needed": s.needed}


def jurisdiction(code: str) -> dict:
    """{code, name}: the catalogue's name of a jurisdiction, else the divisions table's."""
    known = policies.JURISDICTIONS.get(code)
    if known is not None:
        return {"code": code, "name": {"zh": known.name.zh, "en": known.name.en}}
    return {"code": code, "name": {"zh": division_name(code, "zh") or code, "en": division_name(code, "en") or code}}


def source(src) -> dict:
    return {"document": src.document, "clause": src.clause, "status": src.status}


def benefit(b: Benefit | Obligation) -> dict:
    """The contract's benefit object."""
    out = {"policy_id": b.policy_id, "refs": list(b.refs), "category": b.category,
           "jurisdiction": jurisdiction(b.jurisdiction), "title": plain(b.title), "source": source(b.source),
           "effective": window(b.effective), "status": b.status,
           "explanation": [step(s) for s in b.explanation],
           "treatment": dict(b.treatment) if b.treatment else None}
    quantity = getattr(b, "quantity", None)
    out["quantity"] = None if quantity is None else {
        "value": quantity.value, "unit": quantity.unit, "basis": plain(quantity.basis)}
    return out


def not_applicable(n: NotApplicable) -> dict:
    """A measure not applicable, with what is missing."""
    return {"policy_id": n.policy_id, "refs": list(n.refs), "category": n.category,
            "jurisdiction": jurisdiction(n.jurisdiction), "title": plain(n.title), "status": n.status,
            "missing": [plain(m) for m in n.missing], "explanation": [step(s) for s in n.steps]}


def evaluation(ev: Evaluation) -> dict:
    """Benefits, obligations and non-benefits with what they were computed from."""
    return {"as_of": ev.as_of, "include_drafts": ev.include_drafts, "alert_level": ev.alert_level,
            "parameters": plain(dict(ev.parameters)), "ruleset": ev.ruleset,
            "benefits": [benefit(b) for b in ev.benefits],
            "obligations": [benefit(o) for o in ev.obligations],
            "not_applicable": [not_applicable(n) for n in ev.not_applicable]}
