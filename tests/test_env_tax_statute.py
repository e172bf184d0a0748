"""环境保护税法 as dated versions; the 2025-10-28 amendment's VOCs pilot as a pending measure (LAW-27)."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.env_tax import RecordErrors, parse_records
from incentives.tax.statute import PENDING, VOCS_PILOT, version_at


@pytest.mark.parametrize("day, version", [
    (date(2018, 1, 1), "2018-10-26"),      # in force 2018-01-01 (the text as amended 2018-10-26)
    (date(2025, 10, 27), "2018-10-26"),
    (date(2025, 10, 28), "2025-10-28"),    # the amendment: in force on publication (env-tax.md §1.1)
    (date(2026, 12, 3), "2025-10-28"),
])
def test_the_version_in_force_on_a_day(day, version):
    assert version_at(day).version == version


def test_before_the_statute_there_is_no_version():
    with pytest.raises(LookupError):
        version_at(date(2017, 12, 31))


def test_the_vocs_pilot_is_pending_with_no_rate():
    assert PENDING == (VOCS_PILOT,)
    assert (VOCS_PILOT.status, VOCS_PILOT.rate, VOCS_PILOT.clause, VOCS_PILOT.refs) == (
        "pending", None, "第二十七条", ("LAW-27",))
    assert VOCS_PILOT.window.contains(date(2025, 10, 28)) and not VOCS_PILOT.window.contains(date(2025, 10, 27))


def test_a_vocs_record_is_refused_saying_why_it_is_not_taxed():
    with pytest.raises(RecordErrors) as info:
        parse_records([{"outlet": "DA001", "pollutant": "非甲烷总烃", "month": "2026-01", "emission_kg": 10}])
    [error] = info.value.errors
    assert "VOCs outside 附表二 are not taxed yet" in error["message"] and "national.env_tax_vocs_pilot" in error["message"]


def test_the_answer_names_the_statute_version_and_the_pending_pilot(app, client, admin):
    body = {"division": "410000", "rates": {"so2": 1.2}, "outlets": [{"outlet": "DA001", "standards": {"so2": 200}}],
            "records": [{"outlet": "DA001", "pollutant": "so2", "month": "2026-01", "emission_kg": 10,
                         "avg_concentration": 50, "max_concentration": 60, "source": "agency"}]}
    answer = client.post("/api/v1/tax/assessments", json=body, headers=admin).get_json()
    assert answer["statute"]["version"] == "2025-10-28"
    [pending] = answer["statute"]["pending"]
    assert (pending["measure"], pending["status"], pending["rate"]) == ("national.env_tax_vocs_pilot", "pending", None)


def test_the_pending_measure_cites_a_digest_ref():
    from incentives.policy import digest_refs
    assert set(VOCS_PILOT.refs) <= digest_refs()


def test_the_statute_reads_its_pending_measures_from_the_catalogue():
    # env-tax.md §1.1: 第二十七条 (LAW-27) of the amendment of 2025-10-28, in force on publication; no rate
    import policies
    from incentives.tax.statute import _pending
    [listed] = policies.BY_ID[VOCS_PILOT.measure_id]
    assert listed.jurisdiction == VOCS_PILOT.jurisdiction == "000000"
    assert listed.quantity is None and not listed.conditions and listed.params == {}
    with pytest.raises(ValueError, match="not a pending measure"):
        _pending("national.env_tax_statutory_reduction")   # in force, with its tiers: not a pending measure


def test_a_pending_measure_is_refused_if_it_could_apply():
    from pydantic import ValidationError

    from policies.schema import Measure
    base = {"id": "national.x", "refs": ["LAW-27"], "document": "d", "clause": "第二十七条", "category": "env_tax",
            "status": "pending", "title": {"zh": "试点", "en": "pilot"}}
    Measure.model_validate({**base, "unquantified": {"zh": "未定", "en": "not set"}})
    with pytest.raises(ValidationError, match="pending measure"):
        Measure.model_validate({**base, "unquantified": {"zh": "未定", "en": "not set"},
                                "when": [{"advanced_grade": True}]})
    with pytest.raises(ValidationError, match="pending measure"):
        Measure.model_validate(base)   # no text saying why it applies to nothing


def test_policies_lists_the_pending_pilot_and_no_benefit_applies_it(app, client, admin):
    listed = client.get("/api/v1/policies?division=410100&category=env_tax").get_json()
    [pilot] = [p for p in listed if p["policy_id"] == VOCS_PILOT.measure_id]
    assert (pilot["status"], pilot["source"]["status"], pilot["refs"], pilot["quantified"]) == (
        "pending", "pending", ["LAW-27"], False)
    assert pilot["effective"]["from"] == "2025-10-28" and pilot["parameters"] == []
    [one] = client.get(f"/api/v1/policies/{VOCS_PILOT.measure_id}").get_json()
    assert "第二十七条" in one["clause_text"] and "VOCs pilot" in one["clause_text"]
    # the engine never evaluates it: not a benefit, not even "not applicable"
    from incentives.engine import _policies_for
    chain = ("000000", "410000", "410100")
    assert VOCS_PILOT.measure_id not in {p.policy_id for p in _policies_for(chain, True, date(2026, 1, 1))}
    assert "national.env_tax_statutory_reduction" in {p.policy_id for p in _policies_for(chain, True, date(2026, 1, 1))}
