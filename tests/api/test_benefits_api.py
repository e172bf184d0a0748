"""Benefits and the policy catalogue over HTTP (issue 5 endpoints)."""
from __future__ import annotations

from incentives import uscc as uscc_mod

from .test_foundation import assert_problem
from .test_registry import CQ, event, register


def _chongqing_upgraded_to_a(client, admin):
    register(client, admin, facts={"holds_carbon_allowance": True, "allowance_2023_t": 200000})
    r = event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="A",
              effective="2024-09-10", ref="CQ-5-3")
    assert r.status_code == 201


def test_carbon_bonus_after_an_upgrade_to_a(client, admin):
    _chongqing_upgraded_to_a(client, admin)
    body = client.get(f"/api/v1/enterprises/{CQ}/benefits?as_of=2024-10-01", headers=admin).get_json()
    bonus = next(b for b in body["benefits"] if b["policy_id"] == "chongqing.carbon_quota_bonus")
    # CQ-A1-9: upgraded C -> A on 2024-09-10, inside 2024-08-01..2024-12-31: 0.5% × 200 000 t = 1 000 t
    assert bonus["quantity"]["value"] == 1000 and bonus["quantity"]["unit"] == "tCO2"
    assert bonus["effective"] == {"from": "2024-08-01", "to": "2024-12-31"}
    assert {s["ref"] for s in bonus["explanation"]} == {"CQ-A1-9"}
    assert body["as_of"] == "2024-10-01" and body["include_drafts"] is False and body["ruleset"]


def test_after_the_campaign_the_bonus_is_not_applicable_and_says_why(client, admin):
    _chongqing_upgraded_to_a(client, admin)
    body = client.get(f"/api/v1/enterprises/{CQ}/benefits?as_of=2025-01-01", headers=admin).get_json()
    assert "chongqing.carbon_quota_bonus" not in [b["policy_id"] for b in body["benefits"]]
    # CQ-2: the campaign ran 2024-08-01..2024-12-31; extending it is a parameter change
    extended = client.get(f"/api/v1/enterprises/{CQ}/benefits?as_of=2025-01-01"
                          '&parameters={"chongqing_campaign_end":"2025-06-30"}', headers=admin).get_json()
    assert "chongqing.carbon_quota_bonus" in [b["policy_id"] for b in extended["benefits"]]
    assert extended["parameters"]["chongqing_campaign_end"] == "2025-06-30"


def test_english_explanations(client, admin):
    _chongqing_upgraded_to_a(client, admin)
    body = client.get(f"/api/v1/enterprises/{CQ}/benefits?as_of=2024-10-01",
                      headers={**admin, "Accept-Language": "en"}).get_json()
    bonus = next(b for b in body["benefits"] if b["policy_id"] == "chongqing.carbon_quota_bonus")
    assert bonus["title"]["en"].startswith("Extra carbon allowance")   # contract: title {zh, en}
    assert bonus["explanation"][0]["text"].isascii()                    # sentences in the language asked for


def test_benefits_are_for_the_enterprise_its_regulator_and_its_tax_bureau(client, admin, key_for):
    _chongqing_upgraded_to_a(client, admin)
    url = f"/api/v1/enterprises/{CQ}/benefits"
    assert client.get(url, headers=key_for("enterprise", uscc=CQ)).status_code == 200
    assert client.get(url, headers=key_for("tax_bureau", divisions=["500000"])).status_code == 200
    other = uscc_mod.make("91", "500112", "BNTHR001")
    assert_problem(client.get(url, headers=key_for("enterprise", uscc=other)), 403)
    assert_problem(client.get(url, headers=key_for("regulator", divisions=["410000"])), 403)
    assert_problem(client.get(url, headers=key_for("bank")), 403)


def test_bad_parameter_override_is_422_on_its_field(client, admin):
    _chongqing_upgraded_to_a(client, admin)
    r = client.get(f'/api/v1/enterprises/{CQ}/benefits?parameters={{"shaoxing_cross":"highest"}}', headers=admin)
    assert "parameters.shaoxing_cross" in [e["field"] for e in assert_problem(r, 422)["errors"]]


def test_policies_list_by_division_with_sources(client):
    listed = client.get("/api/v1/policies?division=500112").get_json()
    jurisdictions = {p["jurisdiction"]["code"] for p in listed}
    assert jurisdictions == {"000000", "500000"}   # national + Chongqing; not Henan, Ningxia, Shaoxing
    bonus = next(p for p in listed if p["policy_id"] == "chongqing.carbon_quota_bonus")
    rate = next(x for x in bonus["parameters"] if x["name"] == "chongqing.carbon_bonus_rate")
    assert rate["values"][0]["ref"] == "CQ-A1-9"
    drafts = client.get("/api/v1/policies?division=640100").get_json()
    assert any(p["status"] == "draft" for p in drafts)   # Ningxia's plan is a 征求意见稿


def test_one_policy_shows_its_clause_text(client):
    [bonus] = client.get("/api/v1/policies/chongqing.carbon_quota_bonus").get_json()
    assert "0.5%" in bonus["clause_text"]
    assert_problem(client.get("/api/v1/policies/nowhere.nothing"), 404)


def test_parameters_are_listed_with_defaults_and_sources(client):
    body = client.get("/api/v1/policies/parameters").get_json()
    assert body["interpretations"]["advanced_grades"]["default"] == ["A+", "A", "B", "引领"]
    assert "source" in body["interpretations"]["leading_map"]
    reg = {p["name"]: p for p in body["registry"]}
    assert reg["chongqing.failed_rectification"]["choices"] == ["cancel", "downgrade"]
    assert reg["env_tax.reduction_tiers"]["override"] is False and reg["env_tax.reduction_tiers"]["refs"] == ["LAW-13"]


def test_facts_given_at_registration_reach_the_policies(client, admin):
    # CQ-A1-1: 帮扶企业争取中央和市级大气专项资金 for deep-treatment / 创B争A projects: needs the fact upgrade_project
    register(client, admin, facts={"upgrade_project": True})
    body = client.get(f"/api/v1/enterprises/{CQ}/benefits?as_of=2024-10-01", headers=admin).get_json()
    assert "chongqing.air_fund_help" in [b["policy_id"] for b in body["benefits"]]
    r = client.patch(f"/api/v1/enterprises/{CQ}", json={"facts": {"upgrade_project": False}},
                     headers={**admin, "If-Match": '"1"'})
    assert r.status_code == 200
    after = client.get(f"/api/v1/enterprises/{CQ}/benefits?as_of=2024-10-01", headers=admin).get_json()
    missing = next(n for n in after["not_applicable"] if n["policy_id"] == "chongqing.air_fund_help")["missing"]
    assert {"condition": "upgrade_project", "needed": [True], "actual": False, "ref": "CQ-A1-1"} in missing
