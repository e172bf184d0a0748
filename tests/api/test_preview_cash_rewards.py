"""Issue 13: a preview of an upgrade quantifies cash rewards in yuan, caps and budget in the basis."""
from __future__ import annotations


def _preview(client, division, industries, target, as_of, facts=None):
    body = {"enterprise": {"division": division, "industries": industries, "facts": facts or {}},
            "target": {"grade": target}, "as_of": as_of}
    r = client.post("/api/v1/benefits/preview", json=body, headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_xiangtan_c_to_a_quantifies_200000_yuan_subject_to_budget(client):
    # XT-25-1: A obtained 2025-12-20 (the preview's as_of) ≤ 2025-12-31 -> 200 000 yuan per firm,
    # paid in order of application until the budget runs out ("奖完为止").
    body = _preview(client, "430302", [{"industry": "cement", "branch": "cement_clinker", "grade": "C",
                                        "rated_on": "2024-04-01"}], "A", "2025-12-20")
    [reward] = [f for f in body["quantified"]["cash_rewards"] if f["detail"]["policy_id"] == "xiangtan.cash_reward_a"]
    assert (reward["value"], reward["unit"], reward["refs"]) == (200000, "yuan", ["XT-25-1"])
    assert "budget" in reward["basis"] and "200,000" in reward["basis"]
    assert "xiangtan.cash_reward_a" in [g["policy_id"] for g in body["gained"]]


def test_xiangtan_after_the_window_quantifies_nothing(client):
    # 2026-01-05 > 2025-12-31: an A obtained then earns no XT-25 reward.
    body = _preview(client, "430302", [{"industry": "cement", "branch": "cement_clinker", "grade": "C",
                                        "rated_on": "2024-04-01"}], "A", "2026-01-05")
    assert [f for f in body["quantified"]["cash_rewards"] if f["refs"] == ["XT-25-1"]] == []


def test_shaanxi_c_to_b_quantifies_the_cap_from_the_day_the_year_is_served(client):
    # SN-52-2: B reached 2025-03-01 must be held a year: payable from 2026-03-01; SN-52-5: at most
    # 6 000 000 yuan per firm, none received yet -> 6 000 000 (the amount itself rests on the investment, SN-52-6).
    body = _preview(client, "610112", [{"industry": "cement", "branch": "cement_clinker", "grade": "C",
                                        "rated_on": "2023-04-01"}], "B", "2025-03-01",
                    facts={"sn52_special_recheck_passed": True})
    [reward] = body["quantified"]["cash_rewards"]
    assert (reward["value"], reward["unit"]) == (6000000, "yuan")
    assert reward["detail"]["payable_from"] == "2026-03-01"
    assert "SN-52-5" in reward["refs"] and "6,000,000" in reward["basis"] and "SN-52-6" in reward["basis"]


def test_shaanxi_second_level_counts_what_was_received(client):
    # B rewarded 2 000 000 (levels "B"), target A: 6 000 000 − 2 000 000 = 4 000 000 once A is held a year.
    body = _preview(client, "610112", [{"industry": "cement", "branch": "cement_clinker", "grade": "B",
                                        "rated_on": "2023-04-01"}], "A", "2025-03-01",
                    facts={"sn52_special_recheck_passed": True, "sn52_rewards_received_yuan": 2000000,
                           "sn52_levels_rewarded": "B"})
    rewards = {f["detail"]["payable_from"]: f["value"] for f in body["quantified"]["cash_rewards"]}
    assert rewards == {"2026-03-01": 4000000}
