"""Bad monitoring input: each problem reported with its row and column (files) or field (JSON), all at once."""
import pytest

from incentives.env_tax import RecordErrors, TaxParameters, parse_records, read_monitoring


def file_errors(text: str) -> list[dict]:
    with pytest.raises(RecordErrors) as caught:
        parse_records(read_monitoring(text.encode("gbk")))
    return caught.value.errors


HEAD = "排放口,污染物,时间,浓度,流量,月份\n"


@pytest.mark.parametrize("line, column, message", [
    ("DA1,水银蒸气,2024-01-01T01:00,1,1,", "污染物", "unknown pollutant"),
    ("DA1,二氧化硫,2024-01-01T01:00,-1,1,", "浓度", "must not be negative"),
    ("DA1,二氧化硫,2024-01-01T01:00,1,abc,", "流量", "not a number"),
    ("DA1,二氧化硫,2024-01-01T01:00,,1,", "浓度", "required"),
    ("DA1,二氧化硫,2024-02-30T01:00,1,1,", "时间", "bad time"),
    ("DA1,二氧化硫,2024-01-01T01:00,1,1,2024-02", "月份", "month 2024-02 but time"),
    ("DA1,颗粒物,2024-01-01T01:00,1,1,", "污染物", "117号 一"),
])
def test_one_bad_cell_is_reported_at_its_row_and_column(line, column, message):
    errors = file_errors(HEAD + "DA1,二氧化硫,2024-01-01T00:00,1,1,\n" + line + "\n")
    assert len(errors) == 1
    assert errors[0]["row"] == 3 and errors[0]["column"] == column and message in errors[0]["message"]


def test_duplicate_hour_names_the_first_row():
    # 10:00 and 10:30 fall in the same CEMS hour (条例 第十条 hourly averages)
    errors = file_errors(HEAD + "DA1,so2,2024-01-01 10:00,1,1,\nDA1,so2,2024-01-01T10:30,2,1,\n")
    assert errors == [{"row": 3, "column": "时间",
                       "message": "duplicate hour for this outlet and pollutant: already given in row 2"}]


def test_all_errors_are_collected_at_once():
    errors = file_errors(HEAD + "DA1,xx,2024-01-01T00:00,-1,1,\nDA1,so2,bad,1,,\n")
    assert [(e["row"], e["column"]) for e in errors] == [(2, "污染物"), (2, "浓度"), (3, "时间"), (3, "流量")]


def test_json_errors_name_the_field():
    records = [{"outlet": "DA1", "pollutant": "so2", "time": "2024-01-01T00:00", "concentration": 1, "flow": 1},
               {"outlet": "DA1", "pollutant": "so2", "month": "2024-13", "emission_kg": "x"}]
    with pytest.raises(RecordErrors) as caught:
        parse_records(records)
    assert caught.value.errors == [
        {"field": "records[1].emission_kg", "message": "not a number: 'x'"},
        {"field": "records[1].month", "message": "bad month '2024-13': use YYYY-MM"},
    ]


def test_a_month_cannot_be_both_measured_and_aggregated():
    records = [{"outlet": "DA1", "pollutant": "so2", "time": "2024-01-01T00:00", "concentration": 1, "flow": 1},
               {"outlet": "DA1", "pollutant": "so2", "month": "2024-01", "emission_kg": 5}]
    with pytest.raises(RecordErrors) as caught:
        parse_records(records)
    assert caught.value.errors[0]["field"] == "records[1].month"


def test_mixed_sources_in_one_month_are_refused():
    records = [{"outlet": "DA1", "pollutant": "so2", "time": f"2024-01-01T0{h}:00", "concentration": 1, "flow": 1,
                "source": s} for h, s in ((0, "cems"), (1, "agency"))]
    with pytest.raises(RecordErrors) as caught:
        parse_records(records)
    assert caught.value.errors[0]["field"] == "records[1].source"


def test_particulate_accepted_with_the_parameter():
    # 117号 一: combustion 颗粒物 is taxed as 烟尘 (soot) when the caller says so
    records = [{"outlet": "DA1", "pollutant": "颗粒物", "time": "2024-01-01T00:00", "concentration": 1, "flow": 1}]
    parsed = parse_records(records, TaxParameters(particulate_item="soot"))
    assert parsed.measurements["p"].tolist() == [20]  # 附表二 item 20 烟尘


def test_aggregate_needs_both_concentrations_and_max_not_below_mean():
    records = [{"outlet": "DA1", "pollutant": "so2", "month": "2024-01", "emission_kg": 5, "avg_concentration": 10},
               {"outlet": "DA1", "pollutant": "nox", "month": "2024-01", "emission_kg": 5, "avg_concentration": 10,
                "max_concentration": 9}]
    with pytest.raises(RecordErrors) as caught:
        parse_records(records)
    assert [e["field"] for e in caught.value.errors] == ["records[0].max_concentration",
                                                         "records[1].max_concentration"]


def test_a_value_with_a_line_break_is_not_a_number():
    # the plain-decimal fast path joins values by line: a value holding a line break must not slip through
    records = [{"outlet": "DA1", "pollutant": "so2", "time": "2024-01-01T00:00", "concentration": "1\n2",
                "flow": "1"}, {"outlet": "DA1", "pollutant": "so2", "time": "2024-01-01T01:00",
                               "concentration": "x", "flow": "1"}]
    with pytest.raises(RecordErrors) as caught:   # "1\n2" and "x" make two lines that look plain
        parse_records(records)
    assert caught.value.errors == [{"field": "records[0].concentration", "message": "not a number: '1\\n2'"},
                                   {"field": "records[1].concentration", "message": "not a number: 'x'"}]
