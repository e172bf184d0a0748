"""Valid requests are accepted (issue 14, "0 valid request rejected"), for the operations whose rules JSON Schema
cannot state (`BEYOND_SCHEMA` in test_openapi.py): their valid requests are drawn from the domain (the
catalogue's branches and scales, event sequences the ledger accepts, monitoring records, preview bodies, a
public https webhook with DNS stubbed), sent with each role that may call the operation, and must get a 2xx.
Bounded examples, derandomised: the same requests on every run."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
import os
import socket
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from incentives import uscc as uscc_mod
from incentives.ledger_rules import GradeNotOnScale, validate_grade
from incentives.reference import reference
from incentives.state import EVENT_KINDS
from tests.conftest import ADMIN_KEY

from .test_openapi import BEYOND_SCHEMA

# 10 examples each in `make test`; GIS_PROPERTY_EXAMPLES=500 for a deeper run.
EXAMPLES = settings(max_examples=int(os.environ.get("GIS_PROPERTY_EXAMPLES", "10")), deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
TODAY = dt.date.today() - dt.timedelta(days=1)     # "not after today" holds in Shanghai's day too
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
COVERED = {  # every operation in BEYOND_SCHEMA has its property test here
    "POST /api/v1/enterprises", "POST /api/v1/enterprises/{uscc}/events", "POST /api/v1/imports/enterprises",
    "POST /api/v1/benefits/preview", "POST /api/v1/benefits/preview/plan", "POST /api/v1/tax/assessments",
    "POST /api/v1/tax/batches", "POST /api/v1/webhooks"}


def test_every_operation_beyond_schema_has_its_property_test():
    assert set(BEYOND_SCHEMA) == COVERED


# -- the domain --------------------------------------------------------------------------------------------

# National-catalogue branches (G-SCOPE) with a grade scale; a local branch is graded only in its jurisdiction.
BRANCHES = sorted((b for b in reference().branches.values()
                   if b.catalog == "national_39" and b.scale in ("ABCD", "ABC", "leading")), key=lambda b: b.code)
GRADES = ("A", "B", "B-", "C", "D", "引领", "非引领")
DIVISIONS = ("500112", "410100", "640100", "330602", "110105", "440300")   # Chongqing, Henan, Ningxia, Shaoxing …
_serial = itertools.count(1)


def on_scale(branch) -> list[str]:
    """The grades a branch's scale has (G-SCALE), A+ aside: A+ is selected, never rated (G-APLUS)."""
    out = []
    for g in GRADES:
        with contextlib.suppress(GradeNotOnScale):
            out.append(validate_grade(branch.code, g))
    return out


def lower(branch, grade: str) -> list[str]:
    """Grades below `grade` on the branch's scale (a downgrade goes down, G-DOWN)."""
    scale = on_scale(branch)
    if branch.scale == "leading":
        return ["非引领"] if grade == "引领" else []
    return [g for g in scale if scale.index(g) > scale.index(grade)]   # B to B- too (the ledger allows it)


def fresh_uscc(division: str) -> str:
    """A valid uscc not used before in this session (a new enterprise per example)."""
    return uscc_mod.make("91", division, f"PT{next(_serial):06d}")


days = st.dates(min_value=dt.date(2019, 1, 1), max_value=TODAY)
names = st.text(st.sampled_from("华新陶瓷钢铁有限公司重庆郑州ABC-()（）"), min_size=1, max_size=60).filter(str.strip)


@st.composite
def industries(draw, max_size=3):
    branches = draw(st.lists(st.sampled_from(BRANCHES), min_size=1, max_size=max_size, unique_by=lambda b: b.code))
    out = []
    for b in branches:
        item = {"industry": b.industry, "branch": b.code}
        if draw(st.booleans()):
            item |= {"grade": draw(st.sampled_from(on_scale(b))), "rated_on": draw(days).isoformat()}
        out.append(item)
    return out


@st.composite
def enterprises(draw):
    division = draw(st.sampled_from(DIVISIONS))
    body = {"uscc": fresh_uscc(division), "name": draw(names), "industries": draw(industries())}
    if draw(st.booleans()):
        body["facility_division"] = draw(st.sampled_from(DIVISIONS))
    if draw(st.booleans()):
        body["facts"] = {"holds_carbon_allowance": draw(st.booleans()),
                         "allowance_2023_t": draw(st.integers(0, 10**6))}
    return body


def accepted(r, *statuses):
    assert r.status_code in (statuses or range(200, 300)), (r.status_code, json.dumps(r.get_json(silent=True))[:600])
    return r


def keys(key_for, *roles):
    return [ADMIN if role == "admin" else key_for(role, divisions=["000000"]) for role in roles]


# -- enterprises, events, imports (regulator, admin) -------------------------------------------------------

def test_valid_enterprises_are_registered(client, key_for):
    callers = keys(key_for, "regulator", "admin")

    @EXAMPLES
    @given(body=enterprises(), who=st.sampled_from(callers))
    def check(body, who):
        accepted(client.post("/api/v1/enterprises", json=body, headers=who), 201)
    check()


APLUS_FROM = dt.date(2026, 1, 13)   # G-APLUS: A+ exists from the 2026 guidance (signed 2026-01-13)


@st.composite
def event_sequences(draw):
    """A rated branch, then events the ledger accepts in order, dates rising and none after today: re-ratings
    on its scale while nothing adverse happened yet (no ban or bar can apply), an A+ selection of an A from
    2026-01-13, downgrades that go down its scale, a rectification started and ended (passed), violations
    found, and possibly a fraud finding to end with (it bans applications: nothing after it)."""
    branch = draw(st.sampled_from(BRANCHES))
    rated = grade = draw(st.sampled_from(on_scale(branch)))
    day = draw(st.dates(min_value=dt.date(2019, 1, 1), max_value=TODAY - dt.timedelta(days=400)))
    steps, rectifying, adverse = [], False, False
    for _ in range(draw(st.integers(1, 5))):
        day += dt.timedelta(days=draw(st.integers(1, 90)))
        options = ["violation_found", "fraud_found", "rectification_ended" if rectifying else "rectification_started"]
        if grade and lower(branch, grade) and not rectifying:
            options.append("downgraded")
        if not adverse:
            options.append("rated")
            if grade == "A" and day >= APLUS_FROM:
                options.append("aplus_selected")
        kind = draw(st.sampled_from(options))
        event = {"kind": kind, "effective": day.isoformat()}
        if kind == "downgraded":
            grade = draw(st.sampled_from(lower(branch, grade)))
            event |= {"industry": branch.industry, "branch": branch.code, "grade": grade, "ref": "G-DOWN"}
        elif kind == "rated":
            grade = draw(st.sampled_from(on_scale(branch)))
            event |= {"industry": branch.industry, "branch": branch.code, "grade": grade}
        elif kind == "aplus_selected":
            grade = "A+"
        elif kind == "violation_found":   # some jurisdictions downgrade for it (Henan): the grade is theirs now
            event |= {"violation": draw(st.sampled_from(["exceeded_permit", "no_auto_monitoring"]))}
            grade = None
        elif kind == "rectification_ended":
            event |= {"rectification_passed": True}
        rectifying = (rectifying or kind == "rectification_started") and kind != "rectification_ended"
        adverse = adverse or kind not in ("rated", "aplus_selected")
        steps.append(event)
        if kind == "fraud_found":
            break
    return branch, rated, steps


def test_valid_event_sequences_are_appended(client, key_for):
    callers = keys(key_for, "regulator", "admin")

    @EXAMPLES
    @given(sequence=event_sequences(), division=st.sampled_from(DIVISIONS), who=st.sampled_from(callers))
    def check(sequence, division, who):
        branch, rated, steps = sequence
        note(f"{branch.code} rated {rated}: {steps}")
        code = fresh_uscc(division)
        rated_on = dt.date.fromisoformat(steps[0]["effective"]) - dt.timedelta(days=30)
        first = {"industry": branch.industry, "branch": branch.code, "grade": rated, "rated_on": rated_on.isoformat()}
        accepted(client.post("/api/v1/enterprises", json={"uscc": code, "name": "某某有限公司", "industries": [first]},
                             headers=who), 201)
        for event in steps:
            accepted(client.post(f"/api/v1/enterprises/{code}/events", json=event, headers=who), 201)
    check()


def test_valid_enterprise_lists_are_imported(client, key_for):
    callers = keys(key_for, "regulator", "admin")
    columns = ("uscc", "name", "division", "industry", "branch", "grade", "rated_on")

    @EXAMPLES
    @given(rows=st.lists(enterprises(), min_size=1, max_size=5), who=st.sampled_from(callers),
           as_multipart=st.booleans())
    def check(rows, who, as_multipart):
        lines = [",".join(columns)]
        for body in rows:
            for item in body["industries"]:
                lines.append(",".join([body["uscc"], body["name"].replace(",", ""), body["uscc"][2:8],
                                       item["industry"], item["branch"], item.get("grade", ""),
                                       item.get("rated_on", "")]))
        data = ("\n".join(lines) + "\n").encode()
        if as_multipart:
            r = client.post("/api/v1/imports/enterprises", data={"file": (io.BytesIO(data), "list.csv")},
                            headers=who)
        else:
            r = client.post("/api/v1/imports/enterprises", data=data, content_type="text/csv", headers=who)
        accepted(r)
    check()


# -- previews (public, and every role) ---------------------------------------------------------------------

@st.composite
def preview_bodies(draw):
    current = draw(industries(max_size=2))
    enterprise = {"division": draw(st.sampled_from(DIVISIONS)), "industries": current}
    if draw(st.booleans()):
        enterprise["facts"] = {"holds_carbon_allowance": True, "allowance_2023_t": draw(st.integers(0, 10**6))}
    if draw(st.booleans()):
        target = {"grade": draw(st.sampled_from(["A", "B", "引领"]))}
    else:
        by_code = {b.code: b for b in BRANCHES}
        target = {"industries": [{"industry": i["industry"], "branch": i["branch"],
                                  "grade": draw(st.sampled_from(on_scale(by_code[i["branch"]])))} for i in current]}
    body = {"enterprise": enterprise, "target": target}
    if draw(st.booleans()):
        body["as_of"] = draw(days).isoformat()
    if draw(st.booleans()):
        body["alert_level"] = draw(st.sampled_from(["orange", "red", "yellow"]))
    if draw(st.booleans()):
        body["scenario"] = {"allowance_2023_t": draw(st.integers(0, 10**6)),
                            "carbon_price_yuan_per_t": draw(st.integers(0, 200)),
                            "alert_days": {"orange": draw(st.integers(0, 366)), "red": draw(st.integers(0, 366))}}
    return body


@pytest.mark.parametrize("path", ["/api/v1/benefits/preview", "/api/v1/benefits/preview/plan"])
def test_valid_previews_are_answered(client, key_for, path):
    """By facts, or by the uscc of a registered enterprise (its public data only, contract 1.1)."""
    registered = fresh_uscc("500112")
    accepted(client.post("/api/v1/enterprises", headers=ADMIN, json={
        "uscc": registered, "name": "某某陶瓷有限公司",
        "industries": [{"industry": "ceramics", "branch": "ceramics_building", "grade": "B", "rated_on": "2024-04-24"}]}))
    callers = [{}, ADMIN, key_for("bank"), key_for("enterprise", uscc=registered),
               *keys(key_for, "regulator", "tax_bureau")]

    @EXAMPLES
    @given(body=preview_bodies(), who=st.sampled_from(callers), by_uscc=st.booleans())
    def check(body, who, by_uscc):
        if by_uscc:
            body = {**body, "enterprise": {"uscc": registered}, "target": {"grade": "A"}}
        accepted(client.post(path, json=body, headers=who), 200)
    check()


# -- tax (tax bureau; an enterprise for its own uscc) ------------------------------------------------------

HN_DIVISION = "410100"
amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def monitoring_records(draw, standard=Decimal(200)):
    """Monthly records of one outlet (measured by CEMS or an agency, or estimated): concentrations at most its
    standard, the mean not above the maximum."""
    months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True))
    records = []
    for month in sorted(months):
        for pollutant in draw(st.lists(st.sampled_from(["so2", "nox"]), min_size=1, max_size=2, unique=True)):
            record = {"outlet": "DA001", "pollutant": pollutant, "month": f"2024-{month:02d}",
                      "emission_kg": float(draw(amounts)), "source": draw(st.sampled_from(["cems", "agency", "estimate"]))}
            if record["source"] != "estimate":   # a material-balance estimate has no concentrations (§5.2)
                top = draw(st.decimals(min_value=0, max_value=standard, places=1))
                record |= {"avg_concentration": float(draw(st.decimals(min_value=0, max_value=top, places=1))),
                           "max_concentration": float(top)}
            records.append(record)
    return records


QUARTER = (Path(__file__).parents[2] / "sample_data" / "monitoring_quarter.csv").read_bytes().splitlines(keepends=True)
hourly_rows = st.lists(st.integers(1, len(QUARTER) - 1), min_size=1, max_size=40, unique=True).map(
    lambda rows: b"".join([QUARTER[0], *(QUARTER[i] for i in sorted(rows))]))   # hours of a CEMS file (标准浓度 given)


def test_valid_assessments_are_made(client, key_for):
    """Monthly records as JSON, or hourly CEMS rows as a file."""
    bureau = key_for("tax_bureau", divisions=["410000"])

    @EXAMPLES
    @given(records=monitoring_records(), hourly=hourly_rows, as_file=st.booleans(), by_enterprise=st.booleans())
    def check(records, hourly, as_file, by_enterprise):
        code = fresh_uscc(HN_DIVISION)
        who = key_for("enterprise", uscc=code) if by_enterprise else bureau
        if as_file:
            r = client.post("/api/v1/tax/assessments", headers=who, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(hourly), "monitoring.csv", "text/csv"), "uscc": code,
                                  "division": HN_DIVISION})
        else:
            body = {"uscc": code, "division": "410000", "rates": {"so2": 1.2, "nox": 1.2}, "records": records,
                    "outlets": [{"outlet": "DA001", "standards": {"so2": 200, "nox": 300}}]}
            r = client.post("/api/v1/tax/assessments", json=body, headers=who)
        accepted(r, 201)
    check()


def test_valid_batches_are_queued(queued_app):
    client = queued_app.test_client()
    bureau = {"Authorization": "Bearer " + client.post(
        "/api/v1/keys", json={"role": "tax_bureau", "label": "Henan", "divisions": ["410000"]},
        headers=ADMIN).get_json()["key"]}

    @EXAMPLES
    @given(files=st.lists(hourly_rows, min_size=1, max_size=3))
    def check(files):
        parts = [(io.BytesIO(data), f"{fresh_uscc(HN_DIVISION)}.csv", "text/csv") for data in files]
        r = client.post("/api/v1/tax/batches", headers=bureau, content_type="multipart/form-data",
                        data={"file": parts, "division": "410000"})
        accepted(r, 202)
    check()


# -- webhooks (bank, regulator) ----------------------------------------------------------------------------

labels = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=12)


@st.composite
def webhook_bodies(draw):
    host = ".".join(draw(st.lists(labels, min_size=1, max_size=3))) + draw(st.sampled_from([".example", ".cn",
                                                                                             ".com.cn"]))
    path = "/".join(draw(st.lists(labels, max_size=3)))
    body = {"url": f"https://{host}{draw(st.sampled_from(['', ':8443']))}/{path}"}
    if draw(st.booleans()):
        body["events"] = draw(st.lists(st.sampled_from(EVENT_KINDS), min_size=1, unique=True))
    if draw(st.booleans()):
        body["divisions"] = draw(st.lists(st.sampled_from(DIVISIONS), max_size=3, unique=True))
    return body


def test_valid_webhooks_are_subscribed(client, key_for, monkeypatch):
    # DNS stubbed: every name resolves to one public address (93.184.216.34, example.com's)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 443))])

    @EXAMPLES
    @given(body=webhook_bodies(), role=st.sampled_from(["bank", "regulator"]))
    def check(body, role):
        who = key_for(role, divisions=["000000"]) if role == "regulator" else key_for(role)   # ≤ 20 hooks a key
        accepted(client.post("/api/v1/webhooks", json=body, headers=who), 201)
    check()
