"""Reference data owned by the project: loaded once, and a malformed file refuses to start (issue 3 §7)."""
from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from incentives import reference as ref


def test_the_copied_reference_files_load():
    data = ref.reference()
    # reference/README.md counts: 62 industries, 119 branches, 44 pollutants, 54 limits, 71 divisions;
    # rates: its 58 rows − 6 Hebei tier slugs + 2 × (28 tier-1 counties + 3 tier-2 cities + tier 3) + 6 `unknown` = 122
    assert (len(data.industries), len(data.branches), len(data.pollutants), len(data.tax_rates),
            len(data.emission_limits), len(data.divisions)) == (62, 119, 44, 122, 54, 71)
    assert data.pollutants["so2"].equivalent_kg == Decimal("0.95")   # 附表二 item 1
    assert data.pollutant_by_name["炭黑尘"] == data.pollutant_by_name["碳黑尘"]   # 117号 spelling


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of the data folder whose files a test may damage."""
    folder = tmp_path / "data"
    shutil.copytree(ref.DATA_DIR, folder)
    monkeypatch.setattr(ref, "DATA_DIR", folder)
    return folder


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_scale_refuses(broken):
    _replace(broken / "industries.csv", ",ABCD,", ",ABCDE,")
    with pytest.raises(ref.ReferenceDataError, match="unknown scale"):
        ref.load_industries()


def test_duplicate_code_refuses(broken):
    lines = (broken / "pollutant_equivalents.csv").read_text(encoding="utf-8").splitlines()
    (broken / "pollutant_equivalents.csv").write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(ref.ReferenceDataError, match="duplicate"):
        ref.load_pollutants()


def test_bad_date_refuses(broken):
    _replace(broken / "air_tax_rates.csv", "2018-01-01", "2018-13-01")
    with pytest.raises(ref.ReferenceDataError, match="bad date"):
        ref.load_tax_rates()


def test_rate_outside_the_statutory_range_refuses(broken):
    _replace(broken / "air_tax_rates.csv", ",12,2018-01-01", ",13,2018-01-01")   # 附表一: 1.2–12
    with pytest.raises(ref.ReferenceDataError, match="outside"):
        ref.load_tax_rates()


def test_the_app_refuses_to_start_on_broken_data(broken, tmp_path):
    from api import create_app
    _replace(broken / "industries.csv", ",ABCD,", ",XYZ,")
    ref.reference.cache_clear()
    try:
        with pytest.raises(ref.ReferenceDataError):
            create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    finally:
        ref.reference.cache_clear()


def test_division_chain_by_prefix():
    assert ref.division_chain("330602") == ("000000", "330000", "330600", "330602")
    assert ref.division_chain("640000") == ("000000", "640000")
