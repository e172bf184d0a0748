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
    assert "not (yet) taxed" in error["message"] and "national.env_tax_vocs_pilot" in error["message"]


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
