"""What a grade means during heavy-pollution alerts and staggered production, and what an upgrade is worth
(pure). Measures come from the tables and calendars of policies/emergency_tables.py; the counting rules are
EG-COUNT (policies/emergency.md), each choice a named interpretation parameter (interpretations.py).

- An alert day costs `cut` of a day's output: a stop 1, "限产20%" 0.2, "停产50%，以生产线计" 0.5
  (`emergency.line_stop_share`), own measures `emergency.own_measures_cut` (default 0). Transport bans are
  listed, never counted.
- A staggered season costs the days a line stops; "可适当缩短" has no number: not quantified unless the caller
  states the days in `emergency.may_shorten_days` (a what-if, echoed).
The parameters are registry parameters (policies/000000-national/parameters.yaml), overridable per request.
- Output no longer cut = Σ days × (cut before − cut after) + Σ (days stopped before − after), in days of output;
  × daily output value (yuan) and × daily capacity (t, the base of EG-CEM-BASE).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import policies
from policies.emergency_tables import ALERT_COLOURS, Calendar, EmergencyCatalogue, Located, MeasureTable

from .explain import Text
from .interpretations import Interpretations
from .money import ZERO, dec, round_half_up
from .reference import division_chain

ONE = Decimal(1)
TONNE_STEP = Decimal("0.001")
NO_TABLE = Text("该行业的应急减排措施表未编码，无法计算", "the industry's measure table is not encoded")


def round_tonnes(amount: Decimal) -> Decimal:
    """Round reported tonnes to the kilogram (0.001 t), half up: the texts set no rule; one rounding, here."""
    return amount.quantize(TONNE_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Counting:
    """The EG-COUNT parameters in force: the registry's dated values at `as_of`, or a request's overrides."""
    own_measures_cut: Decimal
    aplus_as_a: bool
    line_stop_share: bool
    may_shorten_days: int | None
    alert_days_on_running_days: bool

    @classmethod
    def at(cls, as_of: date, interp: Interpretations) -> Counting:
        """The values for one request."""
        def value(name: str):
            given = interp.override(f"emergency.{name}")
            return given if given is not None else policies.PARAMETERS[f"emergency.{name}"].at(as_of).value
        return cls(dec(value("own_measures_cut")), bool(value("aplus_as_a")), bool(value("line_stop_share")),
                   value("may_shorten_days"), bool(value("alert_days_on_running_days")))


@dataclass(frozen=True, slots=True)
class Line:
    """An industry line as the measures see it: its branch and managed grade."""
    industry: str
    branch: str
    grade: str | None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class AlertMeasure:
    """What one line must do on a day of one alert level; `cut` None where the share is not counted."""
    level: str
    production: str
    share: Decimal | None
    cut: Decimal | None
    transport: str
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LineAlerts:
    """A line's measures per alert level (yellow, orange, red), or why there are none."""
    table: Located | None
    grade_read_as: str | None
    measures: tuple[AlertMeasure, ...]
    reason: Text | None
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeasonDays:
    """Days a line stops in one season of a calendar; None when the text gives no number."""
    season_id: str
    name: Text
    periods: tuple[tuple[date, date | None], ...]
    calendar_days: int | None
    days_stopped: int | None
    basis: Text | None


@dataclass(frozen=True, slots=True)
class LineCalendar:
    """A calendar in force for a line: the treatment its grade gets, with the ref, and the days per season."""
    calendar: Located
    treatment: str
    ref: str
    seasons: tuple[SeasonDays, ...]

    @property
    def days_stopped(self) -> int | None:
        """Days stopped over the calendar; None if any season has no number."""
        days = [s.days_stopped for s in self.seasons]
        return None if any(d is None for d in days) else sum(days)


# --- lookups --------------------------------------------------------------------------------------------

def _covers(item, line: Line) -> bool:
    return line.branch in item.branches or line.industry in item.industries


def _in_force(cat_items: Iterable[Located], line: Line, division: str, as_of: date) -> list[Located]:
    chain = division_chain(division)
    found = [x for x in cat_items if x.jurisdiction in chain and x.item.window.window.contains(as_of)
             and _covers(x.item, line)]
    return sorted(found, key=lambda x: chain.index(x.jurisdiction))


def table_for(cat: EmergencyCatalogue, line: Line, division: str, as_of: date) -> Located | None:
    """The measure table for a line: the most local one in force (a province's table overrides the guide's)."""
    found = _in_force(cat.tables, line, division, as_of)
    return found[-1] if found else None


def calendars_for(cat: EmergencyCatalogue, line: Line, division: str, as_of: date) -> list[Located]:
    """Staggered-production calendars in force for a line; a local calendar that replaces another drops it."""
    found = _in_force(cat.calendars, line, division, as_of)
    replaced = {x.item.replaces for x in found if x.item.replaces}
    return [x for x in found if x.item.id not in replaced]


def _cut(production: str, share: Decimal | None, counting: Counting) -> Decimal | None:
    if production == "none":
        return ZERO
    if production == "own_measures":
        return counting.own_measures_cut
    if production == "cut":
        return share
    if production == "stop_lines":
        return share if counting.line_stop_share else None
    return ONE


def alert_measures(cat: EmergencyCatalogue, line: Line, division: str, as_of: date,
                   counting: Counting) -> LineAlerts:
    """A line's measures per alert level under its table, or the reason none is given."""
    located = table_for(cat, line, division, as_of)
    if located is None:
        return LineAlerts(None, None, (), NO_TABLE, ())
    table: MeasureTable = located.item
    grade = line.grade
    if grade == "A+" and "A+" not in table.grades and counting.aplus_as_a:
        grade = "A"      # EG-CEM-1 note: under the 2026 guidance A+ is above A (emergency.aplus_as_a)
    refs = tuple(table.refs) + ((table.cut_base.ref,) if table.cut_base else ())
    if grade not in table.grades:
        return LineAlerts(located, grade, (), Text(f"措施表没有{line.grade or '未定级'}级的措施", f"the table has no "
                                                   f"row for grade {line.grade or 'unrated'}"), refs)
    row = table.grades[grade]
    measures = tuple(AlertMeasure(level, row[level].production, row[level].share,
                                  _cut(row[level].production, row[level].share, counting), row[level].transport,
                                  tuple(table.refs)) for level in ALERT_COLOURS)
    return LineAlerts(located, grade, measures, None, refs)


def _rule_matches(rule, line: Line, facts: Mapping, policy_ids: frozenset[str]) -> bool:
    if rule.grades:
        return line.grade in rule.grades
    if rule.fact:
        return all(facts.get(k) == v for k, v in rule.fact.items())
    return rule.policy in policy_ids


# Staggered treatments, most favourable first: where several measures name one calendar, the best one applies
# (an exemption is the exception to the general rule that stops every line).
SEASON_ORDER = ("exempt", "may_shorten", "staggered", "stop")


def named_treatments(evaluation) -> dict[str, tuple[str, str]]:
    """Per calendar id, the treatment the catalogue's staggered measures give the enterprise, and its ref.

    Read from the explanation steps (`{calendar, treatment}` values) of the measures that apply (benefits and
    obligations; a measure that does not apply decides nothing)."""
    out: dict[str, tuple[str, str]] = {}
    for item in (*evaluation.benefits, *evaluation.obligations):
        for step in item.explanation:
            cal, treatment = step.values.get("calendar"), step.values.get("treatment")
            if cal and treatment in SEASON_ORDER:
                best = out.get(cal)
                if best is None or SEASON_ORDER.index(treatment) < SEASON_ORDER.index(best[0]):
                    out[cal] = (treatment, step.ref)
    return out


def calendar_days(located: Located, line: Line, facts: Mapping, policy_ids: frozenset[str],
                  counting: Counting, named: Mapping[str, tuple[str, str]] | None = None) -> LineCalendar:
    """The treatment a line gets under one calendar and its days: the catalogue's measures that name the calendar
    decide (`named`); where none does, the calendar's grade rules (first that matches, else `otherwise`)."""
    cal: Calendar = located.item
    if named and cal.id in named:
        # Measures decide; a grade rule that names an applying measure (NX-A1-7) is one of them.
        options = [named[cal.id]] + [(r.treatment, r.ref) for r in cal.grade_rules
                                     if r.policy and r.policy in policy_ids]
        treatment, ref = min(options, key=lambda o: SEASON_ORDER.index(o[0]))
    else:
        rule = next((r for r in cal.grade_rules if _rule_matches(r, line, facts, policy_ids)), cal.otherwise)
        treatment, ref = rule.treatment, rule.ref
    seasons = []
    for s in cal.seasons:
        full = s.days_stopped
        if treatment == "exempt":
            days = 0
        elif treatment == "may_shorten":
            n = counting.may_shorten_days
            days = None if n is None else max(0, full - n)
        else:            # staggered, or stop for the season (counted alike: every stopped day)
            days = full
        seasons.append(SeasonDays(s.id, Text(s.name.zh, s.name.en),
                                  tuple((p.start, p.to) for p in s.periods),
                                  sum(p.days for p in s.periods) if s.periods else None, days,
                                  Text(s.days_basis.zh, s.days_basis.en) if s.days_basis else None))
    return LineCalendar(located, treatment, ref, tuple(seasons))


def line_calendars(cat: EmergencyCatalogue, line: Line, division: str, as_of: date, facts: Mapping,
                   policy_ids: frozenset[str], counting: Counting,
                   named: Mapping[str, tuple[str, str]] | None = None) -> list[LineCalendar]:
    """Every calendar in force for a line, with its treatment and days."""
    return [calendar_days(c, line, facts, policy_ids, counting, named)
            for c in calendars_for(cat, line, division, as_of)]


# --- what an upgrade is worth ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LevelChange:
    level: str
    days: int
    before: AlertMeasure | None
    after: AlertMeasure | None
    days_equivalent: Decimal | None       # days × (cut before − cut after)


@dataclass(frozen=True, slots=True)
class SeasonChange:
    calendar: Located
    season: SeasonDays
    before: tuple[str, str, int | None]   # treatment, ref, days stopped
    after: tuple[str, str, int | None]
    days_saved: int | None


@dataclass(frozen=True, slots=True)
class LineChange:
    before: Line
    after: Line
    alerts_before: LineAlerts
    alerts_after: LineAlerts
    levels: tuple[LevelChange, ...]
    seasons: tuple[SeasonChange, ...]

    @property
    def quantifiable(self) -> bool:
        """Whether anything about this line has a table or a calendar."""
        return self.alerts_before.table is not None or bool(self.seasons)


@dataclass(frozen=True, slots=True)
class EmergencyWorth:
    """Output no longer cut by an upgrade (days of output, yuan, tonnes), per line, level and season."""
    value: Decimal | None                 # days of output; None when any part has no number
    quantified_part: Decimal | None       # the part that has numbers ("at least", when value is None)
    output_value_yuan: Decimal | None
    output_t: Decimal | None
    reason: Text | None
    basis: Text
    refs: tuple[str, ...]
    lines: tuple[LineChange, ...]
    unquantified: tuple[dict, ...]


def _level_changes(before: LineAlerts, after: LineAlerts, alert_days: Mapping[str, int]) -> list[LevelChange]:
    out = []
    b = {m.level: m for m in before.measures}
    a = {m.level: m for m in after.measures}
    for level in ALERT_COLOURS:
        days = int(alert_days.get(level) or 0)
        mb, ma_ = b.get(level), a.get(level)
        eq = None
        if mb and ma_ and mb.cut is not None and ma_.cut is not None:
            eq = Decimal(days) * (mb.cut - ma_.cut)
        out.append(LevelChange(level, days, mb, ma_, eq))
    return out


def _season_changes(before: list[LineCalendar], after: list[LineCalendar]) -> list[SeasonChange]:
    after_by_id = {c.calendar.item.id: c for c in after}
    out = []
    for cb in before:
        ca = after_by_id.get(cb.calendar.item.id, cb)
        for sb, sa in zip(cb.seasons, ca.seasons, strict=True):
            saved = None if sb.days_stopped is None or sa.days_stopped is None else sb.days_stopped - sa.days_stopped
            out.append(SeasonChange(cb.calendar, sb, (cb.treatment, cb.ref, sb.days_stopped),
                                    (ca.treatment, ca.ref, sa.days_stopped), saved))
    return out


def worth(cat: EmergencyCatalogue, pairs: list[tuple[Line, Line]], *, division: str, as_of: date,
          facts_before: Mapping, facts_after: Mapping, policies_before: frozenset[str],
          policies_after: frozenset[str], counting: Counting, alert_days: Mapping[str, int] | None,
          daily_output_value_yuan: Decimal | None, daily_capacity_t: Decimal | None,
          named_before: Mapping[str, tuple[str, str]] | None = None,
          named_after: Mapping[str, tuple[str, str]] | None = None) -> EmergencyWorth:
    """What moving each line from its grade before to its grade after saves in alerts and staggered seasons."""
    alert_days = alert_days or {}
    lines = []
    for before, after in pairs:
        ab = alert_measures(cat, before, division, as_of, counting)
        aa = alert_measures(cat, after, division, as_of, counting)
        cb = line_calendars(cat, before, division, as_of, facts_before, policies_before, counting, named_before)
        ca = line_calendars(cat, after, division, as_of, facts_after, policies_after, counting, named_after)
        lines.append(LineChange(before, after, ab, aa, tuple(_level_changes(ab, aa, alert_days)),
                                tuple(_season_changes(cb, ca))))
    refs = tuple(sorted({r for ln in lines for r in (*ln.alerts_before.refs, *ln.alerts_after.refs)}
                        | {r for ln in lines for s in ln.seasons for r in (s.before[1], s.after[1])}
                        | ({"EG-COUNT"} if lines else set())))
    if not any(ln.quantifiable for ln in lines):
        reason = next((ln.alerts_before.reason for ln in lines if ln.alerts_before.reason), NO_TABLE)
        return EmergencyWorth(None, None, None, None, Text(reason.zh + "；也没有适用的错峰生产安排",
                                                           reason.en + "; no staggered-production calendar applies"),
                              Text("无编码的措施表或错峰安排", "no encoded table or calendar"), refs, tuple(lines), ())
    unquantified: list[dict] = []
    total = ZERO
    changed_lines = 0
    for ln in lines:
        part = ZERO
        no_row = ln.alerts_before.table is None or ln.alerts_before.reason or ln.alerts_after.reason
        if no_row and any(alert_days.get(c) for c in ALERT_COLOURS) and ln.before.grade != ln.after.grade:
            unquantified.append({"line": ln.before.branch, "what": "alert_levels", "ref": None,
                                 "reason": ln.alerts_after.reason or ln.alerts_before.reason or NO_TABLE})
        for lc in ln.levels:
            if lc.days and lc.days_equivalent is None and lc.before and lc.after:
                unquantified.append({"line": ln.before.branch, "what": lc.level, "ref": lc.before.refs[0],
                                     "reason": Text("“停产50%，以生产线计”未按产量份额计（参数emergency.line_stop_share）",
                                                    "'half the lines stop' not counted as a share of output "
                                                    "(parameter emergency.line_stop_share)")})
            part += lc.days_equivalent or ZERO
        for sc in ln.seasons:
            if sc.days_saved is None:
                unquantified.append({"line": ln.before.branch, "what": sc.season.season_id,
                                     "ref": sc.after[1] if sc.after[2] is None else sc.before[1],
                                     "reason": Text("“可适当缩短错峰生产时间”，文件未给出天数",
                                                    "'may shorten the staggered time': the text gives no number")})
            elif counting.alert_days_on_running_days:
                part += Decimal(sc.days_saved)
        changed_lines += part != ZERO
        total += part
    if not counting.alert_days_on_running_days and any(ln.seasons for ln in lines):
        unquantified.append({"line": None, "what": "total", "ref": "EG-COUNT",
                             "reason": Text("预警日可能落在错峰停产日内：两部分分别列出，不相加（参数"
                                            "emergency.alert_days_on_running_days）",
                                            "alert days may fall on staggered stop days: the parts are listed, not "
                                            "added (parameter emergency.alert_days_on_running_days)")})
    complete = not unquantified
    value = total if complete else None
    yuan = tonnes = None
    reasons = list(dict.fromkeys(u["reason"] for u in unquantified))
    reason = None if complete else Text("部分措施文件未给出数值：" + "；".join(r.zh for r in reasons),
                                        "part of the measures have no number: " + "; ".join(r.en for r in reasons))
    if complete and changed_lines <= 1:
        if daily_output_value_yuan is not None:
            yuan = round_half_up(total * dec(daily_output_value_yuan))
        if daily_capacity_t is not None:
            tonnes = round_tonnes(total * dec(daily_capacity_t))
    elif complete and (daily_output_value_yuan is not None or daily_capacity_t is not None):
        reason = Text("多条生产线的措施发生变化：日产值、日产能须按生产线分别给出",
                      "the measures of several lines change: give the daily output per line")
    basis = Text(f"少限产折合{_fmt(total)}天产量（预警日 × 限产比例之差 + 错峰停产天数之差）"
                 + ("" if complete else "，至少"),
                 f"{_fmt(total)} days of output no longer cut (alert days × the difference in the share cut + the "
                 f"difference in staggered stop days)" + ("" if complete else ", at least"))
    return EmergencyWorth(value, total, yuan, tonnes, reason, basis, refs, tuple(lines), tuple(unquantified))


def _fmt(d: Decimal) -> str:
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f").rstrip("0")
    return text or "0"
