"""incentives.env_tax: tiers, gates, top three, rates, rounding and totals (env-tax.md; LAW-13).

Every expected figure is derived by hand in the comment next to it.
"""
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from incentives.env_tax import (
    FILING_COLUMNS,
    PARAMETER_DOCS,
    InvalidRate,
    MissingRate,
    MissingStandard,
    TaxParameters,
    assess,
    parse_records,
    read_monitoring,
    to_filing_rows,
)

FIXTURES = Path(__file__).parent / "fixtures"


def month(outlet, pollutant, kg, avg, top, m="2024-01", source="agency"):
    return {"outlet": outlet, "pollutant": pollutant, "month": m, "emission_kg": kg, "avg_concentration": avg,
            "max_concentration": top, "source": source}


def hourly(outlet, pollutant, values, day="2024-01-01"):
    """CEMS hourly records: values = [(concentration, flow), ...] from 00:00."""
    return [{"outlet": outlet, "pollutant": pollutant, "time": f"{day}T{h:02d}:00", "concentration": c,
             "flow": f, "source": "cems"} for h, (c, f) in enumerate(values)]


def one(records, standards, rates=None, division="410000", **params):
    result = assess(records, division=division, outlets={o: {"standards": s} for o, s in standards.items()},
                    rates=rates, parameters=TaxParameters(**params))
    return result


def test_issue_example_75_percent():
    # LAW-13: ratio (200 - 120)/200 = 0.40 > 0.30, not > 0.50 -> 75%; max 150 <= 200 (条例 第十条 ¶2).
    # 1200 kg / 0.95 = 1263.157... -> 1263.16 eq x 1.2 = 1515.792 -> 1515.79;
    # reduction 1515.79 x 0.25 = 378.9475 -> 378.95; due 1515.79 - 378.95 = 1136.84.
    result = one([month("DA001", "so2", 1200, 120, 150)], {"DA001": {"so2": 200}}, rates={"so2": "1.2"})
    (row,) = result.rows
    assert (row.ratio, row.tier, row.factor) == (D("0.4"), "75%", D("0.75"))
    assert (row.equivalents, row.tax_before_reduction, row.reduction, row.tax_due) == (
        D("1263.16"), D("1515.79"), D("378.95"), D("1136.84"))
    assert row.reason.zh == "月均浓度120 < 0.7×200=140，且最高单次监测值150 ≤ 200 → 减按75%"
    assert row.rate_source == "request"
    assert {s.ref for s in row.steps} == {"LAW-13"}
    assert [s.values.get("gate") for s in row.steps if s.values.get("gate")] == ["G1", "G2"]
    assert result.rates[0].source == "request"


S1 = (hourly("DA001", "so2", [(78, 1_000_000), (15, 3_400_000), (15, 3_400_000)]))
# S-1: mean (78 + 15 + 15)/3 = 36; max 78; Σ flow x conc = 7.8e7 + 5.1e7 + 5.1e7 = 1.8e8 mg = 180 kg.


@pytest.mark.parametrize("rounding, reduction_rounding, eq, before, reduction, due", [
    # env-tax.md §8 S-1 as written (REDUCTION_ROUNDING=reduction):
    # 180/0.95 = 189.473684...; x 2.0 = 378.947... -> 378.95; x 0.5 = 189.475 -> 189.48; due 189.47
    ("amounts_only", "reduction", D("189.473684"), D("378.95"), D("189.48"), D("189.47")),
    # the default (§6 updated): due 378.95 x 0.5 = 189.475 -> 189.48; reduction 378.95 - 189.48 = 189.47
    ("amounts_only", "due", D("189.473684"), D("378.95"), D("189.47"), D("189.48")),
    # 189.47 x 2.0 = 378.94; x 0.5 = 189.47 exactly under either procedure
    ("equivalents_2dp", "reduction", D("189.47"), D("378.94"), D("189.47"), D("189.47")),
    ("equivalents_2dp", "due", D("189.47"), D("378.94"), D("189.47"), D("189.47")),
])
@pytest.mark.parametrize("boundary", ["strict", "inclusive"])
def test_s1_fifty_percent_and_rounding_policies(rounding, reduction_rounding, eq, before, reduction, due, boundary):
    # env-tax.md §8 S-1: r = (80 - 36)/80 = 0.55 > 0.50 -> 50% under either boundary
    (row,) = one(S1, {"DA001": {"so2": 80}}, rates={"so2": "2.0"}, rounding=rounding, boundary=boundary,
                 reduction_rounding=reduction_rounding).rows
    assert (row.avg_concentration, row.max_concentration, row.emission_kg) == (D(36), D(78), D(180))
    assert row.tier == "50%" and row.ratio == D("0.55")
    assert round(row.equivalents, 6) == eq
    assert (row.tax_before_reduction, row.reduction, row.tax_due) == (before, reduction, due)


@pytest.mark.parametrize("avg, top, strict, inclusive", [
    (56, 70, "none", "75%"),   # r = (80-56)/80 = 0.30 exactly: not "below 30%" under strict
    (40, 70, "75%", "50%"),    # r = 0.50 exactly
    (30, 81, "none", "none"),  # G1: 81 > 80
    (30, 80, "50%", "50%"),    # Cmax = S does not fail G1 ("不得超过")
])
def test_s2_gates_and_boundary(avg, top, strict, inclusive):
    # env-tax.md §8 S-2, S = 80
    records = [month("DA001", "so2", 100, avg, top)]
    for boundary, expected in (("strict", strict), ("inclusive", inclusive)):
        (row,) = one(records, {"DA001": {"so2": 80}}, rates={"so2": "2"}, boundary=boundary).rows
        assert row.tier == expected, boundary
    edge = one(records, {"DA001": {"so2": 80}}, rates={"so2": "2"}).rows[0]
    if avg in (56, 40):
        assert "REDUCTION_BOUNDARY=strict" in edge.reason.zh


def test_exact_boundary_12_6_vs_0_7_times_18():
    # 0.7 x 18 = 12.6 exactly (binary floats say 12.599999999999998 < 12.6): strict -> none, inclusive -> 75%
    records = [month("DA001", "so2", 10, "12.6", "17")]
    assert one(records, {"DA001": {"so2": 18}}, rates={"so2": 2}).rows[0].tier == "none"
    assert one(records, {"DA001": {"so2": 18}}, rates={"so2": 2}, boundary="inclusive").rows[0].tier == "75%"


def test_hourly_gate_names_the_hour_and_value():
    # 条例 第十条 ¶2: mean (20 + 81 + 20)/3 = 40.33 < 0.5 x 80, but the 01:00 value 81 > 80 -> no reduction
    records = hourly("DA001", "so2", [(20, 1000), ("81", 1000), (20, 1000)])
    (row,) = one(records, {"DA001": {"so2": 80}}, rates={"so2": 2}).rows
    assert row.tier == "none" and row.factor == D(1)
    assert row.max_time == "2024-01-01 01:00"
    assert row.reason.zh == "2024-01-01 01:00 最高小时均值81 > 标准80（条例 第十条第二款，共1个小时均值超标）→ 不减征"
    g1 = next(s for s in row.steps if s.values.get("gate") == "G1")
    assert g1.outcome == "not_met" and g1.values["max"] == D(81)


@pytest.mark.parametrize("scope, da001_so2", [("taxpayer", "none"), ("outlet", "50%"), ("outlet_pollutant", "50%")])
def test_117_gate_other_outlet(scope, da001_so2):
    # DA001 so2: 40 < 0.5 x 100 -> 50% on its own; DA002 so2 max 120 > 100 in the same month (117号 二)
    records = [month("DA001", "so2", 100, 40, 60), month("DA002", "so2", 100, 50, 120)]
    rows = {r.outlet: r for r in one(records, {"DA001": {"so2": 100}, "DA002": {"so2": 100}},
                                     rates={"so2": 2}, exceedance_scope=scope).rows}
    assert rows["DA001"].tier == da001_so2
    assert rows["DA002"].tier == "none"  # its own G1
    if da001_so2 == "none":
        assert "DA002" in rows["DA001"].reason.zh and "EXCEEDANCE_SCOPE=taxpayer" in rows["DA001"].reason.zh


@pytest.mark.parametrize("scope, so2", [("taxpayer", "none"), ("outlet", "none"), ("outlet_pollutant", "50%")])
def test_117_gate_same_outlet_other_pollutant(scope, so2):
    # DA001 nox max 350 > 300 blocks DA001 so2 under taxpayer and outlet scope, not under outlet_pollutant
    records = [month("DA001", "so2", 100, 40, 60), month("DA001", "nox", 100, 100, 350)]
    rows = {r.pollutant: r for r in one(records, {"DA001": {"so2": 100, "nox": 300}}, rates={"so2": 2, "nox": 2},
                                        exceedance_scope=scope).rows}
    assert rows["so2"].tier == so2


def test_117_gate_exceedance_elsewhere_blocks_under_taxpayer():
    records = [month("DA001", "so2", 100, 40, 60)]
    result = assess(records, division="410000", outlets={"DA001": {"standards": {"so2": 100}}},
                    exceedance_elsewhere={"2024-01": True})
    assert result.rows[0].tier == "none" and result.notes == ()
    clean = assess(records, division="410000", outlets={"DA001": {"standards": {"so2": 100}}},
                   exceedance_elsewhere={"2024-01": False})
    g2 = next(s for s in clean.rows[0].steps if s.values.get("gate") == "G2")
    assert clean.rows[0].tier == "50%" and g2.outcome == "met"


def test_top_three_with_ties():
    # 法 第九条: all four have 100 eq: so2 95/0.95, nox 95/0.95, co 1670/16.7, soot 218/2.18.
    # item_no (附表二 order so2=1, nox=2, co=3, soot=20): soot ranks 4th, not taxed.
    records = [month("DA001", "so2", 95, None, None), month("DA001", "nox", 95, None, None),
               month("DA001", "co", 1670, None, None), month("DA001", "soot", 218, None, None)]
    rates = {"so2": "1.2", "nox": "1.2", "co": "1.2", "soot": "3"}
    rows = {r.pollutant: r for r in one(records, {}, rates=rates).rows}
    assert [rows[p].rank for p in ("so2", "nox", "co", "soot")] == [1, 2, 3, 4]
    assert rows["soot"].taxed is False and rows["soot"].tax_due == 0
    assert "TOP_N_TIE_BREAK=item_no" in rows["so2"].steps[1].text.zh
    # no concentrations (G3): 100 eq x 1.2 = 120.00 due, no reduction
    assert rows["so2"].tax_due == D("120.00") and rows["so2"].tier == "none"
    # higher_rate_first: soot (3 yuan) first, then so2, nox; co is 4th
    rows = {r.pollutant: r for r in one(records, {}, rates=rates, tie_break="higher_rate_first").rows}
    assert rows["soot"].rank == 1 and rows["co"].taxed is False
    # 100 eq x 3 = 300.00
    assert rows["soot"].tax_due == D("300.00")


def test_top_n_parameter_taxes_a_fourth():
    records = [month("DA001", p, kg, None, None) for p, kg in (("so2", 95), ("nox", 95), ("co", 1670), ("soot", 218))]
    rows = one(records, {}, rates={"so2": 2, "nox": 2, "co": 2, "soot": 2}, top_n=4).rows
    assert all(r.taxed for r in rows)


def test_quarter_sums_and_filing_deadline():
    # no reduction (avg 90 >= 0.7 x 100); 95 kg / 0.95 = 100 eq x 4.8 (Henan, air_tax_rates.csv) = 480.00 per month
    records = [month("DA001", "so2", 95, 90, 95, m) for m in ("2024-01", "2024-02", "2024-03", "2024-04")]
    result = one(records, {"DA001": {"so2": 100}})
    assert [m.tax_due for m in result.months] == [D("480.00")] * 4
    q1, q2 = result.quarters
    assert (q1.quarter, q1.tax_due, q1.filing_deadline) == ("2024-Q1", D("1440.00"), date(2024, 4, 15))
    assert (q2.quarter, q2.tax_due, q2.filing_deadline) == ("2024-Q2", D("480.00"), date(2024, 7, 15))
    assert result.rows[0].rate == D("4.8") and result.rows[0].rate_source == "reference"


def test_fourth_quarter_deadline_is_next_january():
    from incentives.env_tax import filing_deadline
    assert filing_deadline("2024-Q4") == date(2025, 1, 15)


def test_chongqing_rate_changes_in_2021():
    # air_tax_rates.csv: 500000 all/all 2.4 until 2020-12-31, 3.5 from 2021-01-01.
    # 95 kg / 0.95 = 100 eq: 240.00 in 2020-12, 350.00 in 2021-01 (avg 90 >= 70: no reduction)
    records = [month("DA001", "so2", 95, 90, 95, "2020-12"), month("DA001", "so2", 95, 90, 95, "2021-01")]
    rows = one(records, {"DA001": {"so2": 100}}, division="500112").rows
    assert [(r.month, r.rate, r.tax_due) for r in rows] == [("2020-12", D("2.4"), D("240.00")),
                                                            ("2021-01", D("3.5"), D("350.00"))]


def test_missing_rate_names_province_and_pollutant():
    with pytest.raises(MissingRate) as caught:
        one([month("DA001", "so2", 95, 90, 95)], {"DA001": {"so2": 100}}, division="540102")
    assert "540000" in str(caught.value) and "so2" in str(caught.value)


def test_hebei_area_rates_need_the_caller():
    with pytest.raises(MissingRate, match="by area"):
        one([month("DA001", "so2", 95, 90, 95)], {"DA001": {"so2": 100}}, division="130100")


@pytest.mark.parametrize("rate", ["1.19", "12.01", "abc"])
def test_caller_rate_outside_schedule_is_refused(rate):
    with pytest.raises(InvalidRate, match="so2"):
        one([month("DA001", "so2", 95, 90, 95)], {"DA001": {"so2": 100}}, rates={"so2": rate})


def test_missing_standard_names_outlet_and_pollutant():
    with pytest.raises(MissingStandard) as caught:
        one([month("DA009", "nox", 95, 90, 95)], {})
    assert "DA009 nox" in str(caught.value)


def test_standard_id_fallback_respects_confidence():
    # emission_standards.csv: GB13223-2011 so2 general 200 (verified_news); 120 < 140 -> 75%
    records = [month("DA001", "so2", 1200, 120, 150)]
    outlets = {"DA001": {"standard_id": "GB13223-2011"}}
    row = assess(records, division="410000", outlets=outlets, rates={"so2": "1.2"}).rows[0]
    assert (row.standard, row.tier) == (D(200), "75%") and "GB13223-2011" in row.standard_source
    # special limit 50: 120 > 0.7 x 50 and max 150 > 50 -> none
    row = assess(records, division="410000", outlets={"DA001": {"standard_id": "GB13223-2011:special"}}).rows[0]
    assert (row.standard, row.tier) == (D(50), "none")
    with pytest.raises(MissingStandard):
        assess(records, division="410000", outlets=outlets,
               parameters=TaxParameters(default_standard_confidence=frozenset()))


def test_record_standard_column_is_used_when_request_has_none():
    records = [dict(r, standard="80") for r in S1]
    row = assess(records, division="410000", rates={"so2": 2}).rows[0]
    assert (row.standard, row.standard_source, row.tier) == (D(80), "records", "50%")


def test_agency_aggregate_parameter():
    # agency samples 20, 60 (S = 100): mean 40 -> 50%; with agency_aggregate=max, C = 60 -> none (60 >= 70? no: 75%)
    # 60 < 0.7 x 100 = 70 -> 75%
    records = [{"outlet": "DA001", "pollutant": "so2", "time": t, "concentration": c, "flow": 1000,
                "source": "agency"} for t, c in (("2024-01-05T10:00", 20), ("2024-01-20T10:30", 60))]
    assert one(records, {"DA001": {"so2": 100}}, rates={"so2": 2}).rows[0].tier == "50%"
    assert one(records, {"DA001": {"so2": 100}}, rates={"so2": 2}, agency_aggregate="max").rows[0].tier == "75%"


def test_files_in_every_encoding_and_json_give_identical_results():
    # fixture: DA001 so2 100/140/120 mg/m³ x 1e6 m³ -> 360 kg, mean 120, max 140; S 200 -> 75%.
    # 360/0.95 = 378.947... -> 378.95 x 4.8 (Henan) = 1818.96; reduction x 0.25 = 454.74; due 1364.22.
    # nox 50/60/70 -> 180 kg, mean 60 < 0.5 x 300 -> 50%; 189.47 x 4.8 = 909.456 -> 909.46; 454.73; 454.73
    outlets = {"DA001": {"standards": {"二氧化硫": 200, "nox": 300}}}
    results = []
    for name in ("monitoring_utf8.csv", "monitoring_utf8_bom.csv", "monitoring_gbk.csv", "monitoring.xlsx"):
        table = read_monitoring((FIXTURES / name).read_bytes(), filename=name)
        results.append(to_filing_rows(assess(parse_records(table), division="410100", outlets=outlets)))
    json = [r for p, cs in (("so2", (100, 140, 120)), ("nox", (50, 60, 70)))
            for r in hourly("DA001", p, [(c, 1_000_000) for c in cs])]
    results.append(to_filing_rows(assess(json, division="410100", outlets=outlets)))
    assert all(r == results[0] for r in results)
    so2 = results[0][0]
    assert list(so2) == list(FILING_COLUMNS)
    assert (so2["污染物"], so2["减征档次"], so2["应纳税额(减免前)"], so2["减免税额"], so2["应纳税额"]) == (
        "二氧化硫", "减按75%", "1818.96", "454.74", "1364.22")
    nox = results[0][1]
    assert (nox["减征档次"], nox["应纳税额(减免前)"], nox["减免税额"], nox["应纳税额"]) == (
        "减按50%", "909.46", "454.73", "454.73")


def test_parameters_validate_and_document():
    assert TaxParameters.from_mapping({"REDUCTION_BOUNDARY": "inclusive", "top_n": "4"}).as_dict()["top_n"] == 4
    with pytest.raises(ValueError, match="boundary"):
        TaxParameters.from_mapping({"boundary": "loose"})
    with pytest.raises(ValueError, match="unknown parameter"):
        TaxParameters.from_mapping({"speed": 1})
    with pytest.raises(ValueError, match="top_n"):
        TaxParameters.from_mapping({"top_n": 2})
    assert set(PARAMETER_DOCS) == set(TaxParameters().as_dict())
    assert TaxParameters().as_dict()["default_standard_confidence"] == ["verified_journal", "verified_news"]


def test_sample_quarter_file_shows_the_117_gate_in_february():
    # sample_data/monitoring_quarter.csv: 3 outlets x 3 pollutants x 2184 hours; every hour is below its
    # standard except DA002 nox 158.3/171.2/152.6 > 150 on 2024-02-14 09:00-11:00 (an SCR fault), so under
    # EXCEEDANCE_SCOPE=taxpayer no February row is reduced (117号 二) while January and March are.
    data = (Path(__file__).parents[1] / "sample_data" / "monitoring_quarter.csv").read_bytes()
    result = assess(parse_records(read_monitoring(data)), division="410100")
    february = [r for r in result.rows if r.month == "2024-02"]
    assert len(result.rows) == 27 and all(r.tier == "none" for r in february)
    fault = next(r for r in february if (r.outlet, r.pollutant) == ("DA002", "nox"))
    assert fault.max_concentration == D("171.2") and fault.max_time == "2024-02-14 10:00"
    assert "共3个小时均值超标" in fault.reason.zh
    assert all("排放口DA002 氮氧化物" in r.reason.zh for r in february if r is not fault)
    assert all(r.tier != "none" for r in result.rows if r.month != "2024-02")
    assert result.quarters[0].tax_due == sum(m.tax_due for m in result.months)


# ---- an hour's own emission_kg (e.g. HJ 212 -Cou) and T-flag hours (over the instrument's range) ----------

def test_hourly_emission_kg_replaces_flow_times_concentration():
    # §3.3 per hour unless the record gives the hour's emission: hour 0 flow x conc = 1 000 000 x 30 / 10^6
    # = 30 kg; hour 1 says emission_kg 12.5 (its flow 2 000 000 x 30 / 10^6 = 60 would be ignored);
    # hour 2 has emission_kg 7.25 and no flow. Total 30 + 12.5 + 7.25 = 49.75 kg.
    # 49.75 / 0.95 = 52.368... -> 52.37 eq x 2 = 104.74; mean 30 < 0.5 x 80 = 40 -> 50%: 52.37 reduction,
    # due 104.74 - 52.37 = 52.37.
    records = hourly("DA001", "so2", [(30, 1_000_000), (30, 2_000_000), (30, "")])
    records[1]["emission_kg"] = "12.5"
    records[2]["emission_kg"] = 7.25
    (row,) = one(records, {"DA001": {"so2": 80}}, rates={"so2": 2}).rows
    assert row.emission_kg == D("49.75") and row.equivalents == D("52.37")
    assert (row.tier, row.tax_before_reduction, row.reduction, row.tax_due) == (
        "50%", D("104.74"), D("52.37"), D("52.37"))


def test_hourly_emission_kg_is_validated():
    from incentives.env_tax import RecordErrors
    records = hourly("DA001", "so2", [(30, 1000), (30, "")])
    records[0]["emission_kg"] = "-1"          # negative
    with pytest.raises(RecordErrors) as caught:   # and hour 1 has neither flow nor emission_kg
        parse_records(records)
    assert caught.value.errors == [{"field": "records[0].emission_kg", "message": "must not be negative"},
                                   {"field": "records[1].flow", "message": "required"}]


@pytest.mark.parametrize("flag", [True, "true", "1", "是"])
def test_over_range_hour_fails_the_hourly_gate_and_is_named(flag):
    # 条例 第十条 ¶2 with HJ 212 flag T: every value (20, 30, 25) <= 80 and mean 25 < 0.5 x 80 = 40 would give
    # 50%, but the 01:00 value is over the instrument's range (true value >= 30, possibly > 80) -> no reduction.
    records = hourly("DA001", "so2", [(20, 1000), (30, 1000), (25, 1000)])
    records[1]["over_range"] = flag
    (row,) = one(records, {"DA001": {"so2": 80}}, rates={"so2": 2}).rows
    assert (row.tier, row.factor) == ("none", D(1))
    assert row.reason.zh == ("2024-01-01 01:00 小时值标记T（超过仪器测量上限），计为超过标准80（条例 第十条第二款）"
                             "→ 不减征")
    g1 = next(s for s in row.steps if s.values.get("gate") == "G1")
    assert (g1.outcome, g1.values["flag"], g1.values["max_time"]) == ("not_met", "T", "2024-01-01 01:00")
    clean = hourly("DA001", "so2", [(20, 1000), (30, 1000), (25, 1000)])
    clean[1]["over_range"] = False
    assert one(clean, {"DA001": {"so2": 80}}, rates={"so2": 2}).rows[0].tier == "50%"


def test_over_range_hour_counts_for_the_117_gate_and_is_refused_on_a_month():
    from incentives.env_tax import RecordErrors
    # 117号 二 (EXCEEDANCE_SCOPE=taxpayer): DA002's T-flag hour blocks DA001's 50% (40 < 0.5 x 100).
    t_hour = hourly("DA002", "so2", [(10, 1000)])
    t_hour[0]["over_range"] = "yes"
    rows = {r.outlet: r for r in one([month("DA001", "so2", 100, 40, 60)] + t_hour,
                                     {"DA001": {"so2": 100}, "DA002": {"so2": 100}}, rates={"so2": 2}).rows}
    assert rows["DA001"].tier == "none" and "DA002" in rows["DA001"].reason.zh and "T" in rows["DA001"].reason.zh
    bad = month("DA001", "so2", 100, 40, 60)
    bad["over_range"] = "1"
    with pytest.raises(RecordErrors) as caught:
        parse_records([bad, {**hourly("DA001", "nox", [(1, 1)])[0], "over_range": "maybe"}])
    assert [e["field"] for e in caught.value.errors] == ["records[0].over_range", "records[1].over_range"]


@pytest.mark.parametrize("reduction_rounding, reduction, due", [
    # env-tax.md §6 (updated): 中华会计网校 answer 8683551 gives 757.90 due: the amount due is rounded.
    ("due", D("757.89"), D("757.90")),
    # the other procedure: the reduction 757.895 -> 757.90 is rounded and the amount due is the difference
    ("reduction", D("757.90"), D("757.89")),
])
def test_published_example_rounds_the_amount_due_by_default(reduction_rounding, reduction, due):
    # LAW-13: SO2 1 200 kg, mean 80 of standard 200: r = (200 - 80)/200 = 0.60 > 0.50 -> 减按50%.
    # 1200 / 0.95 = 1263.157... -> 1263.16 eq x 1.2 = 1515.792 -> 1515.79; x 0.5 = 757.895.
    params = {} if reduction_rounding == "due" else {"reduction_rounding": reduction_rounding}
    (row,) = one([month("DA001", "so2", 1200, 80, 150)], {"DA001": {"so2": 200}}, rates={"so2": "1.2"},
                 **params).rows
    assert (row.tier, row.tax_before_reduction) == ("50%", D("1515.79"))
    assert (row.reduction, row.tax_due) == (reduction, due)
    assert TaxParameters().reduction_rounding == "due"
    assert TaxParameters.from_mapping({"REDUCTION_ROUNDING": "reduction"}).reduction_rounding == "reduction"
