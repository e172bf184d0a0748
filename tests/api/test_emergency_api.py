"""Emergency response and staggered production over HTTP (issue 18): `quantified.emergency` of the preview, the
benefits report's section, and the emergency-response sheet in JSON, HTML and PDF. Figures derived by hand from
policies/emergency.md (EG-CEM-1, EG-COUNT, JL-CF26-1/2, JIN-CF20/21)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from incentives import uscc as uscc_mod

from .test_foundation import assert_problem

HN_CEMENT = uscc_mod.make("91", "410100", "CEM00001")     # a Henan clinker plant
JL_CEMENT = uscc_mod.make("91", "220100", "CEM00002")     # a Jilin clinker plant
ALERTS = {"yellow": 5, "orange": 3, "red": 2}


def clinker(division, grade="C"):
    return {"division": division, "industries": [{"industry": "cement", "branch": "cement_clinker", "grade": grade}]}


def emergency(client, enterprise, target, as_of, **extra):
    r = client.post("/api/v1/benefits/preview", json={"enterprise": enterprise, "target": {"grade": target},
                                                      "as_of": as_of, **extra})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["quantified"]["emergency"]


def test_cement_clinker_c_to_b_days_equivalent_yuan_and_tonnes(client):
    q = emergency(client, clinker("410100"), "B", "2026-03-01",
                  scenario={"alert_days": ALERTS, "daily_output_value_yuan": 1000000, "daily_capacity_t": 5000})
    # EG-CEM-1 / EG-COUNT: C yellow 停产50%以生产线计 0.5, orange 停产 1, red 1 → B 0, 限产20% 0.2, 停产 1:
    # 5 × 0.5 + 3 × 0.8 + 2 × 0 = 4.9 days of output; × 1 000 000 = 4 900 000 yuan; × 5 000 t = 24 500 t
    assert q["value"] == 4.9 and q["unit"] == "days" and q["reason"] is None and q["notes"] == []
    assert q["output_value_yuan"] == 4900000 and q["output_t"] == 24500
    line = q["lines"][0]
    yellow = next(x for x in line["alert_levels"] if x["level"] == "yellow")
    assert yellow["before"]["production"] == "stop_lines" and yellow["days_limited_before"] == 5
    assert yellow["after"]["production"] == "none" and yellow["after"]["transport"] == "no_guo4_heavy_trucks"
    red = next(x for x in line["alert_levels"] if x["level"] == "red")
    assert red["days_stopped_before"] == 2 and red["days_stopped_after"] == 2 and red["days_equivalent"] == 0
    assert line["table"]["cut_base"]["ref"] == "EG-CEM-BASE"
    assert {"EG-CEM-1", "EG-COUNT"} <= set(q["refs"])


def test_jilin_2026_256_days_and_a_may_shorten_unquantified(client):
    q = emergency(client, clinker("220100"), "A", "2026-06-01",
                  scenario={"alert_days": ALERTS, "daily_output_value_yuan": 1000000})
    seasons = q["lines"][0]["seasons"]
    # JL-CF26-1: 90 + 105 + 61 = 256 days stopped at C; JL-CF26-2: A "可适当缩短" with no number
    assert sum(s["before"]["days_stopped"] for s in seasons) == 256
    assert {s["after"]["treatment"] for s in seasons} == {"may_shorten"}
    assert {s["after"]["days_stopped"] for s in seasons} == {None}
    assert q["value"] is None and q["output_value_yuan"] is None and q["reason"]
    assert q["quantified_part"] == 7.5          # alerts only: 5 × 0.5 + 3 × 1 + 2 × 1
    assert {u["ref"] for u in q["unquantified"]} == {"JL-CF26-2"}


def test_shanxi_2021_22_b_to_a_saves_the_season(client):
    q = emergency(client, clinker("140100", "B"), "A", "2021-12-01", scenario={"daily_output_value_yuan": 100000})
    # JIN-CF21-1/2: A exempt, B staggered 2021-11-01..2022-03-31 = 151 days; alerts: no days given
    s = q["lines"][0]["seasons"][0]
    assert (s["before"]["treatment"], s["before"]["ref"], s["before"]["days_stopped"]) == ("staggered", "JIN-CF21-2", 151)
    assert (s["after"]["treatment"], s["after"]["ref"], s["after"]["days_stopped"]) == ("exempt", "JIN-CF21-1", 0)
    assert q["value"] == 151 and q["output_value_yuan"] == 15100000   # 151 × 100 000
    assert q["notes"]                                                 # says alert_days were not given


def test_shanxi_2020_21_b_exempt(client):
    q = emergency(client, clinker("140100"), "B", "2020-12-01", scenario={"alert_days": {"light": 4}})
    assert any("light and moderate" in n or "轻度" in n for n in q["notes"])   # not in the tables: not counted
    s = q["lines"][0]["seasons"][0]
    # JIN-CF20-1: B not in 错峰; JIN-CF20-2: C staggered 151 days
    assert (s["before"]["treatment"], s["after"]["treatment"], s["days_saved"]) == ("staggered", "exempt", 151)


def test_ceramics_null_with_its_reason(client):
    body = {"division": "500112", "industries": [{"industry": "ceramics", "branch": "ceramics_building", "grade": "C"}]}
    q = emergency(client, body, "A", "2024-10-01", scenario={"alert_days": ALERTS, "daily_output_value_yuan": 1})
    assert q["value"] is None and q["output_value_yuan"] is None and q["quantified_part"] is None
    assert q["reason"].startswith("该行业的应急减排措施表未编码")
    r = client.post("/api/v1/benefits/preview", headers={"Accept-Language": "en"},
                    json={"enterprise": body, "target": {"grade": "A"}, "as_of": "2024-10-01"})
    assert r.get_json()["quantified"]["emergency"]["reason"].startswith("the industry's measure table is not encoded")


def test_counting_parameters_are_overridable_and_echoed(client):
    q = emergency(client, clinker("410100", "B"), "A", "2026-03-01", scenario={"alert_days": ALERTS},
                  parameters={"emergency.own_measures_cut": "0.1"})
    # B → A with own measures counted as 0.1: 5 × (0 − 0.1) + 3 × (0.2 − 0.1) + 2 × (1 − 0.1) = 1.6 days
    assert q["value"] == 1.6
    r = client.post("/api/v1/benefits/preview", json={"enterprise": clinker("410100"), "target": {"grade": "B"},
                                                      "parameters": {"emergency.own_measures_cut": "2"}})
    assert "parameters.emergency.own_measures_cut" in [e["field"] for e in assert_problem(r, 422)["errors"]]
    r = client.post("/api/v1/benefits/preview", json={"enterprise": clinker("410100"), "target": {"grade": "B"},
                                                      "scenario": {"daily_capacity_t": -1}})
    assert "scenario.daily_capacity_t" in [e["field"] for e in assert_problem(r, 422)["errors"]]


# --- the sheet ------------------------------------------------------------------------------------------

def _register(client, admin, code, division_grade="C", rated_on="2025-06-01"):
    r = client.post("/api/v1/enterprises", headers=admin, json={
        "uscc": code, "name": "某某水泥有限公司", "industries": [
            {"industry": "cement", "branch": "cement_clinker", "grade": division_grade, "rated_on": rated_on},
            {"industry": "ceramics", "branch": "ceramics_building", "grade": "A", "rated_on": rated_on}]})
    assert r.status_code == 201, r.get_json()


def test_sheet_json_per_line_alert_levels_and_seasons(client, admin):
    _register(client, admin, JL_CEMENT)
    r = client.get(f"/api/v1/enterprises/{JL_CEMENT}/emergency-sheet?as_of=2026-06-01", headers=admin)
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["as_of"] == "2026-06-01" and body["overall_grade"] == "C"
    clinker_line = next(x for x in body["lines"] if x["branch"] == "cement_clinker")
    assert clinker_line["grade"] == "C"
    # EG-CEM-1, grade C: yellow 停产50%以生产线计, orange and red 停产, each with the transport ban
    assert [(m["level"], m["production"]) for m in clinker_line["alert_levels"]] == [
        ("yellow", "stop_lines"), ("orange", "stop"), ("red", "stop")]
    assert {m["transport"] for m in clinker_line["alert_levels"]} == {"no_guo4_heavy_trucks"}
    cal = clinker_line["staggered_production"][0]
    assert (cal["id"], cal["treatment"], cal["ref"], cal["days_stopped"]) == ("JL-CF26", "staggered",
                                                                              "JL-CF26-1", 256)
    ceramics_line = next(x for x in body["lines"] if x["branch"] == "ceramics_building")
    assert ceramics_line["table"] is None and ceramics_line["alert_levels"] == [] and ceramics_line["reason"]


def test_sheet_for_the_enterprise_and_its_regulator_only(client, admin, key_for):
    _register(client, admin, HN_CEMENT)
    url = f"/api/v1/enterprises/{HN_CEMENT}/emergency-sheet"
    assert client.get(url, headers=key_for("enterprise", uscc=HN_CEMENT)).status_code == 200
    assert client.get(url, headers=key_for("regulator", divisions=["410000"])).status_code == 200
    assert_problem(client.get(url), 401)
    assert_problem(client.get(url, headers=key_for("regulator", divisions=["500000"])), 403)
    assert_problem(client.get(url, headers=key_for("enterprise", uscc=JL_CEMENT)), 403)
    assert_problem(client.get(url, headers=key_for("bank")), 403)
    assert_problem(client.get(url + "?format=docx", headers=admin), 422)
    unknown = uscc_mod.make("91", "410100", "CEM00099")
    assert_problem(client.get(f"/api/v1/enterprises/{unknown}/emergency-sheet", headers=admin), 404)


def test_sheet_html_zh_and_en(client, admin):
    _register(client, admin, HN_CEMENT)
    url = f"/api/v1/enterprises/{HN_CEMENT}/emergency-sheet?as_of=2026-03-01&format=html"
    zh = client.get(url, headers=admin)
    assert zh.status_code == 200 and zh.mimetype == "text/html"
    text = zh.get_data(as_text=True)
    assert "重污染天气应急减排公示牌" in text and "停产50%，以生产线计" in text and "EG-CEM-1" in text
    assert "<style" not in text and "<script" not in text        # CSP: stylesheet file only
    en = client.get(url + "&lang=en", headers=admin).get_data(as_text=True)
    assert "Emergency-response sheet" in en and "Stop 50% of the lines" in en


def test_sheet_pdf_carries_the_chinese_text(client, admin):
    _register(client, admin, HN_CEMENT)
    with client.get(f"/api/v1/enterprises/{HN_CEMENT}/emergency-sheet?as_of=2026-03-01&format=pdf",
                    headers=admin) as r:
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        data = r.get_data()
    assert data.startswith(b"%PDF") and len(data) > 1000
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "应急减排公示牌" in text and "某某水泥有限公司" in text and "停产" in text


def test_benefits_report_carries_the_emergency_lines(client, admin):
    _register(client, admin, JL_CEMENT)
    body = client.get(f"/api/v1/enterprises/{JL_CEMENT}/benefits?as_of=2026-06-01", headers=admin).get_json()
    clinker_line = next(x for x in body["emergency"] if x["branch"] == "cement_clinker")
    assert clinker_line["staggered_production"][0]["days_stopped"] == 256       # JL-CF26-1


def test_sheet_jilin_a_line_may_shorten_without_a_number(client, admin):
    _register(client, admin, JL_CEMENT, division_grade="A")
    body = client.get(f"/api/v1/enterprises/{JL_CEMENT}/emergency-sheet?as_of=2026-06-01", headers=admin).get_json()
    line = next(x for x in body["lines"] if x["branch"] == "cement_clinker")
    cal = line["staggered_production"][0]
    # JL-CF26-2: A "可适当缩短错峰生产时间", no number: each season's days and the total stay null
    assert (cal["treatment"], cal["ref"], cal["days_stopped"]) == ("may_shorten", "JL-CF26-2", None)
    assert {s["days_stopped"] for s in cal["seasons"]} == {None}
    # EG-CEM-1, grade A: own measures on every alert level
    assert {m["production"] for m in line["alert_levels"]} == {"own_measures"}
    html = client.get(f"/api/v1/enterprises/{JL_CEMENT}/emergency-sheet?as_of=2026-06-01&format=html",
                      headers=admin).get_data(as_text=True)
    assert "可适当缩短（文件未给出天数）" in html
