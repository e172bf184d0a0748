"""Load the catalogue: one folder per jurisdiction (policies/<code>-<name>/), YAML validated by policies/schema.py.

A folder holds `jurisdiction.yaml` (code, name), `documents.yaml`, `parameters.yaml`, `grading.yaml`,
`targets.yaml`, any number of measure files (every other `*.yaml`: a list of measures), `scenarios/`
(YAML tests, read by tests/test_scenarios.py) and the folders of its sub-jurisdictions (`<code>-<name>/`).
The loader refuses, naming the file: a schema error (unknown key, unknown condition / rule / quantity kind),
an unknown ref, document, parameter or fact, a missing source, overlapping windows, a folder whose code
does not match its place in the tree, and a file or folder it does not know.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from incentives import policy as model
from incentives.explain import Text
from incentives.periods import DatedValue, Parameter, Window

from . import mechanics_load, schema

ROOT = Path(__file__).resolve().parent
SPECIAL_FILES = ("jurisdiction.yaml", "documents.yaml", "parameters.yaml", "grading.yaml", "targets.yaml")
# Extra sections a later feature adds: file name -> loader(data, path, jurisdiction code, catalogue, errors).
# Registered by the module that owns the section, so an unknown file stays an error.
SECTIONS: dict[str, Callable] = {}


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A source document of a jurisdiction (contract 1.1 `documents`)."""
    id: str
    jurisdiction: str
    title: str
    number: str | None
    issuer: str | None
    signed: dt.date | None
    issued: dt.date | None
    status: str                       # in_force | draft | expired
    window: Window
    window_end: str | None            # a parameter naming the last day (a campaign that may be extended)
    confidence: str
    file: str | None
    url: str | None
    note: str | None = None

    @property
    def measure_status(self) -> str:
        """in_force or draft: what a measure of this document says (expiry is its window)."""
        return "draft" if self.status == "draft" else "in_force"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A node of the jurisdiction tree and what the catalogue holds for it."""
    code: str
    name: Text
    parent: str | None
    folder: str
    documents: tuple[DocumentInfo, ...] = ()
    rules: tuple[model.GradingRule, ...] = ()
    measures: tuple[str, ...] = ()           # policy ids
    note: Text | None = None


@dataclass(slots=True)
class Catalogue:
    """Everything the catalogue files say, validated."""
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    policies: list[model.Policy] = field(default_factory=list)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    parameter_specs: dict[str, model.ParameterInfo] = field(default_factory=dict)
    rules: list[model.GradingRule] = field(default_factory=list)
    targets: list[model.Target] = field(default_factory=list)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    scenario_files: list[Path] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)        # SECTIONS' data


class _Errors(list):
    def add(self, where: Path | str, message: str) -> None:
        rel = where.relative_to(ROOT) if isinstance(where, Path) and where.is_relative_to(ROOT) else where
        self.append(f"{rel}: {message}")


def _read(path: Path, errors: _Errors) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        errors.add(path, f"cannot read YAML ({exc})")
        return None


def _parse(model_cls, data: Any, path: Path, errors: _Errors, many: bool = False):
    items = data if many else [data]
    if many and not isinstance(data, list):
        errors.add(path, "expected a list")
        return []
    out = []
    for i, item in enumerate(items or []):
        try:
            out.append(model_cls.model_validate(item))
        except ValidationError as exc:
            label = f"item {i + 1}" + (f" ({item.get('id') or item.get('name')})" if isinstance(item, dict) else "")
            for e in exc.errors():
                loc = ".".join(str(x) for x in e["loc"])
                errors.add(path, f"{label if many else ''} {loc}: {e['msg']}".strip())
    return out if many else (out[0] if out else None)


def _text(t: schema.Text | None) -> Text | None:
    return None if t is None else Text(t.zh, t.en)


def _window(span: schema.Span | None) -> tuple[Window, str | None]:
    """A Span as a half-open Window, and the parameter naming its last day (if any)."""
    if span is None:
        return Window(None, None), None
    if isinstance(span.to, str):
        return Window(span.from_, None), span.to
    return Window.from_inclusive(span.from_, span.to), None


# --- folders -----------------------------------------------------------------------------------------------

def _folders(root: Path) -> list[tuple[Path, str | None]]:
    """(folder, parent code) of every jurisdiction folder, parents first."""
    out, stack = [], [(p, None) for p in sorted(root.iterdir()) if p.is_dir() and p.name[:6].isdigit()]
    while stack:
        folder, parent = stack.pop(0)
        out.append((folder, parent))
        stack += [(p, folder.name[:6]) for p in sorted(folder.iterdir()) if p.is_dir() and p.name[:6].isdigit()]
    return out


def _inside(code: str, parent: str) -> bool:
    from incentives.reference import division_chain
    return parent in division_chain(code) and parent != code


def load(root: Path = ROOT, known_refs: frozenset[str] | None = None) -> Catalogue:
    """Load and validate every catalogue file under `root`; raise PolicyLoadError listing every problem."""
    errors = _Errors()
    cat = Catalogue()
    facts_path = root / "facts.yaml"
    for name, raw in (_read(facts_path, errors) or {}).items():
        spec = _parse(schema.FactSpec, raw, facts_path, errors)
        if spec is not None:
            cat.facts[name] = spec.model_dump(exclude_none=True) | {"refs": list(spec.refs)}
    raw_measures: list[tuple[schema.Measure, str, Path]] = []
    raw_rules: list[tuple[schema.GradingRule, str, Path]] = []
    for folder, parent in _folders(root):
        _load_folder(folder, parent, cat, raw_measures, raw_rules, errors)
    if "000000" not in cat.jurisdictions:
        errors.add(root, "no national folder 000000-…")
    for m, code, path in raw_measures:
        p = _policy(m, code, path, cat, errors)
        if p is not None:
            cat.policies.append(p)
    for r, code, path in raw_rules:
        rule = _rule(r, code, path, cat, errors)
        if rule is not None:
            cat.rules.append(rule)
    by_code: dict[str, dict] = {c: {"rules": [], "measures": []} for c in cat.jurisdictions}
    for rule in cat.rules:
        by_code[rule.jurisdiction]["rules"].append(rule)
    for p in cat.policies:
        by_code[p.jurisdiction]["measures"].append(p.policy_id)
    for code, j in list(cat.jurisdictions.items()):
        cat.jurisdictions[code] = Jurisdiction(
            j.code, j.name, j.parent, j.folder, tuple(d for d in cat.documents.values() if d.jurisdiction == code),
            tuple(by_code[code]["rules"]), tuple(dict.fromkeys(by_code[code]["measures"])), j.note)
    try:
        model.validate(tuple(cat.policies), cat.parameters, known_refs=known_refs, facts=cat.facts,
                       jurisdictions=frozenset(cat.jurisdictions))
    except model.PolicyLoadError as exc:
        errors.extend(str(exc).splitlines()[1:])
    refs = model.digest_refs() if known_refs is None else known_refs
    for rule in cat.rules:
        errors.extend(f"grading rule {rule.rule_id}: unknown ref {r!r} (not in the digest)"
                      for r in rule.refs if r not in refs)
    _check_rule_overlaps(cat.rules, errors)
    if errors:
        raise model.PolicyLoadError("policy catalogue refused:\n" + "\n".join(errors))
    return cat


def _load_folder(folder: Path, parent: str | None, cat: Catalogue, raw_measures, raw_rules, errors: _Errors) -> None:
    code = folder.name[:6]
    jpath = folder / "jurisdiction.yaml"
    if not jpath.is_file():
        errors.add(folder, "missing jurisdiction.yaml")
        return
    jf = _parse(schema.JurisdictionFile, _read(jpath, errors), jpath, errors)
    if jf is None:
        return
    if jf.code != code:
        errors.add(jpath, f"code {jf.code} does not match the folder name {folder.name}")
        return
    if code in cat.jurisdictions:
        errors.add(jpath, f"jurisdiction {code} is defined twice")
        return
    if parent is not None and not _inside(code, parent):
        errors.add(folder, f"{code} is not inside its parent folder's jurisdiction {parent}")
    if parent is None and code != "000000":
        # A top-level folder hangs under its nearest ancestor in the catalogue (else national).
        from incentives.reference import division_chain
        ancestors = [c for c in division_chain(code)[:-1] if c in cat.jurisdictions]
        parent = ancestors[-1] if ancestors else "000000"
    cat.jurisdictions[code] = Jurisdiction(code, _text(jf.name), parent, str(folder.relative_to(ROOT.parent))
                                           if folder.is_relative_to(ROOT.parent) else str(folder), note=_text(jf.note))
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if entry.name == "scenarios":
                cat.scenario_files += sorted(entry.glob("*.yaml"))
            elif not entry.name[:6].isdigit():
                errors.add(entry, "unknown folder (expected scenarios/ or <code>-<name>/)")
            continue
        if entry.suffix != ".yaml":
            if entry.suffix not in (".md", ".txt"):
                errors.add(entry, "unknown file (catalogue files are YAML; notes .md)")
            continue
        data = _read(entry, errors) if entry.name != "jurisdiction.yaml" else None
        if entry.name == "jurisdiction.yaml":
            continue
        if entry.name == "documents.yaml":
            for d in _parse(schema.Document, data, entry, errors, many=True):
                _document(d, code, entry, cat, errors)
        elif entry.name == "parameters.yaml":
            for spec in _parse(schema.ParameterSpec, data, entry, errors, many=True):
                _parameter(spec, code, entry, cat, errors)
        elif entry.name == "grading.yaml":
            raw_rules += [(r, code, entry) for r in _parse(schema.GradingRule, data, entry, errors, many=True)]
        elif entry.name == "targets.yaml":
            for t in _parse(schema.TargetSpec, data, entry, errors, many=True):
                cat.targets.append(model.Target(code, t.ref, t.due, t.floor, _text(t.text), t.share, t.count))
        elif entry.name in SECTIONS:
            SECTIONS[entry.name](data, entry, code, cat, errors)
        else:
            raw_measures += [(m, code, entry) for m in _parse(schema.Measure, data, entry, errors, many=True)]


def _document(d: schema.Document, code: str, path: Path, cat: Catalogue, errors: _Errors) -> None:
    if d.id in cat.documents:
        errors.add(path, f"document {d.id} is defined twice")
        return
    window, end = _window(d.in_force)
    cat.documents[d.id] = DocumentInfo(d.id, code, d.title, d.number, d.issuer, d.signed, d.issued, d.status,
                                       window, end, d.confidence, d.source.file, d.source.url, d.note)


def _parameter(spec: schema.ParameterSpec, code: str, path: Path, cat: Catalogue, errors: _Errors) -> None:
    if spec.name in cat.parameters:
        errors.add(path, f"parameter {spec.name} is defined twice")
        return
    values = []
    for v in spec.values:
        try:
            values.append(DatedValue(Window.from_inclusive(v.from_, v.to), _freeze(v.value), v.ref, v.source))
        except ValueError as exc:
            errors.add(path, f"parameter {spec.name}: {exc}")
    try:
        cat.parameters[spec.name] = Parameter(spec.name, tuple(values), description=spec.description.en,
                                              unit=spec.unit)
    except ValueError as exc:
        errors.add(path, str(exc))
        return
    cat.parameter_specs[spec.name] = model.ParameterInfo(
        spec.name, code, spec.kind, _text(spec.description), spec.unit, spec.choices, spec.override, spec.refs)


def _freeze(value: Any) -> Any:
    """YAML lists as tuples (parameter values compare and hash like the old Python literals)."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def _condition(c: schema.Condition, ref: str):
    r = c.ref or ref
    kind = c.kind
    if kind == "grade_at_least":
        return model.GradeAtLeast(c.grade_at_least, r)
    if kind == "advanced_grade":
        return model.AdvancedGrade(r)
    if kind == "lowest_grade":
        return model.LowestGrade(r)
    if kind == "upgraded_to":
        return model.Upgraded(c.upgraded_to.at_least, r, since=c.upgraded_to.since or "policy")
    if kind == "industry":
        return model.InIndustry(r, tuple(c.industry.industries), tuple(c.industry.branches))
    if kind in schema.MECHANIC_KINDS:
        return mechanics_load.condition(c, r, _condition)
    if kind == "fact":
        name = next(k for k in c.fact if k != "unknown")
        value = c.fact[name]
        allowed = tuple(value) if isinstance(value, list) else (value,)
        return model.Fact(name, allowed, r, c.fact.get("unknown", "fail"))
    return model.AnyOf(tuple(_condition(o, r) for o in c.any_of), r)


def _policy(m: schema.Measure, code: str, path: Path, cat: Catalogue, errors: _Errors) -> model.Policy | None:
    doc = cat.documents.get(m.document)
    if doc is None:
        errors.add(path, f"{m.id}: unknown document {m.document!r}")
        return None
    if doc.jurisdiction != code and not _inside(code, doc.jurisdiction):
        errors.add(path, f"{m.id}: document {m.document} belongs to {doc.jurisdiction}, not this jurisdiction")
    if m.window is None:
        window, end = doc.window, doc.window_end
    else:
        window, end = _window(m.window)
    ref = m.refs[0]
    names = list(m.parameters) + ([end] if end else []) + mechanics_load.parameter_names(m) + (
        [m.quantity.rate_of_fact.rate] if m.quantity and m.quantity.rate_of_fact else [])
    params = {}
    for name in dict.fromkeys(names):
        if name not in cat.parameters:
            errors.add(path, f"{m.id}: unknown parameter {name!r}")
        else:
            params[name] = cat.parameters[name]
    for c in _walk(m.when, m.response):
        if c.upgraded_to is not None and c.upgraded_to.since and c.upgraded_to.since not in cat.parameters:
            errors.add(path, f"{m.id}: unknown parameter {c.upgraded_to.since!r} (upgraded_to.since)")
    response = None
    if m.response is not None:
        rref = m.response.ref or ref
        rules = tuple((cat_name, tuple(model.TreatmentRule(_condition(rule.when, rref), rule.treatment)
                                       for rule in ar.rules), ar.otherwise)
                      for cat_name, ar in (("heavy", m.response.heavy), ("light_moderate", m.response.light_moderate))
                      if ar is not None)
        response = model.Response(rules, rref)
    quantity = mechanics_load.cash_reward(m, ref)
    if m.quantity is not None and m.quantity.rate_of_fact is not None:
        q = m.quantity.rate_of_fact
        quantity = model.RateOfFact(q.rate, q.fact, q.unit, m.quantity.ref or ref)
    source = model.Source(doc.title, m.clause, m.status or doc.measure_status, doc.file, m.anchor, m.anchor_end)
    return model.Policy(
        policy_id=m.id, refs=tuple(m.refs), category=m.category, jurisdiction=code, title=_text(m.title),
        source=source, window=window, conditions=tuple(_condition(c, ref) for c in m.when), params=params,
        quantity=quantity, unquantified=_text(m.unquantified), response=response, is_obligation=m.obligation,
        window_end=end, note=_text(m.note), confidence=m.confidence or doc.confidence, document_id=doc.id,
        staggered=mechanics_load.staggered(m, ref, _condition), requirement=mechanics_load.requirement(m, ref))


def _walk(conds, response):
    stack = list(conds)
    if response is not None:
        for ar in (response.heavy, response.light_moderate):
            if ar is not None:
                stack += [r.when for r in ar.rules]
    while stack:
        c = stack.pop()
        yield c
        if c.any_of:
            stack += list(c.any_of)


def _rule(r: schema.GradingRule, code: str, path: Path, cat: Catalogue, errors: _Errors) -> model.GradingRule | None:
    doc = cat.documents.get(r.document)
    if doc is None:
        errors.add(path, f"{r.id}: unknown document {r.document!r}")
        return None
    window, end = (doc.window, doc.window_end) if r.window is None else _window(r.window)
    for name in (r.method if isinstance(r.method, str) and r.method != "lowest" else None, r.failed,
                 r.b_minus_barred if isinstance(r.b_minus_barred, str) else None,
                 *(p.parameter for p in (r.ban, r.period) if p is not None), end):
        if name and name not in cat.parameters:
            errors.add(path, f"{r.id}: unknown parameter {name!r}")
    spec = r.model_dump(exclude={"id", "rule", "refs", "document", "clause", "anchor", "window", "title", "note"})
    return model.GradingRule(
        rule_id=r.id, kind=r.rule, refs=tuple(r.refs), jurisdiction=code, status=doc.measure_status,
        window=window, window_end=end, source=model.Source(doc.title, r.clause, doc.measure_status, doc.file,
                                                           r.anchor),
        title=_text(r.title), spec=MappingProxyType(spec), document_id=doc.id, note=_text(r.note))


def _check_rule_overlaps(rules: list[model.GradingRule], errors: _Errors) -> None:
    by_id: dict[str, list[model.GradingRule]] = {}
    for r in rules:
        by_id.setdefault(r.rule_id, []).append(r)
    for rid, versions in by_id.items():
        for i, a in enumerate(versions):
            for b in versions[i + 1:]:
                if a.window.overlaps(b.window):
                    errors.append(f"grading rule {rid}: versions overlap ({a.window}, {b.window})")


def chain_of(cat: Catalogue, code: str) -> tuple[str, ...]:
    """The catalogue jurisdictions containing a division, national first."""
    from incentives.reference import division_chain
    return tuple(c for c in division_chain(code) if c in cat.jurisdictions)


def as_mapping(d: Mapping) -> Mapping:
    """A read-only view of a dict."""
    return MappingProxyType(dict(d))
