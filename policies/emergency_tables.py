"""Emergency measure tables (grade × alert level) and staggered-production calendars: two catalogue sections.

`emergency_tables.yaml` and `staggered_calendars.yaml` in a jurisdiction folder are read by the catalogue
loader (policies/catalogue.py `SECTIONS`) and checked against the schema below (pydantic, unknown keys refused);
`build()` then checks what needs the whole catalogue (documents, refs, industries, policies) and raises
PolicyLoadError naming the file. Refs are digest ids (policies/digest*.md, and policies/emergency.md for the
tables); documents are those of the folder's `documents.yaml` (or an ancestor's). VOCABULARY.md documents both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from incentives.grades import CANONICAL
from incentives.periods import Window
from incentives.policy import DIGESTS, PolicyLoadError, digest_refs

from .catalogue import SECTIONS, Catalogue, DocumentInfo, chain_of
from .schema import Grade, Ref, Strict, Text

ROOT = Path(__file__).resolve().parent
EMERGENCY_DIGEST = ROOT / "emergency.md"
TABLES_FILE = "emergency_tables.yaml"
CALENDARS_FILE = "staggered_calendars.yaml"
ALERT_COLOURS = ("yellow", "orange", "red")           # 重污染天气预警 levels the tables are written for
PRODUCTION = ("none", "own_measures", "cut", "stop_lines", "stop")
TRANSPORT = ("none", "no_guo4_heavy_trucks", "no_road_transport")
SEASON_TREATMENTS = ("exempt", "staggered", "may_shorten", "stop")
CONFIDENCE = Literal["verified", "partial", "unverified"]


class Span(Strict):
    """Days `from` … `to`, both included (the catalogue's convention); `to` may be left open."""
    start: date = Field(alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.to is not None and self.to < self.start:
            raise ValueError(f"to {self.to} is before from {self.start}")
        return self

    @property
    def window(self) -> Window:
        """The half-open window [from, to + 1 day) of house style §2.4."""
        return Window(self.start, None if self.to is None else self.to + timedelta(days=1))

    @property
    def days(self) -> int:
        """Calendar days of a closed span (both ends counted)."""
        if self.to is None:
            raise ValueError("an open span has no day count")
        return (self.to - self.start).days + 1


class ClosedSpan(Span):
    to: date


class Measure(Strict):
    """What a line must do on a day of one alert level."""
    production: Literal[PRODUCTION]
    share: Decimal | None = None       # of the base (cut) or of the lines (stop_lines)
    transport: Literal[TRANSPORT] = "none"

    @model_validator(mode="after")
    def _share(self):
        needs = self.production in ("cut", "stop_lines")
        if needs and (self.share is None or not Decimal(0) < self.share < Decimal(1)):
            raise ValueError(f"{self.production} needs a share strictly between 0 and 1")
        if not needs and self.share is not None:
            raise ValueError(f"{self.production} takes no share")
        return self


class CutBase(Strict):
    ref: Ref
    text: Text


class MeasureTable(Strict):
    """One industry's measures by grade and alert level (a grade absent from the table has none encoded)."""
    id: Annotated[str, Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")]
    refs: tuple[Ref, ...] = Field(min_length=1)
    document: str
    clause: str
    confidence: CONFIDENCE | None = None          # default: the document's
    window: Span
    industries: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    title: Text
    cut_base: CutBase | None = None
    grades: dict[Grade, dict[Literal[ALERT_COLOURS], Measure]]

    @field_validator("grades")
    @classmethod
    def _every_level(cls, v):
        for grade, levels in v.items():
            missing = [c for c in ALERT_COLOURS if c not in levels]
            if missing:
                raise ValueError(f"grade {grade}: no measure for {', '.join(missing)}")
        return v


class Season(Strict):
    """Part of a calendar: dated periods, and the days a line stops in them (all of them unless `days`)."""
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: Text
    periods: tuple[ClosedSpan, ...] = ()
    days: int | None = Field(default=None, ge=0)
    days_basis: Text | None = None

    @model_validator(mode="after")
    def _days(self):
        span = sum(p.days for p in self.periods)
        if self.days is None and not self.periods:
            raise ValueError(f"season {self.id}: give its periods or its days")
        if self.days is not None and self.periods and self.days > span:
            raise ValueError(f"season {self.id}: {self.days} days do not fit in {span} calendar days")
        if self.days is not None and self.days_basis is None:
            raise ValueError(f"season {self.id}: a stated day count needs days_basis")
        return self

    @property
    def days_stopped(self) -> int:
        """Days a staggered line stops in this season."""
        return self.days if self.days is not None else sum(p.days for p in self.periods)


class GradeRule(Strict):
    """Who gets which treatment: by managed grade, by a fact, or by an engine policy that applies."""
    grades: tuple[Grade, ...] = ()
    fact: dict[str, bool | str] | None = None
    policy: str | None = None
    treatment: Literal[SEASON_TREATMENTS]
    ref: Ref

    @model_validator(mode="after")
    def _one_condition(self):
        if sum(bool(x) for x in (self.grades, self.fact, self.policy)) != 1:
            raise ValueError("a grade rule has exactly one of grades, fact, policy")
        return self


class Otherwise(Strict):
    treatment: Literal[SEASON_TREATMENTS]
    ref: Ref


class Calendar(Strict):
    """A staggered-production (错峰生产) calendar: seasons and the days a line stops in each. Measures name it by
    its id (`staggered: {calendar: JL-CF26}`); `grade_rules` decide who stops where no measure names it."""
    id: Ref
    refs: tuple[Ref, ...] = Field(min_length=1)
    document: str
    clause: str
    confidence: CONFIDENCE | None = None
    window: Span
    replaces: Ref | None = None
    industries: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    title: Text
    seasons: tuple[Season, ...] = Field(min_length=1)
    grade_rules: tuple[GradeRule, ...] = ()
    otherwise: Otherwise

    @property
    def days_stopped(self) -> int:
        """Days a staggered line stops in the whole calendar."""
        return sum(s.days_stopped for s in self.seasons)


# --- the sections and the catalogue as built ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Located:
    """A table or calendar with the jurisdiction its folder names and the document it cites."""
    jurisdiction: str
    document: DocumentInfo
    item: MeasureTable | Calendar
    file: str

    @property
    def confidence(self) -> str:
        """The item's confidence, else its document's."""
        return self.item.confidence or self.document.confidence

    @property
    def status(self) -> str:
        """The document's status: in_force, draft or expired."""
        return self.document.status


@dataclass(frozen=True, slots=True)
class EmergencyCatalogue:
    """Every measure table and calendar, each with its jurisdiction and document."""
    tables: tuple[Located, ...]
    calendars: tuple[Located, ...]

    def calendar(self, calendar_id: str) -> Located | None:
        """A calendar by its id."""
        return next((c for c in self.calendars if c.item.id == calendar_id), None)


def _section(model, key: str):
    def read(data, path: Path, code: str, cat: Catalogue, errors) -> None:
        if not isinstance(data, list):
            errors.add(path, "expected a list")
            return
        for i, item in enumerate(data):
            try:
                cat.extra.setdefault(key, []).append((code, model.model_validate(item), path))
            except ValidationError as exc:
                label = f"item {i + 1}" + (f" ({item.get('id')})" if isinstance(item, dict) else "")
                for e in exc.errors():
                    errors.add(path, f"{label} {'.'.join(str(x) for x in e['loc'])}: {e['msg']}")
    return read


SECTIONS[TABLES_FILE] = _section(MeasureTable, "emergency_tables")
SECTIONS[CALENDARS_FILE] = _section(Calendar, "staggered_calendars")


def _refs_of(item) -> list[str]:
    refs = list(item.refs)
    if isinstance(item, MeasureTable) and item.cut_base:
        refs.append(item.cut_base.ref)
    if isinstance(item, Calendar):
        refs += [r.ref for r in item.grade_rules] + [item.otherwise.ref]
    return refs


def build(cat: Catalogue, *, policy_ids: frozenset[str], known_refs: frozenset[str] | None = None,
          industries: frozenset[str] | None = None, branches: frozenset[str] | None = None) -> EmergencyCatalogue:
    """Check the sections against the whole catalogue and return them; PolicyLoadError lists every problem."""
    if industries is None or branches is None:
        from incentives.reference import reference
        industries, branches = frozenset(reference().industries), frozenset(reference().branches)
    known = known_refs if known_refs is not None else digest_refs(DIGESTS)
    errors: list[str] = []
    out: dict[str, list[Located]] = {"emergency_tables": [], "staggered_calendars": []}
    seen: dict[str, str] = {}
    for key, bucket in out.items():
        for code, item, path in cat.extra.get(key, []):
            name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            where = f"{name}: {item.id}"
            if item.id in seen:
                errors.append(f"{where}: id already used in {seen[item.id]}")
            seen[item.id] = name
            doc = cat.documents.get(item.document)
            if doc is None or doc.jurisdiction not in chain_of(cat, code):
                errors.append(f"{where}: unknown document {item.document!r} (documents.yaml of this folder or above)")
                continue
            errors += [f"{where}: unknown ref {r!r} (not in the digest)" for r in _refs_of(item) if r not in known]
            if not (item.industries or item.branches):
                errors.append(f"{where}: names no industry or branch")
            errors += [f"{where}: unknown industry {i!r}" for i in item.industries if i not in industries]
            errors += [f"{where}: unknown branch {b!r}" for b in item.branches if b not in branches]
            if isinstance(item, Calendar):
                errors += [f"{where}: unknown policy {r.policy!r}" for r in item.grade_rules
                           if r.policy and r.policy not in policy_ids]
                errors += [f"{where}: unknown grade {g!r}" for r in item.grade_rules for g in r.grades
                           if g not in CANONICAL]
                errors += [f"{where}: fact {f!r} is not documented in policies/facts.yaml" for r in item.grade_rules
                           for f in (r.fact or {}) if f not in cat.facts]
            bucket.append(Located(code, doc, item, name))
    ids = {c.item.id for c in out["staggered_calendars"]}
    errors += [f"{c.file}: {c.item.id}: replaces unknown calendar {c.item.replaces!r}"
               for c in out["staggered_calendars"] if c.item.replaces and c.item.replaces not in ids]
    if errors:
        raise PolicyLoadError("emergency catalogue refused:\n" + "\n".join(errors))
    return EmergencyCatalogue(tuple(out["emergency_tables"]), tuple(out["staggered_calendars"]))


def catalogue() -> EmergencyCatalogue:
    """The tables and calendars loaded (and checked) when the policies package was imported."""
    import policies
    return policies.EMERGENCY
