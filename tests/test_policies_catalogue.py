"""The catalogue as a whole: every digest measure encoded, sources and clause texts, load-time refusals."""
from __future__ import annotations

import ast
import re
from dataclasses import FrozenInstanceError, replace
from datetime import date
from pathlib import Path

import pytest

import policies
from incentives.explain import Text
from incentives.periods import Window
from incentives.policy import (
    CATEGORIES,
    GradeAtLeast,
    Policy,
    PolicyLoadError,
    Source,
    digest_refs,
    parameter,
    validate,
)
from policies.clauses import clause_text

ROOT = Path(__file__).resolve().parent.parent


def _measure_refs() -> set[str]:
    """Refs of the digest section "Measures keyed on grade" (up to the targets section)."""
    text = (ROOT / "policies" / "digest.md").read_text(encoding="utf-8")
    section = text.split("## Measures keyed on grade")[1].split("## Targets")[0]
    refs = set()
    for line in section.splitlines():
        m = re.match(r"^\|\s*([A-Z][^|]*?)\s*\|", line)
        if m:
            refs.update(r.strip() for r in m.group(1).split(","))
    return refs


def test_every_measure_ref_of_the_digest_is_encoded():
    encoded = {r for p in policies.ALL for r in p.refs}
    expected = _measure_refs()
    # by hand: emergency 6 + tax 4 + carbon 2 + emission rights 3 + enforcement 7 + finance/projects 21 = 43
    assert len(expected) == 43
    assert expected - encoded == set()


def test_refs_are_digest_ids_and_fields_are_complete():
    known = digest_refs()
    for p in policies.ALL:
        assert set(p.refs) <= known, p.policy_id
        assert p.category in CATEGORIES and p.title.zh and p.title.en
        assert p.source.document and p.source.clause and p.source.status in ("in_force", "draft", "pending")
    drafts = {p.jurisdiction for p in policies.ALL if p.status == "draft"}
    assert drafts == {"640000", "330600"}          # the Ningxia and Shaoxing 征求意见稿


def test_every_policy_shows_its_clause_text():
    # a document read only from a web page (source.url, e.g. Xiangtan's news summary) has no text file to cut
    for p in policies.ALL:
        if not p.source.file:
            assert clause_text(p) is None and policies.CATALOGUE.documents[p.document_id].url
            continue
        text = clause_text(p)
        assert text and len(text) > 20, p.policy_id
    assert "0.5%" in clause_text(policies.BY_ID["chongqing.carbon_quota_bonus"][0])
    assert clause_text(policies.BY_ID["national.green_procurement"][0]) == \
        "推广企业绿色采购，鼓励优先采购和使用绩效等级先进企业的产品。"


def test_parameters_carry_ref_and_source_per_value():
    for name, param in policies.PARAMETERS.items():
        for v in param.values:
            assert v.ref in digest_refs() and v.source, name
    rate = policies.PARAMETERS["chongqing.carbon_bonus_rate"].at(date(2024, 9, 1))
    assert rate.value == {"A": "0.005", "B": "0.003"} and rate.ref == "CQ-A1-9"


BASE = policies.BY_ID["chongqing.fewer_inspections"][0]


def test_loader_refuses_unknown_ref():
    bad = replace(BASE, refs=("CQ-A1-99",))
    with pytest.raises(PolicyLoadError, match="unknown ref 'CQ-A1-99'"):
        validate((bad,), policies.PARAMETERS)
    bad_cond = replace(BASE, conditions=(GradeAtLeast("B", "XX-1"),))
    with pytest.raises(PolicyLoadError, match="unknown ref 'XX-1'"):
        validate((bad_cond,), policies.PARAMETERS)


def test_loader_refuses_missing_source():
    with pytest.raises(PolicyLoadError, match="missing source"):
        validate((replace(BASE, source=Source("", "", "in_force")),), policies.PARAMETERS)
    with pytest.raises(PolicyLoadError, match="status"):
        validate((replace(BASE, source=Source("doc", "一", "proposed")),), policies.PARAMETERS)


def test_loader_refuses_overlapping_windows():
    a = replace(BASE, window=Window(date(2024, 8, 1), date(2025, 1, 1)), window_end=None)
    b = replace(BASE, window=Window(date(2024, 12, 31), None), window_end=None)
    with pytest.raises(PolicyLoadError, match="versions overlap"):
        validate((a, b), policies.PARAMETERS)
    c = replace(BASE, window=Window(date(2025, 1, 1), None), window_end=None)
    validate((a, c), policies.PARAMETERS)          # adjacent half-open windows do not overlap
    with pytest.raises(PolicyLoadError, match="overlap"):
        parameter("x.rate", (Window(date(2024, 1, 1), date(2024, 6, 1)), "1", "CQ-A1-9", "s"),
                  (Window(date(2024, 5, 31), None), "2", "CQ-A1-9", "s"))


def test_loader_refuses_parameter_value_without_ref_in_digest_or_source():
    p = parameter("x.rate", (Window(date(2024, 1, 1), None), "1", "ZZ-9", ""))
    with pytest.raises(PolicyLoadError, match="ZZ-9"):
        validate((), {"x.rate": p})


def test_loader_refuses_bad_category_and_jurisdiction():
    with pytest.raises(PolicyLoadError, match="category"):
        validate((replace(BASE, category="gifts"),), policies.PARAMETERS)
    with pytest.raises(PolicyLoadError, match="jurisdiction"):
        validate((replace(BASE, jurisdiction="990000"),), policies.PARAMETERS)


def test_policy_model_is_frozen():
    with pytest.raises(FrozenInstanceError):
        BASE.refs = ("X",)
    assert isinstance(BASE, Policy) and isinstance(BASE.title, Text)


FORBIDDEN = ("flask", "marshmallow", "api")


@pytest.mark.parametrize("package", ["incentives", "policies"])
def test_domain_does_not_import_web_layers(package):
    # House style §2.1: only api/ imports Flask or marshmallow; the domain never imports api.
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for n in names:
                assert n.split(".")[0] not in FORBIDDEN, f"{path}: imports {n}"
