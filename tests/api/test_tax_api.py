"""The environmental-tax assessment over HTTP (issue 6) and its HJ 212 upload (issue 9).

Expected figures are derived by hand in the comments (env-tax.md; LAW-13).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest

from incentives import uscc as uscc_mod
from incentives.hj212 import frame
from sample_data import make_hj212

from .test_foundation import assert_problem

FIXTURES = Path(__file__).parent.parent / "fixtures"
URL = "/api/v1/tax/assessments"
HN = uscc_mod.make("91", "410100", "HN000001")      # a Henan enterprise
OTHER = uscc_mod.make("91", "410100", "HN000002")

# The contract's JSON body, with the issue's example record: 1 200 kg SO2 in January 2024, agency data,
# mean 120, max 150, S = 200, rate 1.2 yuan per 污染当量 from the request.
CONTRACT_BODY = {
    "uscc": HN, "division": "410000", "parameters": {"boundary": "strict"},
    "outlets": [{"outlet": "DA001", "standards": {"so2": 200, "nox": 300}}],
    "rates": {"so2": 1.2},
    "records": [{"outlet": "DA001", "pollutant": "so2", "month": "2024-01", "emission_kg": 1200,
                 "avg_concentration": 120, "max_concentration": 150, "source": "agency"}]}
FILE_OUTLETS = {"DA001": {"standards": {"二氧化硫": 200, "nox": 300}}}


@pytest.fixture
def bureau(key_for):
    """A Henan tax bureau."""
    return key_for("tax_bureau", divisions=["410000"])


def _post_file(client, headers, data: bytes, *, filename: str, mimetype: str, **form):
    fields = {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in form.items()}
    return client.post(URL, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename, mimetype), **fields})


def _raw(client, headers, data: bytes, mimetype: str, **query):
    fields = {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in query.items()}
    return client.post(f"{URL}?{urlencode(fields)}", headers={**headers, "Content-Type": mimetype}, data=data)


def _comparable(answer: dict) -> tuple:
    """Rows and totals, without what differs by construction: the id, the HJ 212 accounting and the file
    line an explanation step points at (a packet's line is not the CSV row)."""
    def step(s):
        return {**s, "values": {k: v for k, v in s["values"].items() if k != "row"}}
    rows = [{**r, "explanation": [step(s) for s in r["explanation"]]} for r in answer["rows"]]
    return rows, answer["totals"]


# ---- JSON: the contract's example, stored and read back ---------------------------------------------

def test_contract_json_example_gives_the_issue_figures_and_is_stored(client, bureau):
    # LAW-13: ratio (200 - 120)/200 = 0.40 > 0.30, not > 0.50 -> 75%; max 150 <= 200 (条例 第十条 ¶2).
    # 1200 kg / 0.95 = 1263.157... -> 1263.16 eq x 1.2 = 1515.792 -> 1515.79;
    # reduction 1515.79 x 0.25 = 378.9475 -> 378.95; due 1515.79 - 378.95 = 1136.84.
    r = client.post(URL, json=CONTRACT_BODY, headers=bureau)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    [row] = body["rows"]
    assert (row["outlet"], row["pollutant"], row["month"], row["tier"], row["factor"], row["ratio"]) == (
        "DA001", "so2", "2024-01", "75%", 0.75, 0.4)
    assert (row["emission_kg"], row["equivalents"], row["tax_before_reduction"], row["reduction"],
            row["tax_due"], row["taxed"]) == (1200, 1263.16, 1515.79, 378.95, 1136.84, True)
    assert body["rates"][0]["source"] == "request" and body["parameters"]["boundary"] == "strict"
    # 按季申报: Q1 2024 ends 2024-03-31, + 15 days -> 2024-04-15 (法 第十八条)
    assert body["totals"]["quarters"] == [{"quarter": "2024-Q1", "tax_before_reduction": 1515.79,
                                           "reduction": 378.95, "tax_due": 1136.84,
                                           "filing_deadline": "2024-04-15"}]
    assert body["id"] and body["ruleset"]
    again = client.get(f"{URL}/{body['id']}", headers=bureau)
    assert again.status_code == 200
    stored = again.get_json()
    # read back exactly as answered, explanations and rates included (numbers stay numbers)
    assert stored == body
    assert (stored["id"], stored["uscc"], stored["rates"][0]["rate"]) == (body["id"], HN, 1.2)


FORM_HEADER = ["月份", "税源编号", "排放口名称", "污染物名称", "污染物排放量计算方法", "废气排放量（万标立方米）",
               "实测浓度值（毫克/标立方米）", "最高浓度（毫克/标立方米）", "排放标准浓度值（毫克/标立方米）",
               "污染物排放量（千克）", "污染当量值（千克）", "污染当量数", "适用税额（元/污染当量）",
               "本期应纳税额（减免前）", "减免性质代码", "减免项目名称", "本期减免税额", "本期应纳税额"]
# LAW-13, the issue's example: 1200 kg / 0.95 (附表二 SO2) = 1263.157... -> 1263.16 eq x 1.2 = 1515.79;
# mean 120 < 0.7 x 200 -> 减按75%: due 1515.79 x 0.75 = 1136.8425 -> 1136.84, reduction 378.95.
# A monthly record carries no flow: 废气排放量 blank, never estimated; no citable 减免性质代码: blank (§9.1).
FORM_LINE = ["2024-01", "", "DA001", "二氧化硫", "监测机构监测", "", "120", "150", "200", "1200", "0.95", "1263.16", "1.2",
             "1515.79", "", "法第十三条 浓度值低于标准30% 减按75%", "378.95", "1136.84"]
FORM_TOTAL = ["合计"] + [""] * 12 + ["1515.79", "", "", "378.95", "1136.84"]
NOTE_EXHAUST = ["注", "废气排放量：1行的监测记录未带流量（按月汇总记录，或只有排放量的小时），留空，未推算"] + [""] * 16
NOTE_CODE = ["注", "减免性质代码：未在可引用的来源中找到国家税务总局对法第十三条减征的代码，留空；请在申报系统中按“减免项目名称”选择"] + [""] * 16


def test_accept_csv_gives_the_filing_form_columns(client, bureau):
    with client.post(URL, json=CONTRACT_BODY, headers={**bureau, "Accept": "text/csv"}) as r:
        assert r.status_code == 201 and r.mimetype == "text/csv"
        text = r.get_data(as_text=True)
        lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert text.startswith("\ufeff")   # Excel opens UTF-8 CSV only with its BOM
    assert lines == [FORM_HEADER, FORM_LINE, FORM_TOTAL, NOTE_EXHAUST, NOTE_CODE]


def test_stored_assessment_as_filing_form_csv_and_xlsx(client, bureau):
    import openpyxl
    body = {**CONTRACT_BODY, "records": CONTRACT_BODY["records"] + [
        # a second month: 950 kg / 0.95 = 1000 eq x 1.2 = 1200.00; mean 150 >= 0.7 x 200 -> no reduction
        {"outlet": "DA001", "pollutant": "so2", "month": "2024-02", "emission_kg": 950, "avg_concentration": 150,
         "max_concentration": 180, "source": "agency"}]}
    assessment_id = client.post(URL, json=body, headers=bureau).get_json()["id"]
    with client.get(f"{URL}/{assessment_id}?format=csv", headers=bureau) as r:
        assert r.status_code == 200 and r.mimetype == "text/csv"
        lines = list(csv.reader(io.StringIO(r.get_data(as_text=True).removeprefix("\ufeff"))))
    assert lines[0] == FORM_HEADER and lines[1] == FORM_LINE
    assert lines[2][:4] == ["2024-02", "", "DA001", "二氧化硫"] and lines[2][13:] == ["1200.00", "", "", "0.00", "1200.00"]
    # the total row sums the rounded lines: 1515.79 + 1200.00; 378.95 + 0; 1136.84 + 1200.00
    assert lines[3] == ["合计"] + [""] * 12 + ["2715.79", "", "", "378.95", "2336.84"]
    assert lines[4][0] == "注" and lines[4][1].startswith("废气排放量：2行") and lines[5] == NOTE_CODE
    with client.get(f"{URL}/{assessment_id}?format=xlsx", headers=bureau) as r:
        assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == FORM_HEADER and rows[3][0] == "合计" and rows[3][13] == pytest.approx(2715.79)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    with client.get(f"{URL}/{assessment_id}?format=pdf", headers=bureau) as r:
        assert_problem(r, 422)


# ---- files: every encoding and XLSX give the same answer --------------------------------------------

def test_the_form_gives_the_exhaust_volume_from_the_hourly_flows(client, bureau):
    # env-tax.md §9.1: 废气排放量 (万标立方米) = Σ hourly flow × 1 h. DA001: 50 000 + 60 000 + 70 000 m³ = 180 000 m³
    # = 18 万标立方米 for both pollutants (one flue gas); DA002's hour is given as a mass only (no flow): blank.
    # (SO2 3 h × 100 mg/m³ over 180 000 m³ = 18 kg / 0.95 = 18.947… -> 18.95 eq.)
    body = {"uscc": HN, "division": "410000", "rates": {"so2": 1.2, "nox": 1.2},
            "outlets": [{"outlet": o, "standards": {"so2": 200, "nox": 300}} for o in ("DA001", "DA002")],
            "records": [{"outlet": "DA001", "pollutant": p, "time": f"2024-01-01T0{h}:00", "concentration": 100,
                         "flow": flow} for p in ("so2", "nox") for h, flow in ((0, 50000), (1, 60000), (2, 70000))]
            + [{"outlet": "DA002", "pollutant": "so2", "time": "2024-01-01T00:00", "concentration": 10,
                "emission_kg": 1}]}
    answer = client.post(URL, json=body, headers=bureau).get_json()
    by = {(r["outlet"], r["pollutant"]): r for r in answer["rows"]}
    assert by[("DA001", "so2")]["exhaust_m3"] == by[("DA001", "nox")]["exhaust_m3"] == 180000
    assert by[("DA001", "so2")]["emission_kg"] == 18 and by[("DA002", "so2")]["exhaust_m3"] is None
    with client.get(f"{URL}/{answer['id']}?format=csv", headers=bureau) as r:
        lines = list(csv.reader(io.StringIO(r.get_data(as_text=True).removeprefix("\ufeff"))))
    exhaust = {(line[2], line[3]): line[5] for line in lines[1:-3]}
    assert exhaust == {("DA001", "二氧化硫"): "18", ("DA001", "氮氧化物"): "18", ("DA002", "二氧化硫"): ""}
    assert lines[-2] == NOTE_EXHAUST


def test_csv_xlsx_and_gbk_uploads_are_identical(client, bureau):
    # fixture: DA001 so2 100/140/120 mg/m³ x 1e6 m³ -> 360 kg, mean 120 < 0.7 x 200, max 140 -> 75%;
    # 360/0.95 = 378.947... -> 378.95 x 4.8 (Henan) = 1818.96; x 0.25 = 454.74; due 1364.22.
    answers = []
    for name, mimetype in (("monitoring_utf8.csv", "text/csv"), ("monitoring_utf8_bom.csv", "text/csv"),
                           ("monitoring_gbk.csv", "text/csv"), ("monitoring.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        data = (FIXTURES / name).read_bytes()
        r = _post_file(client, bureau, data, filename=name, mimetype=mimetype, division="410100",
                       outlets=FILE_OUTLETS)
        assert r.status_code == 201, (name, r.get_json())
        answers.append(_comparable(r.get_json()))
        raw = _raw(client, bureau, data, mimetype, division="410100", outlets=FILE_OUTLETS)
        assert raw.status_code == 201 and _comparable(raw.get_json()) == answers[-1], name
    assert all(a == answers[0] for a in answers)
    so2 = answers[0][0][0]
    assert (so2["pollutant"], so2["tier"], so2["tax_before_reduction"], so2["reduction"], so2["tax_due"]) == (
        "so2", "75%", 1818.96, 454.74, 1364.22)


def test_broken_gbk_is_400(client, bureau):
    r = _post_file(client, bureau, (FIXTURES / "monitoring_broken_gbk.csv").read_bytes(), filename="m.csv",
                   mimetype="text/csv", division="410100", outlets=FILE_OUTLETS)
    assert_problem(r, 400)


def test_unknown_pollutant_is_422_with_row_and_column(client, bureau):
    text = "排放口,污染物,时间,浓度,流量\nDA001,二氧化硫,2024-01-01T00:00,1,1\nDA001,水银蒸气,2024-01-01T01:00,1,1\n"
    r = _post_file(client, bureau, text.encode("utf-8"), filename="m.csv", mimetype="text/csv",
                   division="410100", outlets=FILE_OUTLETS)
    [error] = assert_problem(r, 422)["errors"]
    assert (error["row"], error["column"]) == (3, "污染物") and "unknown pollutant" in error["message"]


# ---- rates and divisions -----------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [1.1, 13])
def test_rate_outside_the_schedule_is_422(client, bureau, rate):
    # 法 附表一: 1.2–12 yuan per 污染当量 for air pollutants
    r = client.post(URL, json={**CONTRACT_BODY, "rates": {"so2": rate}}, headers=bureau)
    body = assert_problem(r, 422)
    assert body["errors"] == [{"field": "rates.so2", "message": "outside 1.2–12 (法 附表一)"}]


def test_division_without_a_known_rate_and_no_rates_is_422(client, admin):
    # 150000 (内蒙古) has no row in air_tax_rates.csv
    r = client.post(URL, json={**CONTRACT_BODY, "division": "150000", "rates": None}, headers=admin)
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "rates" and "150000" in body["detail"]


# ---- who may assess ----------------------------------------------------------------------------------

def test_tax_bureau_outside_its_divisions_is_403(client, key_for, bureau):
    chongqing = key_for("tax_bureau", divisions=["500000"])
    assert_problem(client.post(URL, json=CONTRACT_BODY, headers=chongqing), 403)
    stored = client.post(URL, json=CONTRACT_BODY, headers=bureau).get_json()
    assert_problem(client.get(f"{URL}/{stored['id']}", headers=chongqing), 403)


def test_enterprise_key_assesses_only_its_own_uscc(client, key_for):
    own = key_for("enterprise", uscc=HN)
    assert client.post(URL, json=CONTRACT_BODY, headers=own).status_code == 201
    other = key_for("enterprise", uscc=OTHER)
    assert_problem(client.post(URL, json=CONTRACT_BODY, headers=other), 403)


# ---- HJ 212 packets vs the equivalent hourly CSV -----------------------------------------------------

STANDARDS = {o: {"standards": {"so2": 50, "nox": 100, "soot": 10}} for o in make_hj212.OUTLETS}
MAPPING = {mn: outlet for outlet, mn in make_hj212.OUTLETS.items()}
T_HOUR = ("DA002", "2024-01-05T07:00")   # made over the instrument's range (flag T) below


def _month_with_a_t_hour():
    hours = make_hj212.generate()
    for h in hours:
        if (h.outlet, h.time.strftime("%Y-%m-%dT%H:%M")) == T_HOUR:
            avg, lo, hi, _ = h.values["a21026"]
            h.values["a21026"] = (avg, lo, hi, "T")
    text = "".join(make_hj212.packets(hours))
    rows = make_hj212.csv_rows(hours)           # flag N hours only
    for h in hours:
        if (h.outlet, h.time.strftime("%Y-%m-%dT%H:%M")) == T_HOUR:
            rows.append({"outlet": h.outlet, "pollutant": "so2", "time": T_HOUR[1],
                         "concentration": h.values["a21026"][0], "flow": h.flow_m3, "source": "cems",
                         "over_range": "true"})
    table = pd.DataFrame(rows).fillna("")
    return text, table.to_csv(index=False).encode("utf-8")


def _hj212(client, headers, text: str, **query):
    return _raw(client, headers, text.encode("ascii"), "text/plain", division="500000", format="hj212",
                outlets=STANDARDS, mn_to_outlet=MAPPING, **query)


PARAMS = {"exceedance_scope": "outlet_pollutant"}   # so the T hour blocks only DA002 SO2


def test_a_month_of_packets_equals_the_hourly_csv(client, admin):
    text, table = _month_with_a_t_hour()
    packets = _hj212(client, admin, text, parameters=PARAMS)
    assert packets.status_code == 201, packets.get_json()
    hourly = _raw(client, admin, table, "text/csv", division="500000", outlets=STANDARDS, parameters=PARAMS)
    assert hourly.status_code == 201, hourly.get_json()
    p, c = packets.get_json(), hourly.get_json()
    assert _comparable(p) == _comparable(c) and len(p["rows"]) == 9   # 3 outlets x 3 pollutants
    rows = {(r["outlet"], r["pollutant"]): r for r in p["rows"]}
    # 条例 第十条 ¶2 with flag T: DA002 SO2 fails G1, naming the hour and the flag
    assert rows[("DA002", "so2")]["tier"] == "none"
    assert rows[("DA002", "so2")]["reason"].startswith("2024-01-05 07:00 小时值标记T（超过仪器测量上限）")
    assert rows[("DA001", "so2")]["tier"] != "none"
    # every packet accounted for: 744 hours x 3 outlets, all used or excluded; the excluded hours keep
    # their flags (generator: DA002 M 9, DA001 C 5, DA003 D 5, DA003 F 18 pollutant-hours)
    acc = p["hj212"]
    assert acc["summary"]["packets"] == 744 * 3 == acc["summary"]["used"] + acc["summary"]["excluded"]
    assert sorted({(e["flag"], e["rule"]) for e in acc["excluded"]}) == [
        ("C", "flag_C"), ("D", "flag_D"), ("F", "flag_F"), ("M", "flag_M")]
    assert len(acc["excluded"]) == 37 and acc["rejected"] == []
    assert [(e["outlet"], e["pollutant"], e["time"], e["flag"]) for e in acc["exceeding"]] == [
        ("DA002", "so2", T_HOUR[1], "T")]


def test_strict_refuses_a_bad_packet_and_strict_false_lists_it(client, admin):
    text, _ = _month_with_a_t_hour()
    lines = text.split("\r\n")
    line = lines[9]                                    # file line 10: change one character of its data
    lines[9] = line[:40] + ("7" if line[40] != "7" else "8") + line[41:]
    bad = "\r\n".join(lines)
    strict = _hj212(client, admin, bad, parameters=PARAMS)
    body = assert_problem(strict, 422)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(10, "CRC")]
    lenient = _hj212(client, admin, bad, parameters=PARAMS, strict="false")
    assert lenient.status_code == 201, lenient.get_json()
    acc = lenient.get_json()["hj212"]
    assert [(e["row"], e["column"]) for e in acc["rejected"]] == [(10, "CRC")]
    assert acc["summary"]["rejected"] == 1 and acc["summary"]["packets"] == 744 * 3


def test_zsavg_basis_takes_the_emission_from_cou_not_zsavg_times_flow(client, admin):
    text, _ = _month_with_a_t_hour()
    avg = _hj212(client, admin, text, parameters=PARAMS).get_json()
    zs = _hj212(client, admin, text, parameters={**PARAMS, "concentration_basis": "zsavg"}).get_json()
    assert zs["parameters"]["concentration_basis"] == "zsavg"
    assert zs["hj212"]["parameters"]["concentration_basis"] == "zsavg"
    # Same emission (Σ -Cou, generated as Avg x flow x 1e-6), different concentrations: the generator's
    # ZsAvg = Avg x 12 / (21 - O2) with O2 between 7.8 and 10.2 %, so it differs from Avg.
    assert [r["emission_kg"] for r in zs["rows"]] == [r["emission_kg"] for r in avg["rows"]]
    assert all(z["avg_concentration"] != a["avg_concentration"] for z, a in zip(zs["rows"], avg["rows"]))


def test_zsavg_without_cou_uses_the_measured_avg_for_the_mass(client, admin):
    # One hour, SO2 Avg 30 mg/m³, ZsAvg 45, flow 100 000 m³, no -Cou: the mass is 30 x 100 000 / 10^6 = 3 kg
    # (ZsAvg x flow would say 4.5 kg).
    packet = frame("QN=20240101010000000;ST=31;CN=2061;PW=123456;MN=M1;Flag=4;CP=&&DataTime=20240101000000;"
                   "a00000-Cou=100000,a00000-Flag=N;a21026-Avg=30,a21026-ZsAvg=45,a21026-Flag=N&&")
    r = _raw(client, admin, packet.encode("ascii"), "text/plain", division="500000", format="hj212",
             outlets={"DA1": {"standards": {"so2": 50}}}, mn_to_outlet={"M1": "DA1"},
             parameters={"concentration_basis": "zsavg"})
    assert r.status_code == 201, r.get_json()
    [row] = r.get_json()["rows"]
    assert (row["emission_kg"], row["avg_concentration"]) == (3, 45)


@pytest.mark.parametrize("record, field", [
    ({"time": "2024-01-01T00:00", "concentration": 1e308, "flow": 1e300}, "concentration"),
    ({"time": "2024-01-01T00:00", "concentration": "9" * 5000, "flow": 1}, "concentration"),
    ({"month": "2024-01", "emission_kg": 1e30, "avg_concentration": 120, "max_concentration": 150,
      "source": "agency"}, "emission_kg"),
    ({"month": "9999-12", "emission_kg": 12, "avg_concentration": 120, "max_concentration": 150,
      "source": "agency"}, "month"),
    ({"month": "0001-01", "emission_kg": 12, "avg_concentration": 120, "max_concentration": 150,
      "source": "agency"}, "month"),
    ({"time": "9999-12-31T23:00", "concentration": 1, "flow": 1}, "time"),
])
def test_implausible_values_are_422_on_their_field(client, bureau, record, field):
    # magnitudes of 10^12 and more, and years outside 2018–2100 (the tax applies from 2018-01-01), are typing
    # errors: refused on the field, never a 500
    body = {"division": "410000", "outlets": [{"outlet": "DA001", "standards": {"so2": 200}}], "rates": {"so2": 1.2},
            "records": [{"outlet": "DA001", "pollutant": "so2", **record}]}
    problem = assert_problem(client.post(URL, json=body, headers=bureau), 422)
    assert problem["errors"][0]["field"] == f"records[0].{field}"


def test_unknown_fields_in_json_records_are_422(client, bureau):
    body = {**CONTRACT_BODY, "records": [{**CONTRACT_BODY["records"][0], "colour": "red"}]}
    problem = assert_problem(client.post(URL, json=body, headers=bureau), 422)
    assert problem["errors"] == [{"field": "records.0.colour", "message": "Unknown field"}]


def test_hj212_upload_with_nothing_taxable_is_a_422_in_hj212_terms(client, admin):
    # Two minute packets (CN=2051) and one hourly packet of water codes only: valid, but nothing taxable.
    minute = "".join(frame(f"QN=2024010100{m:02d}00000;ST=31;CN=2051;PW=123456;MN=M1;Flag=4;CP=&&"
                           f"DataTime=2024010100{m:02d}00;a21026-Avg=30,a21026-Flag=N&&") for m in (0, 10))
    water = frame("QN=20240101010000000;ST=32;CN=2061;PW=123456;MN=M1;Flag=4;CP=&&DataTime=20240101000000;"
                  "w01018-Avg=20,w01018-Flag=N&&")
    r = _raw(client, admin, (minute + water).encode("ascii"), "text/plain", division="500000", format="hj212",
             outlets={"DA1": {"standards": {"so2": 50}}}, mn_to_outlet={"M1": "DA1"})
    body = assert_problem(r, 422)
    assert "HJ 212" in body["detail"]
    fields = {e.get("field"): e["message"] for e in body["errors"]}
    assert fields["file"] == "3 packets: 0 used, 3 excluded, 0 rejected, 0 merged into split packets"
    assert fields["hj212.excluded.not_hourly"].startswith("2 excluded, e.g. line 1: CN=2051 is not hourly")
    assert fields["hj212.unknown_codes"].startswith("w01018 ×1")


def test_hj212_nmhc_is_reported_as_the_pending_vocs_pilot(client, admin):
    # a24088 非甲烷总烃 (VOCs as a whole) is no item of 附表二: LAW-27's pilot has no rate yet
    packet = frame("QN=20260105090000000;ST=31;CN=2061;PW=123456;MN=M1;Flag=4;CP=&&DataTime=20260105080000;"
                   "a00000-Cou=100000,a00000-Flag=N;a21026-Avg=30,a21026-Flag=N;a24088-Avg=12,a24088-Flag=N&&")
    r = _raw(client, admin, packet.encode("ascii"), "text/plain", division="500000", format="hj212",
             outlets={"DA1": {"standards": {"so2": 50}}}, mn_to_outlet={"M1": "DA1"})
    assert r.status_code == 201, r.get_json()
    [pending] = r.get_json()["hj212"]["pending"]
    assert pending["codes"] == ["a24088"] and pending["measure"] == "national.env_tax_vocs_pilot"
    assert [row["pollutant"] for row in r.get_json()["rows"]] == ["so2"]
