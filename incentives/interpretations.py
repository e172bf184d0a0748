"""Interpretation parameters: every [interp] choice of the digest, named, documented, overridable per request."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import policies

from .grades import CANONICAL, LETTER_RANK, LeadingMap, UnknownGrade, canonical_grade
from .ledger_rules import check_override
from .reference import division_chain

JURISDICTION_CODES = tuple(policies.JURISDICTIONS)

# G-CROSS and the reading of B- are grading rules of each jurisdiction (policies/*/grading.yaml, kinds
# leading_map and b_minus): Henan 第四条(1), Shaoxing 四(三) and the national emergency rule put 引领 beside A;
# Chongqing 附件1 八 counts 引领 with B; Henan, Ningxia, Shaoxing and Chongqing read B- as B, the national text
# does not. A jurisdiction without its own rule reads as its nearest ancestor's. Keys: jurisdiction codes, or
# (in a request's overrides) policy ids, which win.
DEFAULT_LEADING = tuple((r.jurisdiction, LeadingMap(r.leading, r.non_leading))
                        for r in policies.RULES if r.kind == "leading_map")
DEFAULT_B_MINUS = tuple((r.jurisdiction, bool(r.counts_as_b)) for r in policies.RULES if r.kind == "b_minus")
# Older request names of two registry parameters.
ALIASES = {"chongqing_campaign_end": "chongqing.campaign_end", "ningxia_upgrade_since": "ningxia.upgrade_since"}


@dataclass(frozen=True, slots=True)
class Interpretations:
    """The interpretation parameters in force for one request (defaults = the documented readings)."""
    advanced_grades: tuple[str, ...] = ("A+", "A", "B", "引领")
    leading_map: tuple[tuple[str, LeadingMap], ...] = DEFAULT_LEADING
    b_minus_counts_as_b: tuple[tuple[str, bool], ...] = DEFAULT_B_MINUS
    include_drafts: bool = False
    chongqing_campaign_end: date | None = None     # None: the dated parameter chongqing.campaign_end
    ningxia_upgrade_since: date | None = None       # None: the dated parameter ningxia.upgrade_since
    registry: tuple[tuple[str, Any], ...] = ()      # overrides of registry parameters (policies/*/parameters.yaml)
    _lookup: dict = field(init=False, default=None, compare=False, hash=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_lookup", {
            "leading": dict(self.leading_map), "b_minus": dict(self.b_minus_counts_as_b)})

    def leading_for(self, jurisdiction: str) -> LeadingMap:
        """The 引领/非引领 mapping of a jurisdiction (G-CROSS); its nearest ancestor's when it has none."""
        m = self._lookup["leading"]
        return next((m[c] for c in reversed(division_chain(jurisdiction)) if c in m), LeadingMap())

    def b_minus_for(self, policy_id: str, jurisdiction: str) -> bool:
        """Whether B- counts as B for one measure (policy id, else jurisdiction, else its ancestors)."""
        m = self._lookup["b_minus"]
        for key in (policy_id, *reversed(division_chain(jurisdiction))):
            if key in m:
                return m[key]
        return False

    def override(self, name: str) -> Any:
        """A request's value for a registry parameter, or None (then the dated value applies)."""
        for key, value in self.registry:
            if key == name:
                return value
        legacy = next((k for k, v in ALIASES.items() if v == name), None)
        return getattr(self, legacy) if legacy else None

    def ledger_overrides(self) -> tuple[tuple[str, Any], ...]:
        """The registry overrides the grade ledger reads (grading rules' parameters)."""
        return tuple((k, v) for k, v in self.registry if k not in ALIASES.values())

    def as_dict(self) -> dict[str, Any]:
        """The values used, JSON-friendly, for echoing in every answer."""
        return {
            "advanced_grades": list(self.advanced_grades),
            "leading_map": {code: {"引领": m.leading, "非引领": m.non_leading} for code, m in self.leading_map},
            "b_minus_counts_as_b": dict(self.b_minus_counts_as_b),
            "include_drafts": self.include_drafts,
            "chongqing_campaign_end": (self.chongqing_campaign_end.isoformat()
                                       if self.chongqing_campaign_end else None),
            "ningxia_upgrade_since": (self.ningxia_upgrade_since or
                                      policies.PARAMETERS["ningxia.upgrade_since"].values[-1].value).isoformat(),
            "registry": {**{name: _plain(policies.PARAMETERS[name].values[-1].value)
                            for name, info in policies.CATALOGUE.parameter_specs.items() if info.override},
                         **{k: _plain(v) for k, v in self.registry}},
        }

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> Interpretations:
        """Defaults with a request's overrides applied; ValueError naming the field and the allowed values."""
        base = cls()
        if not overrides:
            return base
        changes: dict[str, Any] = {}
        registry: dict[str, Any] = {}
        for name, value in overrides.items():
            if name in DOCS:
                changes[name] = _PARSERS[name](name, value, base)
            elif name in policies.PARAMETERS:
                registry[name] = _registry_value(name, value)
            else:
                raise ValueError(f"{name}: unknown parameter; allowed: {', '.join(DOCS)} or a registry parameter "
                                 "(GET /policies/parameters)")
        if registry:
            changes["registry"] = tuple(sorted(registry.items()))
        return replace(base, **changes)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _registry_value(name: str, value: Any) -> Any:
    """A request's value for a registry parameter, parsed by the parameter's kind and checked (ValueError)."""
    info = policies.CATALOGUE.parameter_specs[name]
    if info.kind == "date" and isinstance(value, str):
        value = _parse_date(name, value, None)
    try:
        check_override(name, value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return value


def _fail(name: str, allowed: str) -> ValueError:
    return ValueError(f"{name}: allowed values are {allowed}")


def _grade(name: str, text: Any, allowed: str) -> str:
    try:
        return canonical_grade(text)
    except UnknownGrade:
        raise _fail(name, allowed) from None


def _parse_advanced(name, value, base):
    allowed = "a list of grades among " + ", ".join(CANONICAL)
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise _fail(name, allowed)
    grades = tuple(dict.fromkeys(_grade(name, v, allowed) for v in value))
    return tuple(g for g in CANONICAL if g in grades)


def _parse_leading(name, value, base):
    allowed = ("{code: {'引领': letter, '非引领': letter}} with code in " + ", ".join(JURISDICTION_CODES)
               + " and letters among " + ", ".join(LETTER_RANK))
    if not isinstance(value, dict):
        raise _fail(name, allowed)
    merged = dict(base.leading_map)
    for code, pair in value.items():
        if code not in JURISDICTION_CODES or not isinstance(pair, dict):
            raise _fail(name, allowed)
        current = merged.get(code) or base.leading_for(code)
        lead = _grade(name, pair.get("引领", pair.get("leading", current.leading)), allowed)
        non = _grade(name, pair.get("非引领", pair.get("non_leading", current.non_leading)), allowed)
        if lead not in LETTER_RANK or non not in LETTER_RANK or LETTER_RANK[lead] < LETTER_RANK[non]:
            raise _fail(name, allowed)
        merged[code] = LeadingMap(lead, non)
    return tuple(merged.items())


def _parse_b_minus(name, value, base):
    allowed = "true, false, or {jurisdiction code or policy id: true|false}"
    if isinstance(value, bool):
        return tuple((code, value) for code, _ in base.b_minus_counts_as_b)
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise _fail(name, allowed)
    merged = dict(base.b_minus_counts_as_b)
    for key, flag in value.items():
        if not isinstance(key, str) or not (key in JURISDICTION_CODES or "." in key):
            raise _fail(name, allowed)
        merged[key] = flag
    return tuple(merged.items())


def _parse_choice(choices):
    def parse(name, value, base):
        if value not in choices:
            raise _fail(name, ", ".join(map(str, choices)))
        return value
    return parse


def _parse_date(name, value, base):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _fail(name, "an ISO date YYYY-MM-DD") from None


_PARSERS = {
    "advanced_grades": _parse_advanced,
    "leading_map": _parse_leading,
    "b_minus_counts_as_b": _parse_b_minus,
    "include_drafts": _parse_choice((True, False)),
    "chongqing_campaign_end": _parse_date,
    "ningxia_upgrade_since": _parse_date,
}

DEFAULTS = Interpretations()

# What /policies/parameters lists: default, allowed values, description and where the question comes from.
DOCS: dict[str, dict[str, Any]] = {
    "advanced_grades": {
        "default": DEFAULTS.as_dict()["advanced_grades"],
        "allowed": "a list of grades among " + ", ".join(CANONICAL),
        "refs": ["NAT-10-2", "NAT-10-3", "NAT-11-3", "NAT-11-4", "NAT-11-5", "NAT-11-6", "NAT-11-TAX"],
        "source": "环办大气〔2026〕2号 四(十)(十一): 绩效等级先进 is not defined; digest [interp]",
        "description": {"zh": "国家文件“绩效等级先进企业”包含的等级；默认A+、A、B和引领，B-不算先进。",
                        "en": "Grades that count as 'advanced' in the national text; default A+, A, B and "
                              "引领 (B- is not advanced)."},
    },
    "leading_map": {
        "default": DEFAULTS.as_dict()["leading_map"],
        "allowed": "per jurisdiction code, the letter grade 引领 and 非引领 count as",
        "refs": ["G-CROSS", "HN-4-1", "SX-4-3", "CQ-A1-8"],
        "source": "G-CROSS: Henan 第四条(1), Shaoxing 四(三), national 四(十) treat 引领 like A; Chongqing 附件1 八 "
                  "and 二 count 引领 with B",
        "description": {"zh": "各地“绩效引领/非引领”对应的A–D等级。",
                        "en": "The letter grade 引领/非引领 count as, per jurisdiction."},
    },
    "b_minus_counts_as_b": {
        "default": DEFAULTS.as_dict()["b_minus_counts_as_b"],
        "allowed": "true, false, or {jurisdiction code or policy id: true|false}",
        "refs": ["G-SCALE", "NAT-10-1", "HN-4-1", "CQ-A1-5"],
        "source": "Henan 第四条(1) 'B（含B-，下同）', Ningxia 二(四), Shaoxing 二(一), Chongqing 四(二) 'B（B-）'; "
                  "national text silent",
        "description": {"zh": "B-是否按B级对待（按措施或辖区设置）。",
                        "en": "Whether B- counts as B, per measure or jurisdiction."},
    },
    "include_drafts": {
        "default": DEFAULTS.include_drafts,
        "allowed": [True, False],
        "refs": [],
        "source": "api-contract: measures of 征求意见稿 are left out unless asked (Ningxia, Shaoxing drafts)",
        "description": {"zh": "是否包括征求意见稿中的措施（结果标注draft）。",
                        "en": "Whether measures from drafts (征求意见稿) are evaluated; they are marked draft."},
    },
    "chongqing_campaign_end": {
        "default": "2024-12-31",
        "allowed": "an ISO date (default: the value of parameter chongqing.campaign_end)",
        "refs": ["CQ-2", "CQ-A1-9"],
        "source": "Chongqing notice 一、工作时段 2024年8月1日—12月31日（根据工作需要，可适当延长）; "
                  "parameter chongqing.campaign_end",
        "description": {"zh": "重庆“创B争A”工作时段的最后一天（延长时修改）。",
                        "en": "Last day of Chongqing's campaign (change it if the campaign is extended)."},
    },
    "ningxia_upgrade_since": {
        "default": DEFAULTS.as_dict()["ningxia_upgrade_since"],
        "allowed": "an ISO date",
        "refs": ["NX-A1-2", "NX-A1-8", "NX-A1-10"],
        "source": "Ningxia plan 三、阶段划分 starts 2025-01; '提级晋A' is read as an upgrade on or after that day",
        "description": {"zh": "宁夏“提级晋A”计入的最早升级日期。",
                        "en": "Earliest upgrade date that counts as Ningxia '提级晋A'."},
    },
}
