"""Upgrade preview (issue 7): figures derived by hand from the clauses; nothing is written."""
from __future__ import annotations

import io

import sqlalchemy as sa

from .test_foundation import assert_problem
from .test_registry import CQ, event, register

CQ_FACTS = {"division": "500112", "industries": [{"industry": "ceramics", "branch": "ceramics_building",
                                                   "grade": "C"}]}


def preview(client, target="A", as_of="2024-10-01", enterprise=None, **extra):
    body = {"enterprise": enterprise or CQ_FACTS, "target": {"grade": target}, "as_of": as_of, **extra}
    return client.post("/api/v1/benefits/preview", json=body)


def test_chongqing_c_to_a_carbon_bonus(client):
    body = preview(client, scenario={"allowance_2023_t": 200000, "carbon_price_yuan_per_t": 90}).get_json()
    carbon = body["quantified"]["carbon_allowance"]
    # CQ-A1-9: upgraded to A inside 2024-08-01..2024-12-31 -> 0.5% × 200 000 t = 1 000 t; × 90 yuan/t = 90 000
    assert carbon["value"] == 1000 and carbon["unit"] == "tCO2" and carbon["refs"] == ["CQ-A1-9"]
    assert carbon["detail"]["value_yuan"] == 90000
    assert "chongqing.carbon_quota_bonus" in [g["policy_id"] for g in body["gained"]]


def test_chongqing_c_to_b_carbon_bonus(client):
    carbon = preview(client, target="B", scenario={"allowance_2023_t": 200000}).get_json()["quantified"][
        "carbon_allowance"]
    assert carbon["value"] == 600   # CQ-A1-9: upgraded to B -> 0.3% × 200 000 t = 600 t


def test_the_path_shows_what_each_step_adds(client):
    path = preview(client, scenario={"allowance_2023_t": 200000}).get_json()["path"]
    assert [s["grade"] for s in path] == ["B", "A"]
    carbon_b = next(a for a in path[0]["adds"] if a["policy_id"] == "chongqing.carbon_quota_bonus")
    assert carbon_b["quantity"]["value"] == 600    # CQ-A1-9 0.3% at B, then 0.5% at A
    carbon_a = next(a for a in path[1]["adds"] if a["policy_id"] == "chongqing.carbon_quota_bonus")
    assert carbon_a["quantity"]["value"] == 1000


def test_emergency_days_and_their_value(client):
    q = preview(client, scenario={"alert_days": {"yellow": 5, "orange": 3, "red": 1},
                                  "daily_output_value_yuan": 100000}).get_json()["quantified"]["emergency_response"]
    # CQ-A1-8: C is strict on heavy-pollution days; A takes its own measures -> 5 + 3 + 1 = 9 days without a
    # mandated limit, × 100 000 yuan = 900 000 yuan of output kept
    assert q["value"] == 9 and q["detail"]["output_value_yuan"] == 900000
    assert q["detail"]["before"]["heavy"]["treatment"] == "strict"
    assert q["detail"]["after"]["heavy"]["treatment"] == "own_measures"


def test_tax_saving_split_into_emission_and_tier(client):
    monitoring = {"outlets": [{"outlet": "DA001", "standards": {"so2": 200}}], "rates": {"so2": 1.2},
                  "records": [{"outlet": "DA001", "pollutant": "so2", "month": "2024-01", "emission_kg": 1200,
                               "avg_concentration": 150, "max_concentration": 180, "source": "agency"}]}
    q = preview(client, scenario={"monitoring": monitoring, "target_concentrations": {"DA001": {"so2": 90}}}
                ).get_json()["quantified"]["env_tax"]
    # LAW-13. Before: (200-150)/200 = 0.25, not > 0.30 -> no reduction; 1200/0.95 = 1263.16 eq × 1.2 = 1515.79.
    # After: 90/150 = 0.6 -> 720 kg -> 757.89 eq × 1.2 = 909.47; (200-90)/200 = 0.55 > 0.50 -> 50%:
    # due round(909.47 × 0.5 = 454.735) = 454.74 (REDUCTION_ROUNDING=due, env-tax.md §6), reduction 454.73.
    # Saving 1515.79 - 454.74 = 1061.05 a month × 12 = 12 732.60 a year.
    # From the lower emission at the old tier: (1515.79 - 909.47) × 1 × 12 = 7 275.84; the tier: 5 456.76.
    assert q["value"] == 12732.60
    assert q["detail"]["from_lower_emission"] == 7275.84 and q["detail"]["from_reduction_tier"] == 5456.76
    assert q["detail"]["rows"][0]["tier_before"] == "none" and q["detail"]["rows"][0]["tier_after"] == "50%"


def test_no_numbers_where_the_law_gives_none(client):
    q = preview(client).get_json()["quantified"]
    assert q["env_tax"]["value"] is None and q["carbon_allowance"]["value"] is None


def test_sanctioned_enterprise_is_blocked_until_the_ban_lifts(client, admin):
    register(client, admin, grade="C")
    assert event(client, admin, kind="fraud_found", effective="2024-09-01").status_code == 201
    body = preview(client, enterprise={"uscc": CQ}).get_json()
    ban = next(b for b in body["blocking"] if b["ref"] == "G-FRAUD")
    assert ban["until"] == "2025-09-01"   # G-FRAUD: one year from 2024-09-01, the anniversary
    assert body["gained"] == []


def test_target_not_on_the_scale_is_blocking_not_an_error(client):
    body = preview(client, target="A", enterprise={
        "division": "500112", "industries": [{"industry": "coking", "branch": "coking_heat_recovery",
                                              "grade": "非引领"}]}).get_json()
    block = next(b for b in body["blocking"] if b["kind"] == "not_on_scale")
    assert block["ref"] == "G-SCALE" and "引领" in block["grades"]


def test_aplus_cannot_be_applied_for(client):
    body = preview(client, target="A+").get_json()
    assert any(b["ref"] == "G-APLUS" for b in body["blocking"])


def test_target_not_above_current_gains_nothing(client):
    body = preview(client, target="C").get_json()
    assert body["gained"] == [] and body["lost"] == []


def test_short_board_when_only_one_industry_is_targeted(client):
    enterprise = {"division": "500112", "industries": [
        {"industry": "ceramics", "branch": "ceramics_building", "grade": "C"},
        {"industry": "ferroalloy", "branch": "ferroalloy_main", "grade": "C"}]}
    body = client.post("/api/v1/benefits/preview", json={
        "enterprise": enterprise, "as_of": "2024-10-01",
        "target": {"industries": [{"industry": "ceramics", "branch": "ceramics_building", "grade": "A"}]}}).get_json()
    assert any(b["ref"] == "G-MULTI" for b in body["blocking"])
    assert body["target"]["overall_grade"] == "C"   # G-MULTI: the lowest industry grade


def test_bad_inputs(client, admin):
    assert_problem(preview(client, enterprise={"uscc": CQ}), 404)
    register(client, admin)
    both = preview(client, enterprise={"uscc": CQ, "division": "500112"})
    assert "enterprise.division" in [e["field"] for e in assert_problem(both, 422)["errors"]]
    negative = preview(client, scenario={"alert_days": {"red": -1}})
    assert "scenario.alert_days.red" in [e["field"] for e in assert_problem(negative, 422)["errors"]]
    assert_problem(preview(client, scenario={"allowance_2023_t": -5}), 422)


def test_english(client):
    body = client.post("/api/v1/benefits/preview", headers={"Accept-Language": "en"}, json={
        "enterprise": CQ_FACTS, "target": {"grade": "A"}, "as_of": "2024-10-01",
        "scenario": {"allowance_2023_t": 1000}}).get_json()
    titles = {g["policy_id"]: g["title"]["en"] for g in body["gained"]}
    assert titles["chongqing.carbon_quota_bonus"].startswith("Extra carbon allowance")
    assert body["quantified"]["enforcement"]["basis"].startswith("inspection and enforcement measures")


def test_preview_writes_nothing(app, client, admin):
    register(client, admin)
    engine = app.extensions["gis_engine"]
    tables = ["enterprise", "registration", "grade_event", "grade_projection", "tax_assessment", "import_batch"]

    def counts():
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}
    before = counts()
    monitoring = {"outlets": [{"outlet": "DA001", "standards": {"so2": 200}}], "rates": {"so2": 1.2},
                  "records": [{"outlet": "DA001", "pollutant": "so2", "month": "2024-01", "emission_kg": 1200,
                               "avg_concentration": 150, "max_concentration": 180, "source": "agency"}]}
    assert preview(client, enterprise={"uscc": CQ}, scenario={"monitoring": monitoring}).status_code == 200
    assert counts() == before


def test_plan_export_in_ningxia_annex_2_columns(client):
    body = {"enterprise": {**CQ_FACTS, "name": "某陶瓷厂"}, "target": {"grade": "A"}, "as_of": "2024-10-01"}
    r = client.post("/api/v1/benefits/preview/plan?format=csv", json=body)
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0] == "\ufeff企业名称,重点行业类型,行业分支,绩效现状,绩效提升目标,差异化指标,存在问题,改进措施,拟完成时间,备注"
    assert lines[1].startswith("某陶瓷厂,陶瓷,建筑陶瓷,C,A,")
    x = client.post("/api/v1/benefits/preview/plan?format=xlsx", json=body)
    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(x.data)).active
    assert sheet["E2"].value == "A"


def test_tax_saving_from_a_stored_assessment(client, admin, key_for):
    bureau = key_for("tax_bureau", divisions=["500000"])
    stored = client.post("/api/v1/tax/assessments", headers=bureau, json={
        "division": "500112", "outlets": [{"outlet": "DA001", "standards": {"so2": 200}}], "rates": {"so2": 1.2},
        "records": [{"outlet": "DA001", "pollutant": "so2", "month": "2024-01", "emission_kg": 1200,
                     "avg_concentration": 150, "max_concentration": 180, "source": "agency"}]}).get_json()
    body = {"enterprise": CQ_FACTS, "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"monitoring": {"assessment_id": stored["id"]},
                         "target_concentrations": {"DA001": {"so2": 90}}}}
    q = client.post("/api/v1/benefits/preview", json=body, headers=bureau).get_json()["quantified"]["env_tax"]
    # the same figures as from the records themselves (test_tax_saving_split_into_emission_and_tier): LAW-13,
    # (1515.79 - 454.74) × 12 = 12 732.60, of which 7 275.84 from the lower emission
    assert q["value"] == 12732.60 and q["detail"]["from_lower_emission"] == 7275.84
    assert_problem(client.post("/api/v1/benefits/preview", json=body), 403)    # public: not its data
    assert_problem(client.post("/api/v1/benefits/preview", json=body,
                               headers=key_for("tax_bureau", divisions=["410000"])), 403)


def test_alert_days_are_whole_days(client):
    problem = assert_problem(preview(client, scenario={"alert_days": {"red": 1.5}}), 422)
    assert "scenario.alert_days.red" in [e["field"] for e in problem["errors"]]
