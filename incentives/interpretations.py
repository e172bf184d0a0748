"""Interpretation parameters: every [interp] choice of the digest, named, documented, overridable per request."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .grades import CANONICAL, LETTER_RANK, LeadingMap, UnknownGrade, canonical_grade

JURISDICTION_CODES = ("000000", "410000", "500000", "640000", "330600")
SHAOXING_CROSS = ("lowest", "main")


def _leading(leading: str, non_leading: str) -> LeadingMap:
    return LeadingMap(leading=leading, non_leading=non_leading)


# G-CROSS: Henan 第四条(1), Shaoxing 四(三) and the national emergency rule put 引领 beside A; Chongqing 附件1 八
# and 二、工作目标 ("B级（引领性）及以上") count 引领 with B. Ningxia is silent: national default.
DEFAULT_LEADING = (
    ("000000", _leading("A", "C")),
    ("410000", _leading("A", "C")),
    ("500000", _leading("B", "C")),
    ("640000", _leading("A", "C")),
    ("330600", _leading("A", "C")),
)
# Whether B- counts as B in grade floors. Henan 第四条(1) "B（含 B-，下同）", Ningxia 二(四) "B（含 B-）",
# Shaoxing 二(一) "B（含B-）", Chongqing 四(二) "B（B-）级" group it with B; the national text does not (B- is
# not "advanced", digest). Keys are jurisdiction codes or policy ids (a policy id wins).
DEFAULT_B_MINUS = (("000000", False), ("410000", True), ("500000", True), ("640000", True), ("330600", True))


@dataclass(frozen=True, slots=True)
class Interpretations:
    """The interpretation parameters in force for one request (defaults = the documented readings)."""
    advanced_grades: tuple[str, ...] = ("A+", "A", "B", "引领")
    leading_map: tuple[tuple[str, LeadingMap], ...] = DEFAULT_LEADING
    b_minus_counts_as_b: tuple[tuple[str, bool], ...] = DEFAULT_B_MINUS
    shaoxing_cross: str = "lowest"
    include_drafts: bool = False
    chongqing_campaign_end: date | None = None     # None: the dated parameter chongqing.campaign_end
    ningxia_upgrade_since: date = date(2025, 1, 1)
    # EG-COUNT (policies/emergency.md): how an emergency or staggered day is counted (incentives/emergency.py).
    emergency_own_measures_cut: Decimal = Decimal(0)
    emergency_aplus_as_a: bool = True
    emergency_line_stop_share: bool = True
    emergency_may_shorten_days: int | None = None
    emergency_alert_days_on_running_days: bool = True
    _lookup: dict = field(init=False, default=None, compare=False, hash=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_lookup", {
            "leading": dict(self.leading_map), "b_minus": dict(self.b_minus_counts_as_b)})

    def leading_for(self, jurisdiction: str) -> LeadingMap:
        """The 引领/非引领 mapping of a jurisdiction (G-CROSS); national when the jurisdiction has none."""
        m = self._lookup["leading"]
        return m.get(jurisdiction) or m.get(jurisdiction[:2] + "0000") or m["000000"]

    def b_minus_for(self, policy_id: str, jurisdiction: str) -> bool:
        """Whether B- counts as B for one measure (policy id, else jurisdiction, else national)."""
        m = self._lookup["b_minus"]
        for key in (policy_id, jurisdiction, jurisdiction[:2] + "0000", "000000"):
            if key in m:
                return m[key]
        return False

    def as_dict(self) -> dict[str, Any]:
        """The values used, JSON-friendly, for echoing in every answer."""
        return {
            "advanced_grades": list(self.advanced_grades),
            "leading_map": {code: {"引领": m.leading, "非引领": m.non_leading} for code, m in self.leading_map},
            "b_minus_counts_as_b": dict(self.b_minus_counts_as_b),
            "shaoxing_cross": self.shaoxing_cross,
            "include_drafts": self.include_drafts,
            "chongqing_campaign_end": (self.chongqing_campaign_end.isoformat()
                                       if self.chongqing_campaign_end else None),
            "ningxia_upgrade_since": self.ningxia_upgrade_since.isoformat(),
            "emergency_own_measures_cut": str(self.emergency_own_measures_cut),
            "emergency_aplus_as_a": self.emergency_aplus_as_a,
            "emergency_line_stop_share": self.emergency_line_stop_share,
            "emergency_may_shorten_days": self.emergency_may_shorten_days,
            "emergency_alert_days_on_running_days": self.emergency_alert_days_on_running_days,
        }

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> Interpretations:
        """Defaults with a request's overrides applied; ValueError naming the field and the allowed values."""
        base = cls()
        if not overrides:
            return base
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in DOCS:
                raise ValueError(f"{name}: unknown parameter; allowed: {', '.join(DOCS)}")
            changes[name] = _PARSERS[name](name, value, base)
        return replace(base, **changes)


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
        current = merged[code]
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


def _parse_share(name, value, base):
    allowed = "a decimal number from 0 to 1"
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)) or len(str(value)) > 20:
        raise _fail(name, allowed)
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise _fail(name, allowed) from None
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        raise _fail(name, allowed)
    return share


def _parse_days(name, value, base):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
        raise _fail(name, "null, or a whole number of days from 0 to 366")
    return value


_PARSERS = {
    "advanced_grades": _parse_advanced,
    "leading_map": _parse_leading,
    "b_minus_counts_as_b": _parse_b_minus,
    "shaoxing_cross": _parse_choice(SHAOXING_CROSS),
    "include_drafts": _parse_choice((True, False)),
    "chongqing_campaign_end": _parse_date,
    "ningxia_upgrade_since": _parse_date,
    "emergency_own_measures_cut": _parse_share,
    "emergency_aplus_as_a": _parse_choice((True, False)),
    "emergency_line_stop_share": _parse_choice((True, False)),
    "emergency_may_shorten_days": _parse_days,
    "emergency_alert_days_on_running_days": _parse_choice((True, False)),
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
    "shaoxing_cross": {
        "default": DEFAULTS.shaoxing_cross,
        "allowed": list(SHAOXING_CROSS),
        "refs": ["G-MULTI"],
        "source": "Shaoxing 三(二) 主要行业+参照行业 … 交叉级别; digest [interp]: lowest unless a Zhejiang rule "
                  "says otherwise",
        "description": {"zh": "绍兴跨行业企业的总体等级：lowest取最低行业等级；main取主要行业（事实main_industry，缺省为第一个行业）等级。",
                        "en": "Shaoxing cross-industry grade: 'lowest' industry grade, or 'main' industry's grade "
                              "(fact main_industry, else the first industry)."},
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
        "default": DEFAULTS.ningxia_upgrade_since.isoformat(),
        "allowed": "an ISO date",
        "refs": ["NX-A1-2", "NX-A1-8", "NX-A1-10"],
        "source": "Ningxia plan 三、阶段划分 starts 2025-01; '提级晋A' is read as an upgrade on or after that day",
        "description": {"zh": "宁夏“提级晋A”计入的最早升级日期。",
                        "en": "Earliest upgrade date that counts as Ningxia '提级晋A'."},
    },
    "emergency_own_measures_cut": {
        "default": "0",
        "allowed": "a decimal number from 0 to 1",
        "refs": ["EG-COUNT", "EG-CEM-1"],
        "source": "guide 水泥熟料 A: '鼓励结合实际，自主采取减排措施' only encourages: no mandated cut (emergency.md §3)",
        "description": {"zh": "“自主采取减排措施”计为的限产比例；默认0（无强制限产）。",
                        "en": "Share of output counted as cut under 'own measures'; default 0 (no mandated cut)."},
    },
    "emergency_aplus_as_a": {
        "default": True,
        "allowed": [True, False],
        "refs": ["EG-CEM-1", "G-APLUS"],
        "source": "the 2020 guide predates A+ (2026 guidance): A+ read as A in its tables",
        "description": {"zh": "应急减排措施表中A+按A级对待；false时A+的措施不计算。",
                        "en": "A+ takes the A row of a measure table; false: A+ is left unquantified."},
    },
    "emergency_line_stop_share": {
        "default": True,
        "allowed": [True, False],
        "refs": ["EG-COUNT", "EG-CEM-1"],
        "source": "C yellow '停产50%，以生产线计': half the lines taken as half the output (lines may differ in size)",
        "description": {"zh": "“停产50%，以生产线计”按产量的50%计；false时不计算。",
                        "en": "'Half the lines stop' counted as half the output; false: not counted."},
    },
    "emergency_may_shorten_days": {
        "default": None,
        "allowed": "null, or a whole number of days from 0 to 366",
        "refs": ["EG-COUNT", "JL-CF26-2", "NX-A1-7"],
        "source": "JL-CF26-2 '可适当缩短错峰生产时间' gives no number: null leaves it unquantified; a number is the "
                  "caller's assumption (what-if), echoed",
        "description": {"zh": "“可适当缩短错峰生产时间”假定缩短的天数（每个时段）；默认不计算。",
                        "en": "Days per season assumed for 'may shorten the staggered time'; default: not quantified."},
    },
    "emergency_alert_days_on_running_days": {
        "default": True,
        "allowed": [True, False],
        "refs": ["EG-COUNT"],
        "source": "the texts are silent on alert days inside staggered stops: scenario.alert_days are read as days the "
                  "line would otherwise run, so the two parts add",
        "description": {"zh": "所给预警天数均为本应生产的日子（不在错峰停产期内），预警与错峰两部分相加；false时分别列出。",
                        "en": "The alert days given fall on days the line would run, so alert and staggered parts "
                              "add; false: listed separately."},
    },
}
