"""Emergency measure tables (grade × alert level) and staggered-production calendars, read from the YAML
files beside each jurisdiction (`policies/<code>-<name>/emergency_measures.yaml`, `staggered_production.yaml`)
and checked at load against the schema below (pydantic). Refs must be digest ids (policies/digest.md or
policies/emergency.md); a file that says anything the schema does not know is refused, naming the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from incentives.grades import CANONICAL
from incentives.periods import Window
from incentives.policy import PolicyLoadError, digest_refs

ROOT = Path(__file__).resolve().parent
EMERGENCY_DIGEST = ROOT / "emergency.md"
ALERT_COLOURS = ("yellow", "orange", "red")           # 重污染天气预警 levels the tables are written for
PRODUCTION = ("none", "own_measures", "cut", "stop_lines", "stop")
TRANSPORT = ("none", "no_guo4_heavy_trucks", "no_road_transport")
SEASON_TREATMENTS = ("exempt", "staggered", "may_shorten", "stop")
STATUSES = ("in_force", "draft", "expired")
CONFIDENCE = ("verified", "partial", "unverified")
_FOLDER = re.compile(r"^(\d{6})-[a-z0-9_]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Span(_Strict):
    """Days in force, both ends included (`through` is the last day, as the documents write them)."""
    start: date = Field(alias="from")
    through: date | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.through is not None and self.through < self.start:
            raise ValueError(f"through {self.through} is before from {self.start}")
        return self

    @property
    def window(self) -> Window:
        """The half-open window [from, through + 1 day) of house style §2.4."""
        return Window(self.start, None if self.through is None else self.through + timedelta(days=1))

    @property
    def days(self) -> int:
        """Calendar days of the span (both ends counted); a span must be closed to be counted."""
        if self.through is None:
            raise ValueError("an open span has no day count")
        return (self.through - self.start).days + 1


class Document(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    number: str | None = None
    issuer: str
    issued: date | None = None
    status: Literal[STATUSES]
    confidence: Literal[CONFIDENCE]
    source: str


class Measure(_Strict):
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


class CutBase(_Strict):
    ref: str
    text: Localized


class MeasureTable(_Strict):
    """One industry's measures by grade and alert level."""
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    refs: tuple[str, ...] = Field(min_length=1)
    document: str
    clause: str
    confidence: Literal[CONFIDENCE]
    window: Span
    industries: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    title: Localized
    cut_base: CutBase | None = None
    grades: dict[str, dict[Literal[ALERT_COLOURS], Measure]]

    @field_validator("grades")
    @classmethod
    def _grades(cls, v):
        for grade, levels in v.items():
            if grade not in CANONICAL:
                raise ValueError(f"unknown grade {grade!r}")
            missing = [c for c in ALERT_COLOURS if c not in levels]
            if missing:
                raise ValueError(f"grade {grade}: no measure for {', '.join(missing)}")
        return v


class Season(_Strict):
    """Part of a calendar: dated periods, and the days a line stops in them (all of them unless `days`)."""
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Localized
    periods: tuple[Span, ...] = ()
    days: int | None = Field(default=None, ge=0)
    days_basis: Localized | None = None

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


class GradeRule(_Strict):
    """Who gets which treatment: by managed grade, by a fact, or by an engine policy that applies."""
    grades: tuple[str, ...] = ()
    fact: dict[str, bool | str] | None = None
    policy: str | None = None
    treatment: Literal[SEASON_TREATMENTS]
    ref: str

    @model_validator(mode="after")
    def _one_condition(self):
        given = [x for x in (self.grades, self.fact, self.policy) if x]
        if len(given) != 1:
            raise ValueError("a grade rule has exactly one of grades, fact, policy")
        bad = [g for g in self.grades if g not in CANONICAL]
        if bad:
            raise ValueError(f"unknown grades {bad}")
        return self


class Otherwise(_Strict):
    treatment: Literal[SEASON_TREATMENTS]
    ref: str


class Calendar(_Strict):
    """A staggered-production (错峰生产) calendar of one jurisdiction: seasons, and who stops how long."""
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    refs: tuple[str, ...] = Field(min_length=1)
    document: str
    clause: str
    confidence: Literal[CONFIDENCE]
    status: Literal[STATUSES]
    window: Span
    replaces: str | None = None
    industries: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    title: Localized
    seasons: tuple[Season, ...] = Field(min_length=1)
    grade_rules: tuple[GradeRule, ...] = ()
    otherwise: Otherwise

    @property
    def days_stopped(self) -> int:
        """Days a staggered line stops in the whole calendar."""
        return sum(s.days_stopped for s in self.seasons)


class JurisdictionFile(_Strict):
    documents: tuple[Document, ...] = ()
    measure_tables: tuple[MeasureTable, ...] = ()
    calendars: tuple[Calendar, ...] = ()


# --- the catalogue as loaded ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Located:
    """A table or calendar with the jurisdiction its folder names and the document it cites."""
    jurisdiction: str
    document: Document
    item: MeasureTable | Calendar
    file: str


@dataclass(frozen=True, slots=True)
class EmergencyCatalogue:
    """Every measure table and calendar, each with its jurisdiction."""
    tables: tuple[Located, ...]
    calendars: tuple[Located, ...]

    def documents(self) -> dict[str, Document]:
        """Documents by id."""
        return {x.document.id: x.document for x in (*self.tables, *self.calendars)}


def _jurisdiction_of(path: Path, root: Path) -> str:
    codes = [m.group(1) for part in path.relative_to(root).parts[:-1] if (m := _FOLDER.match(part))]
    if not codes:
        raise PolicyLoadError(f"{path}: not inside a jurisdiction folder (<code>-<name>/)")
    return codes[-1]


def _refs_of(item) -> list[str]:
    refs = list(item.refs)
    if isinstance(item, MeasureTable) and item.cut_base:
        refs.append(item.cut_base.ref)
    if isinstance(item, Calendar):
        refs += [r.ref for r in item.grade_rules] + [item.otherwise.ref]
    return refs


def load(root: Path = ROOT, known_refs: frozenset[str] | None = None,
         industries: frozenset[str] | None = None, branches: frozenset[str] | None = None,
         policy_ids: frozenset[str] | None = None) -> EmergencyCatalogue:
    """Read and check every emergency file under `root`; PolicyLoadError lists every problem found."""
    known = known_refs if known_refs is not None else digest_refs() | digest_refs(EMERGENCY_DIGEST)
    errors: list[str] = []
    tables, calendars, seen = [], [], {}
    files = sorted([*root.rglob("emergency_measures.yaml"), *root.rglob("staggered_production.yaml")])
    for path in files:
        name = str(path.relative_to(root))
        try:
            data = JurisdictionFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
            code = _jurisdiction_of(path, root)
        except (ValidationError, yaml.YAMLError, PolicyLoadError) as exc:
            errors.append(f"{name}: {exc}")
            continue
        docs = {d.id: d for d in data.documents}
        for item, bucket in [*((t, tables) for t in data.measure_tables), *((c, calendars) for c in data.calendars)]:
            where = f"{name}: {item.id}"
            if item.id in seen:
                errors.append(f"{where}: id already used in {seen[item.id]}")
            seen[item.id] = name
            if item.document not in docs:
                errors.append(f"{where}: unknown document {item.document!r} (list it under documents)")
                continue
            errors += [f"{where}: unknown ref {r!r} (not in the digest)" for r in _refs_of(item) if r not in known]
            if not (item.industries or item.branches):
                errors.append(f"{where}: names no industry or branch")
            if industries is not None:
                errors += [f"{where}: unknown industry {i!r}" for i in item.industries if i not in industries]
            if branches is not None:
                errors += [f"{where}: unknown branch {b!r}" for b in item.branches if b not in branches]
            if isinstance(item, Calendar) and policy_ids is not None:
                errors += [f"{where}: unknown policy {r.policy!r}" for r in item.grade_rules
                           if r.policy and r.policy not in policy_ids]
            bucket.append(Located(jurisdiction=code, document=docs[item.document], item=item, file=name))
    ids = {c.item.id for c in calendars}
    errors += [f"{c.file}: {c.item.id}: replaces unknown calendar {c.item.replaces!r}"
               for c in calendars if c.item.replaces and c.item.replaces not in ids]
    if errors:
        raise PolicyLoadError("emergency catalogue refused:\n" + "\n".join(errors))
    return EmergencyCatalogue(tables=tuple(tables), calendars=tuple(calendars))


def load_project(policy_ids: frozenset[str]) -> EmergencyCatalogue:
    """The project's tables and calendars, checked against the industry catalogue and the engine's policies."""
    from incentives.reference import reference
    ref = reference()
    return load(industries=frozenset(ref.industries), branches=frozenset(ref.branches), policy_ids=policy_ids)


def catalogue() -> EmergencyCatalogue:
    """The catalogue loaded (and checked) when the policies package was imported."""
    import policies
    return policies.EMERGENCY
