"""Provincial 适用税额 (air_tax_rates.csv): all 31 provinces, areas by division, `unknown` is a 422, never a guess."""
from __future__ import annotations

import shutil
from decimal import Decimal as D

import pytest

from incentives import reference as ref
from incentives.env_tax import MissingRate, reference_rate

PROVINCES = ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000", "650000"]


def test_every_province_has_a_row_known_or_unknown():
    # the 31 provincial divisions of the mainland (台湾, 香港, 澳门: the tax does not apply)
    assert {r.division for r in ref.reference().tax_rates} == set(PROVINCES)


# Hebei: 河北省环境保护税应税大气污染物和水污染物适用税额方案 (2017-12-01): SO2/NOx 9.6 in 一档 (13 counties
# bordering Beijing, 雄安 and 12 adjacent counties), 6 in 二档 (石家庄, 保定, 廊坊 outside 一档, 定州, 辛集),
# 4.8 (= 4 × 1.2, weak) elsewhere; every other air pollutant 4.8 in the whole province.
@pytest.mark.parametrize(("division", "pollutant", "rate"), [
    ("130623", "so2", "9.6"),    # 涞水县, borders Beijing
    ("130602", "nox", "9.6"),    # 保定市竞秀区, adjacent to 雄安
    ("131082", "so2", "9.6"),    # 三河市
    ("130100", "so2", "6.0"),    # 石家庄市 (no 一档 county inside it)
    ("130181", "nox", "6.0"),    # 辛集市, inside 石家庄's prefix
    ("130682", "so2", "6.0"),    # 定州市, inside 保定's prefix but not 一档
    ("131025", "so2", "6.0"),    # 大城县, the one 廊坊 county outside 一档
    ("130200", "so2", "4.8"),    # 唐山市: 三档
    ("130623", "soot", "4.8"),   # other pollutants: 4.8 everywhere, 一档 included
])
def test_hebei_rate_by_area(division, pollutant, rate):
    assert reference_rate(division, pollutant, "2024-01").rate_yuan == D(rate)


@pytest.mark.parametrize("division", ["130600", "131000", "130700", "130000"])
def test_hebei_division_spanning_tiers_needs_the_county(division):
    # 保定/廊坊/张家口 (and the province) hold 一档 counties beside 二档/三档 ones: the division does not decide
    with pytest.raises(MissingRate, match="does not decide"):
        reference_rate(division, "so2", "2024-01")
    assert reference_rate(division, "soot", "2024-01").rate_yuan == D("4.8")   # one rate for the rest


def test_jiangsu_city_rates_still_apply():
    # 江苏省人大常委会公告第67号: 南京 8.4, 徐州 4.8; a county takes its city's rate
    assert reference_rate("320102", "so2", "2024-01").rate_yuan == D("8.4")
    assert reference_rate("320300", "nox", "2024-01").rate_yuan == D("4.8")
    with pytest.raises(MissingRate):
        reference_rate("320000", "so2", "2024-01")


@pytest.mark.parametrize("division", ["150000", "150102", "340100", "450000", "520000", "540102"])
def test_province_with_unknown_rate_is_refused(division):
    # shared/reference/README.md: 内蒙古, 安徽, 广西, 贵州, 西藏: no decision found: ask, never assume 1.2
    with pytest.raises(MissingRate, match="unknown") as caught:
        reference_rate(division, "so2", "2024-01")
    assert caught.value.errors[0]["field"] == "rates"


def test_liaoning_known_until_2019_unknown_after():
    # 1.2 stated for 2018–2019 only; from 2020-01-01 no source
    assert reference_rate("210100", "so2", "2019-12").rate_yuan == D("1.2")
    with pytest.raises(MissingRate, match="unknown"):
        reference_rate("210100", "so2", "2020-01")


@pytest.fixture
def broken(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(ref.DATA_DIR, folder)
    monkeypatch.setattr(ref, "DATA_DIR", folder)
    return folder / "air_tax_rates.csv"


def test_unknown_rate_must_say_unknown_confidence(broken):
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("all,unknown,2018-01-01,,unknown", "all,unknown,2018-01-01,,verified", 1),
                      encoding="utf-8")
    with pytest.raises(ref.ReferenceDataError, match="unknown"):
        ref.load_tax_rates()


def test_area_outside_the_province_refuses(broken):
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("so2,130623,", "so2,410100,", 1), encoding="utf-8")
    with pytest.raises(ref.ReferenceDataError, match="area_scope"):
        ref.load_tax_rates()
