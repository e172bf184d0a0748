"""Hebei provisional promotion through the API: the grade answer shows managed and rated grade, expiry, ref."""
from __future__ import annotations

from incentives import uscc as uscc_mod

from .test_foundation import assert_problem
from .test_registry import HN, event, register

HB = uscc_mod.make("91", "130102", "HB000001")      # a Shijiazhuang enterprise


def test_managed_one_grade_higher_for_six_months_then_rated(client, admin):
    register(client, admin, code=HB, grade="C", rated_on="2024-01-10")
    # HB-WT-1a: approved 2024-02-01, no `until`: the rule gives 2024-02-01 + 6 months = 2024-08-01 (exclusive).
    r = event(client, admin, code=HB, kind="managed_higher", industry="ceramics", branch="ceramics_building", effective="2024-02-01",
              ref="HB-WT-1a")
    assert r.status_code == 201, r.get_json()
    inside = client.get(f"/api/v1/enterprises/{HB}/grade?as_of=2024-07-31").get_json()
    assert (inside["overall_grade"], inside["rated_grade"]) == ("B", "C")
    [higher] = [x for x in inside["restrictions"] if x["kind"] == "managed_higher"]
    assert (higher["ref"], higher["until"]) == ("HB-WT-1a", "2024-08-01")
    after = client.get(f"/api/v1/enterprises/{HB}/grade?as_of=2024-08-01").get_json()
    assert (after["overall_grade"], after["rated_grade"]) == ("C", "C")      # reverted


def test_a_hebei_ref_outside_hebei_is_refused_naming_it(client, admin):
    # a ledger refusal is a 409 (the project's convention for an event the rules forbid), naming the ref
    register(client, admin, code=HN, grade="C", rated_on="2024-01-10")
    r = event(client, admin, code=HN, kind="managed_higher", industry="ceramics", branch="ceramics_building", effective="2024-02-01",
              ref="HB-WT-1a")
    body = assert_problem(r, 409)
    assert body["errors"][0]["ref"] == "HB-WT-1a" and body["errors"][0]["field"] == "ref"


def test_managed_higher_without_until_or_ref_is_422(client, admin):
    register(client, admin, code=HB, grade="C", rated_on="2024-01-10")
    assert_problem(event(client, admin, code=HB, kind="managed_higher", industry="ceramics",
                         effective="2024-02-01"), 422)
