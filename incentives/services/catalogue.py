"""The policy catalogue as the API lists it: sources, windows, parameters with per-value refs, clause text."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import policies
from incentives import interpretations
from incentives.errors import NotFound
from incentives.explain import Text
from incentives.reference import division_chain
from policies.clauses import clause_text

from .evaluations import jurisdiction, plain, source, window


@dataclass(frozen=True, slots=True)
class DatedValueView:
    """One dated value of a parameter: in force `from_` to `to` (last day), with its ref and source."""
    from_: dt.date | None
    to: dt.date | None
    value: Any                       # JSON-ready (lists, {zh, en}, exact Decimals)
    ref: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class ParameterView:
    """A named parameter as a measure shows it: its dated values."""
    name: str
    description: str
    unit: str | None
    values: tuple[DatedValueView, ...]


@dataclass(frozen=True, slots=True)
class RegistryParameterView:
    """A parameter of the registry: what it decides, its allowed values, whether a request may set it."""
    name: str
    description: Text
    unit: str | None
    values: tuple[DatedValueView, ...]
    jurisdiction: str
    kind: str
    choices: Any
    override: bool
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParameterRegistry:
    """/policies/parameters: the registry, the request-level interpretations, every dated value, the tax's choices."""
    registry: tuple[RegistryParameterView, ...]
    interpretations: dict
    dated: tuple[ParameterView, ...]
    env_tax: dict


def _values(p) -> tuple[DatedValueView, ...]:
    return tuple(DatedValueView(v.window.start, v.window.last_day, plain(v.value), v.ref, v.source) for v in p.values)


def _parameter(p) -> ParameterView:
    return ParameterView(p.name, p.description, p.unit, _values(p))


def _effective(p) -> dict:
    """The window; a campaign whose end is a dated parameter shows that end (an extension is data)."""
    eff = window(p.window)
    if p.window_end and p.window_end in p.params:
        eff["to"] = p.params[p.window_end].values[-1].value
    return eff


def policy_dict(p, *, with_text: bool = False) -> dict:
    """One policy as listed."""
    out = {"policy_id": p.policy_id, "refs": list(p.refs), "category": p.category,
           "jurisdiction": jurisdiction(p.jurisdiction), "title": plain(p.title), "source": source(p.source),
           "status": p.status, "confidence": p.confidence, "effective": _effective(p), "obligation": p.is_obligation,
           "quantified": p.quantity is not None,
           "parameters": [_parameter(x) for x in p.params.values()]}
    if with_text:
        out["clause_text"] = clause_text(p)
    return out


def list_policies(*, division: str | None, as_of: dt.date | None, category: str | None,
                  include_drafts: bool = True, with_text: bool = False) -> list[dict]:
    """Policies of a division's jurisdiction chain (all if none), in force on `as_of` if given."""
    chain = set(division_chain(division)) if division else None
    out = []
    for p in policies.ALL:
        if chain is not None and p.jurisdiction not in chain:
            continue
        if category and p.category != category:
            continue
        eff = _effective(p)
        if as_of and not ((eff["from"] is None or eff["from"] <= as_of) and (eff["to"] is None or as_of <= eff["to"])):
            continue
        if not include_drafts and p.status == "draft":
            continue
        out.append(policy_dict(p, with_text=with_text))
    return out


def get_policy(policy_id: str) -> list[dict]:
    """Every version of one policy, with its clause text."""
    versions = policies.BY_ID.get(policy_id)
    if not versions:
        raise NotFound(f"no policy {policy_id}")
    return [policy_dict(p, with_text=True) for p in versions]


def registry_parameter(name: str) -> RegistryParameterView:
    """One parameter of the registry: what it decides, its allowed values, whether a request may set it."""
    info, p = policies.CATALOGUE.parameter_specs[name], policies.PARAMETERS[name]
    return RegistryParameterView(name, info.description, p.unit, _values(p), info.jurisdiction, info.kind,
                                 plain(info.choices), info.override, tuple(info.refs))


def parameters() -> ParameterRegistry:
    """The parameter registry (every named value the computation reads), the request-level interpretations,
    and the tax module's interpretation choices."""
    from incentives import env_tax
    return ParameterRegistry(tuple(registry_parameter(n) for n in policies.PARAMETERS),
                             {k: plain(v) for k, v in interpretations.DOCS.items()},
                             tuple(_parameter(p) for p in policies.PARAMETERS.values()),
                             {k: plain(v) for k, v in env_tax.PARAMETER_DOCS.items()})
