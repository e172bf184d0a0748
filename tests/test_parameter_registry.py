"""One parameter registry: what the catalogue publishes is what the computation reads (issue 12, part 3)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

import policies
from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from incentives.ledger import LedgerOptions, Registration, fold
from incentives.periods import DatedValue, Parameter, Window
from incentives.state import GradeEvent
from incentives.tax.parameters import statutory


def test_the_tax_reads_law_13_and_the_rate_range_from_the_registry():
    # LAW-13: 低于30% -> 75%, 低于50% -> 50%: limits 0.5 and 0.7 of the standard; 附表一: 1.2–12 yuan.
    s = statutory(date(2025, 6, 1))
    assert s.tiers == ((Fraction(1, 2), Decimal("0.50"), "50%"), (Fraction(7, 10), Decimal("0.75"), "75%"))
    assert (s.rate_min, s.rate_max, s.refs) == (Decimal("1.2"), Decimal(12), ("LAW-13", "LAW-13"))


def _publish(monkeypatch, name, value, ref):
    """Replace a published parameter's value (as a new catalogue file would)."""
    new = Parameter(name, (DatedValue(Window(None, None), value, ref, "test"),))
    monkeypatch.setitem(policies.PARAMETERS, name, new)
    for p in policies.ALL:
        if name in p.params:
            monkeypatch.setitem(p.params, name, new)


def test_a_changed_published_value_changes_the_answers(monkeypatch):
    # LAW-13 changed to "more than 40% below -> 60%": the tax's tiers follow.
    _publish(monkeypatch, "env_tax.reduction_tiers", (("0.40", "0.60"),), "LAW-13")
    assert statutory(date(2025, 6, 1)).tiers == ((Fraction(3, 5), Decimal("0.60"), "60%"),)
    # CQ-A1-9 changed to 1% for A: 0.01 × 20000 = 200 tCO2 instead of 100.
    _publish(monkeypatch, "chongqing.carbon_bonus_rate", {"A": "0.01", "B": "0.003"}, "CQ-A1-9")
    state = fold(uscc=None, name=None, division="500112", facility_division="500112",
                 registrations=[Registration("cement", "cement_clinker")],
                 events=[GradeEvent("rated", date(2024, 3, 1), "cement", grade="C"),
                         GradeEvent("rated", date(2024, 9, 10), "cement", grade="A")],
                 as_of=date(2024, 10, 1), facts={"holds_carbon_allowance": True, "allowance_2023_t": "20000"})
    bonus = next(b for b in evaluate(state, date(2024, 10, 1)).benefits
                 if b.policy_id == "chongqing.carbon_quota_bonus")
    assert bonus.quantity.value == Decimal("200.00")


def test_a_changed_review_period_or_ban_length_changes_the_ledger(monkeypatch):
    # G-FRAUD ban where silent changed from 1 to 2 years: fraud 2026-02-01 in Beijing -> banned until 2028-02-01.
    _publish(monkeypatch, "grading.fraud_ban_years_where_silent", 2, "G-FRAUD")
    s = fold(uscc=None, name=None, division="110101", facility_division="110101",
             registrations=[Registration("ceramics", "ceramics_building")],
             events=[GradeEvent("rated", date(2025, 1, 10), "ceramics", grade="B"),
                     GradeEvent("fraud_found", date(2026, 2, 1))], as_of=date(2026, 3, 1))
    assert [r.until for r in s.restrictions] == [date(2028, 2, 1)]


def test_every_answer_echoes_the_registry_and_a_request_may_override_what_allows_it():
    ev = evaluate(fold(uscc=None, name=None, division="110101", facility_division="110101",
                       registrations=[Registration("ceramics", "ceramics_building")], events=[],
                       as_of=date(2026, 3, 1)), date(2026, 3, 1),
                  Context(interpretations=Interpretations.from_overrides({"chongqing.failed_rectification":
                                                                          "downgrade"})))
    assert ev.parameters["registry"]["chongqing.failed_rectification"] == "downgrade"
    assert ev.parameters["registry"]["grading.fraud_ban_years_where_silent"] == 1
    with pytest.raises(ValueError, match="not one of"):
        LedgerOptions(parameters=(("chongqing.failed_rectification", "forgive"),))
    assert replace(LedgerOptions(), include_drafts=True).include_drafts


@pytest.fixture
def sixty_from_february(monkeypatch):
    """A new LAW-13 published from 2024-02-01: "more than 40% below -> 60%" (the 2018 tiers before it)."""
    old = policies.PARAMETERS["env_tax.reduction_tiers"].values[0]
    tiers = Parameter("env_tax.reduction_tiers", (
        DatedValue(Window(old.window.start, date(2024, 2, 1)), old.value, "LAW-13", "test"),
        DatedValue(Window(date(2024, 2, 1), None), (("0.40", "0.60"),), "LAW-13", "test")))
    monkeypatch.setitem(policies.PARAMETERS, "env_tax.reduction_tiers", tiers)


def test_the_assessment_reads_the_tiers_and_rate_range_in_force_each_month(monkeypatch, sixty_from_february):
    from incentives.env_tax import InvalidRate, TaxParameters, assess

    def so2(m):  # SO2 1200 kg, mean 110, max 150 mg/m3 against a standard of 200 (agency monthly values)
        return {"outlet": "DA001", "pollutant": "so2", "month": m, "emission_kg": 1200, "avg_concentration": 110,
                "max_concentration": 150, "source": "agency"}

    def run(rates=None):
        return assess([so2("2024-01"), so2("2024-02")], division="410000", outlets={"DA001": {"standards": {"so2": 200}}},
                      rates=rates or {"so2": "1.2"}, parameters=TaxParameters())
    # LAW-13 of 2018: (200 - 110)/200 = 0.45 below -> 75% (not below 50%). 1200 / 0.95 = 1263.157... ->
    # 1263.16 eq x 1.2 = 1515.792 -> 1515.79; due 1515.79 x 0.75 = 1136.8425 -> 1136.84 (reduction 378.95).
    # The new LAW-13 from 2024-02-01 (fixture): January keeps the 2018 tiers; in February
    # 110 < (1 - 0.40) x 200 = 120 -> 60%: due 1515.79 x 0.60 = 909.474 -> 909.47, reduction 1515.79 - 909.47 = 606.32.
    jan, feb = run().rows
    assert (jan.tier, jan.factor, jan.tax_due) == ("75%", Decimal("0.75"), Decimal("1136.84"))
    assert (feb.tier, feb.factor, feb.tax_due, feb.reduction) == ("60%", Decimal("0.60"), Decimal("909.47"),
                                                                  Decimal("606.32"))
    assert feb.reason.zh == "月均浓度110 < 0.6×200=120，且最高单次监测值150 ≤ 200 → 减按60%"
    # 附表一 published as 1.2–2: a rate of 2.5 yuan is refused, 2 is taken (1263.16 x 2 = 2526.32 before reduction).
    _publish(monkeypatch, "env_tax.rate_range", ("1.2", "2"), "LAW-13")
    with pytest.raises(InvalidRate, match="1.2–2"):
        run({"so2": "2.5"})
    assert run({"so2": "2"}).rows[0].tax_before_reduction == Decimal("2526.32")


@pytest.fixture
def published_app(sixty_from_february, database_url):
    """The service started after the catalogue published the 60% tier (as a restart with the new file would)."""
    from api import create_app

    from .conftest import ADMIN_KEY
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["gis_engine"].dispose()


def test_a_published_tier_is_a_valid_api_answer_and_a_page(published_app):
    """A tier label the 2018 law did not have ("60%") is in the OpenAPI document's enum (read from the catalogue),
    the API's answer validates against it, and the tax page names and colours it (not a 500, not a blank)."""
    import io
    import re

    import schemathesis

    from api.pages.charts import TIER_STOPS

    from .api.test_pages import sign_in, token
    from .conftest import ADMIN_KEY
    client = published_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    key = client.post("/api/v1/keys", headers=admin, json={"role": "tax_bureau", "label": "t",
                                                            "divisions": ["410000"]}).get_json()["key"]
    bureau = {"Authorization": f"Bearer {key}"}
    # SO2 1200 kg, mean 110, max 150 of S = 200 in January and February 2024 (derivation above): 75% then 60%.
    records = [{"outlet": "DA001", "pollutant": "so2", "month": m, "emission_kg": 1200, "avg_concentration": 110,
                "max_concentration": 150, "source": "agency"} for m in ("2024-01", "2024-02")]
    r = client.post("/api/v1/tax/assessments", headers=bureau, json={
        "division": "410000", "outlets": [{"outlet": "DA001", "standards": {"so2": 200}}], "rates": {"so2": 1.2},
        "records": records})
    assert r.status_code == 201, r.get_json()
    assert [(x["tier"], x["tax_due"]) for x in r.get_json()["rows"]] == [("75%", 1136.84), ("60%", 909.47)]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["RowOut"]["properties"]["tier"]["enum"] == ["50%", "60%", "75%", "none"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", published_app)
    schema["/api/v1/tax/assessments"]["POST"].validate_response(r)      # raises if the answer breaks the schema
    # the filing form's relief column reads the tier's limit from the catalogue: 1 - 0.6 = 40% below
    form = client.get(f"/api/v1/tax/assessments/{r.get_json()['id']}?format=csv", headers=bureau)
    assert "法第十三条 浓度值低于标准40% 减按60%" in form.get_data(as_text=True)
    # The page: hourly SO2 at 110 mg/m3 (1 000 000 m3/h -> 110 kg an hour), two hours a month: 75% then 60%.
    # Tiers in order 50%, 60%, 75% take the palette's stops 0, 2, 4 (50% and 75% keep their 2018 colours).
    hourly = "排放口,污染物,时间,浓度,流量,数据来源\n" + "".join(
        f"DA001,二氧化硫,2024-{m}-01T0{h}:00,110,1000000,自动监测\n" for m in ("01", "02") for h in (0, 1))
    sign_in(client, bureau, "/tax")
    page = client.post("/tax", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/tax"), "division": "410100", "std|DA001|so2": "200",
        "file": (io.BytesIO(hourly.encode()), "m.csv", "text/csv")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert re.findall(r'data-tier="([^"]+)"', html) == ["75%", "60%"]
    assert '<span class="tier tier-s2">减按60%</span>' in html and '<span class="tier tier-s4">减按75%</span>' in html
    chart = json.loads(re.search(r'<script type="application/json" id="tax-chart-0-data">(.*?)</script>', html,
                                 re.DOTALL).group(1))
    assert chart["colours"] == [TIER_STOPS[4][0], TIER_STOPS[2][0]] and chart["tier_names"] == ["减按75%", "减按60%"]
    # the guide lines are the limits of the tiers in force each month: 0.7 and 0.5 S in January, 0.6 S in February
    assert [(g["name"], g["values"]) for g in chart["guides"]] == [
        ("标准的70%", ["140", None]), ("标准的60%", [None, "120"]), ("标准的50%", ["100", None])]
