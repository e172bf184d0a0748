"""The jurisdiction tree over HTTP (contract 1.1 "Jurisdictions and the catalogue")."""
from __future__ import annotations

from .test_foundation import assert_problem


def test_the_tree_lists_every_jurisdiction_with_documents_and_rules(client):
    body = client.get("/api/v1/jurisdictions?as_of=2025-06-01").get_json()
    by_code = {j["code"]: j for j in body}
    assert {"000000", "410000", "500000", "640000", "330000", "330600"} <= set(by_code)
    assert by_code["330600"]["parent"] == "330000" and by_code["330000"]["parent"] == "000000"
    cq = by_code["500000"]
    (doc,) = cq["documents"]
    # Chongqing's campaign: 2024-08-01 .. chongqing.campaign_end (2024-12-31): expired on 2025-06-01.
    assert (doc["status"], doc["effective"], doc["confidence"]) == (
        "expired", {"from": "2024-08-01", "to": "2024-12-31"}, "verified")
    # encoded: CQ-A1-1, -2, -3, -5 (published list; subsidy and credit), -6, -7, -8, -9 -> 9 measures
    assert cq["measures"] == 9
    assert {"rule": "rectification", "status": "in_force"}.items() <= next(
        r for r in cq["grading_rules"] if r["id"] == "chongqing.rectification_lowest").items()
    nx = by_code["640000"]
    assert nx["documents"][0]["status"] == "draft"
    assert {r["status"] for r in nx["grading_rules"]} == {"draft"}
    national = by_code["000000"]
    # the 2026 guidance, the tax law, and the 2020 emergency guide whose tables emergency_tables.yaml encodes
    assert {d["id"] for d in national["documents"]} == {"national-2026-guidance", "env-protection-tax-law",
                                                          "env-protection-tax-law-2025",  # LAW-27 (2025-10-28)
                                                          "nat-emergency-guide-2020"}
    aplus = next(r for r in national["grading_rules"] if r["rule"] == "aplus_selection")
    assert aplus["effective"]["from"] == "2026-01-13" and aplus["refs"] == ["G-APLUS"]


def test_one_division_shows_its_chain_and_what_is_in_force(client):
    body = client.get("/api/v1/jurisdictions/330602?as_of=2024-10-01").get_json()
    assert [j["code"] for j in body["chain"]] == ["000000", "330000", "330600"]
    rules = {r["id"] for r in body["grading_rules"]}
    # the A+ rule starts 2026-01-13: not yet on 2024-10-01; Shaoxing's draft rules are listed, marked draft
    assert "national.aplus_selection" not in rules and "shaoxing.bar_4_2" in rules
    assert "henan.bar_art18" not in rules
    ids = {m["policy_id"] for m in body["measures"]}
    assert "shaoxing.emergency_exemption" in ids and "national.enforcement_positive_list" not in ids
    assert all(m["jurisdiction"]["code"] in ("000000", "330000", "330600") for m in body["measures"])
    later = client.get("/api/v1/jurisdictions/500112?as_of=2025-02-01").get_json()
    assert later["name"]["zh"] and [j["code"] for j in later["chain"]] == ["000000", "500000"]
    # the campaign ended 2024-12-31: no Chongqing measure is in force any more
    assert not [m for m in later["measures"] if m["jurisdiction"]["code"] == "500000"]


def test_a_bad_code_is_a_problem(client):
    assert_problem(client.get("/api/v1/jurisdictions/33060X"), 404)
    assert_problem(client.get("/api/v1/jurisdictions?as_of=yesterday"), 422)
