"""The jurisdiction tree the catalogue encodes (contract 1.1 "Jurisdictions and the catalogue"): typed results."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import policies
from incentives.explain import Text
from incentives.policy import GradingRule
from incentives.reference import division_chain, division_name
from incentives.rules import param_value
from policies.catalogue import DocumentInfo

from .catalogue import list_policies


@dataclass(frozen=True, slots=True)
class Effective:
    """Days in force: `from` the first, `to` the last (the API's convention)."""
    from_: dt.date | None
    to: dt.date | None


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    title: str
    number: str | None
    issuer: str | None
    signed: dt.date | None
    issued: dt.date | None
    status: str                      # in_force | draft | expired, at as_of
    confidence: str
    source: dict
    effective: Effective


@dataclass(frozen=True, slots=True)
class RuleView:
    id: str
    rule: str
    refs: tuple[str, ...]
    jurisdiction: str
    clause: str
    title: Text
    status: str                      # in_force | draft | expired, at as_of
    effective: Effective


@dataclass(frozen=True, slots=True)
class JurisdictionView:
    code: str
    name: Text
    parent: str | None
    documents: tuple[DocumentView, ...]
    grading_rules: tuple[RuleView, ...]
    measures: int


@dataclass(frozen=True, slots=True)
class JurisdictionDetail:
    code: str
    name: Text
    parent: str | None
    as_of: dt.date
    chain: tuple[JurisdictionView, ...]        # national first: the catalogue jurisdictions containing `code`
    grading_rules: tuple[RuleView, ...]        # in force on the chain at as_of (drafts marked)
    measures: tuple[dict, ...]                 # the policies in force on the chain at as_of (policy objects)


def _effective(start: dt.date | None, end: dt.date | None, end_param: str | None) -> Effective:
    last = end - dt.timedelta(days=1) if end else None
    if end_param:
        last = param_value(end_param, start or dt.date.min)
    return Effective(start, last)


def _status(draft: bool, expired_flag: bool, eff: Effective, as_of: dt.date) -> str:
    if expired_flag or (eff.to is not None and as_of > eff.to):
        return "expired"
    return "draft" if draft else "in_force"


def _document(d: DocumentInfo, as_of: dt.date) -> DocumentView:
    eff = _effective(d.window.start, d.window.end, d.window_end)
    return DocumentView(d.id, d.title, d.number, d.issuer, d.signed, d.issued,
                        _status(d.status == "draft", d.status == "expired", eff, as_of), d.confidence,
                        {"file": d.file, "url": d.url}, eff)


def _rule(r: GradingRule, as_of: dt.date) -> RuleView:
    eff = _effective(r.window.start, r.window.end, r.window_end)
    return RuleView(r.rule_id, r.kind, r.refs, r.jurisdiction, r.source.clause, r.title,
                    _status(r.status == "draft", False, eff, as_of), eff)


def _view(code: str, as_of: dt.date) -> JurisdictionView:
    j = policies.JURISDICTIONS[code]
    return JurisdictionView(j.code, j.name, j.parent, tuple(_document(d, as_of) for d in j.documents),
                            tuple(_rule(r, as_of) for r in j.rules), len(j.measures))


def tree(*, as_of: dt.date) -> list[JurisdictionView]:
    """Every jurisdiction the catalogue encodes, national first, with its documents and grading rules."""
    return [_view(code, as_of) for code in sorted(policies.JURISDICTIONS)]


def detail(*, code: str, as_of: dt.date) -> JurisdictionDetail:
    """A division and what applies there at `as_of`: its chain, the rules and the measures in force on it."""
    chain = tuple(c for c in division_chain(code) if c in policies.JURISDICTIONS)
    own = policies.JURISDICTIONS.get(code)
    if own is not None:
        name, parent = own.name, own.parent
    else:
        name = Text(division_name(code, "zh") or code, division_name(code, "en") or code)
        parent = chain[-1]
    rules = tuple(view for c in chain for view in (_rule(r, as_of) for r in policies.JURISDICTIONS[c].rules)
                  if view.status != "expired" and (view.effective.from_ is None or view.effective.from_ <= as_of))
    measures = tuple(list_policies(division=code, as_of=as_of, category=None, include_drafts=True))
    return JurisdictionDetail(code, name, parent, as_of, tuple(_view(c, as_of) for c in chain), rules, measures)
