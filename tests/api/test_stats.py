"""Grade statistics of a division and progress against its targets (contract: /api/v1/stats/grades)."""
from __future__ import annotations

from incentives import uscc as uscc_mod


def _register(client, admin, division, body, grade, rated_on="2024-03-01"):
    code = uscc_mod.make("91", division, body)
    r = client.post("/api/v1/enterprises", headers=admin, json={
        "uscc": code, "name": body, "industries": [{"industry": "ceramics", "branch": "ceramics_building",
                                                     "grade": grade, "rated_on": rated_on}]})
    assert r.status_code == 201


def test_shaoxing_structure_and_targets(client, admin):
    for i, grade in enumerate(["A", "B", "C", "C", "D"]):
        _register(client, admin, "330602", f"XH00000{i}", grade)
    _register(client, admin, "500112", "CQ000001", "A")     # another division: not counted
    body = client.get("/api/v1/stats/grades?division=330600&as_of=2024-06-01").get_json()
    assert body["total"] == 5
    assert {g["grade"]: g["count"] for g in body["by_grade"]} == {"A": 1, "B": 1, "C": 2, "D": 1}
    # SX-2-2: B(引领)+ share 2/5 = 0.40 ≥ 0.08, 0.12, 0.15; C+ share 4/5 = 0.80 ≥ 0.60 and 0.75 but < 0.90
    c_targets = {t["due"]: t["met"] for t in body["targets"] if t["floor"] == "C"}
    assert c_targets == {"2023-08-31": True, "2024-12-31": True, "2025-12-31": False}
    assert all(t["met"] for t in body["targets"] if t["floor"] == "B")
    assert next(t for t in body["targets"] if t["floor"] == "C")["share"] == 0.8


def test_today_uses_the_projection_and_agrees_with_the_fold(client, admin):
    for i, grade in enumerate(["B", "C"]):
        _register(client, admin, "500112", f"CQ00000{i}", grade)
    today = client.get("/api/v1/stats/grades?division=500000").get_json()
    past = client.get("/api/v1/stats/grades?division=500000&as_of=2025-06-01").get_json()
    assert today["by_grade"] == past["by_grade"]
    # CQ-2: about 100 enterprises at B (引领) or above by 2024-12-31: 1 here
    cq2 = next(t for t in today["targets"] if t["ref"] == "CQ-2")
    assert cq2["count"] == 1 and cq2["met"] is False


def test_targets_count_b_minus_and_leading_as_the_division_reads_them(client, admin):
    # SX-2-2 "B级（引领性）及以上": Shaoxing reads B- as B (二(一) "B（含B-）") and 引领 as A (rule shaoxing.*):
    # steel B- and ceramics 引领 both count: 2 of 2 -> share 1.0 for the B targets.
    for body, industry, branch, grade in (("MB000001", "steel_long_process", "steel_long_process_main", "B-"),
                                          ("MB000002", "ceramics", "ceramics_sanitary", "引领")):
        r = client.post("/api/v1/enterprises", headers=admin, json={
            "uscc": uscc_mod.make("91", "330602", body), "name": body,
            "industries": [{"industry": industry, "branch": branch, "grade": grade, "rated_on": "2024-03-01"}]})
        assert r.status_code == 201
    body = client.get("/api/v1/stats/grades?division=330600&as_of=2024-06-01").get_json()
    assert {t["share"] for t in body["targets"] if t["floor"] == "B"} == {1.0}
