"""The change feed says the grade (contract 1.1): stored when each event is written, read back as is."""
from __future__ import annotations

import io

import sqlalchemy as sa

from incentives import migrate
from incentives import uscc as uscc_mod

from .test_registry import CQ, HN, event, register


def feed(client, headers, since=0):
    r = client.get(f"/api/v1/grades/changes?since={since}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["events"]


def test_a_fraud_finding_carries_the_resulting_grade(client, admin, key_for):
    register(client, admin, grade="B")                       # Chongqing ceramics, ABCD scale
    r = event(client, admin, kind="fraud_found", effective="2024-09-10", ref="G-FRAUD")
    assert r.status_code == 201, r.get_json()
    first, fraud = feed(client, key_for("bank"))
    # the registration's rating: B; nothing was known of the enterprise before it
    assert (first["kind"], first["grade"], first["previous_grade"], first["line_grade"], first["event_grade"]) \
        == ("rated", "B", None, "B", "B")
    # G-FRAUD: managed at the lowest grade of the ABCD scale (D); before it, B. The event names no line.
    assert (fraud["kind"], fraud["grade"], fraud["previous_grade"], fraud["event_grade"]) == ("fraud_found", "D", "B", None)
    assert fraud["line_grade"] is None and fraud["industry"] is None


def test_a_henan_violation_carries_the_downgrade(client, admin, key_for):
    register(client, admin, code=HN, grade="B", rated_on="2024-04-24")
    event(client, admin, code=HN, kind="violation_found", violation="no_permit", effective="2024-09-10",
          industry="ceramics", branch="ceramics_building")
    violation = feed(client, key_for("bank"))[-1]
    # G-BAR-HN, Henan art. 18 and 19(1): a B falls one grade, to C; the line named is the one that fell.
    assert (violation["grade"], violation["previous_grade"], violation["line_grade"]) == ("C", "B", "C")
    assert (violation["industry"], violation["branch"]) == ("ceramics", "ceramics_building")


def test_an_upgrade_says_both_grades(client, admin, key_for):
    register(client, admin, grade="C")
    event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="A",
          effective="2024-09-10")
    upgrade = feed(client, key_for("regulator", divisions=["500000"]))[-1]
    assert (upgrade["grade"], upgrade["previous_grade"], upgrade["line_grade"]) == ("A", "C", "A")


def test_a_two_line_enterprise_is_managed_at_its_lowest(client, admin, key_for):
    body = {"uscc": CQ, "name": "两业企业", "industries": [
        {"industry": "ceramics", "branch": "ceramics_building", "grade": "A", "rated_on": "2024-04-24"},
        {"industry": "ferroalloy", "branch": "ferroalloy_main", "grade": "B", "rated_on": "2024-04-24"}]}
    assert client.post("/api/v1/enterprises", json=body, headers=admin).status_code == 201
    event(client, admin, kind="downgraded", industry="ceramics", branch="ceramics_building", grade="C",
          effective="2024-09-10")
    events = feed(client, key_for("bank"))
    # G-MULTI: overall = lowest line. The ceramics rating (A) comes first, beside the still-unrated
    # ferroalloy line (managed at C, the lowest of its ABC scale); then ferroalloy B → lowest is B.
    assert [(e["grade"], e["line_grade"]) for e in events] == [("C", "A"), ("B", "B"), ("C", "C")]
    assert events[-1]["previous_grade"] == "B"


def test_imported_events_get_their_grades(client, admin, key_for):
    data = ("uscc,name,division,industry,branch,grade,rated_on\n"
            f"{CQ},某某陶瓷有限公司,500112,ceramics,ceramics_building,B,2024-04-24\n").encode()
    r = client.post("/api/v1/imports/enterprises", data={"file": (io.BytesIO(data), "list.csv")}, headers=admin)
    assert r.status_code == 201, r.get_json()
    assert [(e["grade"], e["line_grade"]) for e in feed(client, key_for("bank"))] == [("B", "B")]


def test_the_feed_is_a_pure_read_of_stored_grades(client, admin, key_for, app):
    register(client, admin, grade="B")
    with app.extensions["gis_engine"].begin() as conn:   # what was stored is what is read
        conn.execute(sa.text("UPDATE feed_grade SET grade = 'A+'"))
    assert feed(client, key_for("bank"))[0]["grade"] == "A+"


def test_migration_backfills_stored_events(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migrate.upgrade(url, "0001")
    code = uscc_mod.make("91", "500112", "BACKF1LL")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO enterprise (uscc, name, division, facility_division, facts, version, "
                             "created_at, updated_at) VALUES (:u, 'x', '500112', '500112', '{}', 1, "
                             "'2024-01-01 00:00:00', '2024-01-01 00:00:00')"), {"u": code})
        conn.execute(sa.text("INSERT INTO registration (uscc, industry, branch, site) "
                             "VALUES (:u, 'ceramics', 'ceramics_building', '')"), {"u": code})
        for kind, grade, day in (("rated", "B", "2024-04-24"), ("fraud_found", None, "2024-09-10")):
            conn.execute(sa.text("INSERT INTO grade_event (uscc, kind, industry, branch, site, grade, effective, "
                                 "recorded_at) VALUES (:u, :k, :i, :b, '', :g, :d, '2024-10-01 00:00:00')"),
                         {"u": code, "k": kind, "g": grade, "d": day,
                          "i": "ceramics" if grade else None, "b": "ceramics_building" if grade else None})
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT kind, grade, previous_grade, line_grade FROM feed_grade ORDER BY seq")).all()
    engine.dispose()
    # as on write: B after the rating; G-FRAUD → D (the lowest of ABCD), previously B
    assert [tuple(r) for r in rows] == [("rated", "B", None, "B"), ("fraud_found", "D", "B", None)]


# -- who may read which events (every read checks who may see the enterprise) ----------------------------

def page(client, headers, since, limit):
    r = client.get(f"/api/v1/grades/changes?since={since}&limit={limit}", headers=headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    return [e["uscc"] for e in body["events"]], body["next"]


def seqs(client, admin):
    return [e["seq"] for e in feed(client, admin)]


def test_a_division_bound_key_reads_only_its_enterprises(client, admin, key_for):
    register(client, admin, code=CQ, grade="B")              # Chongqing 500112
    register(client, admin, code=HN, grade="B")              # Henan 410100 (Zhengzhou)
    _, last = seqs(client, admin)
    henan = key_for("regulator", divisions=["410000"])       # 410000 covers 4101xx
    assert page(client, henan, 0, 500) == ([HN], last)
    # a bank key bound to Chongqing sees the Chongqing enterprise only
    assert page(client, key_for("bank", divisions=["500000"]), 0, 500) == ([CQ], last)
    # a national (unbound) bank key and the admin see every enterprise
    assert page(client, key_for("bank"), 0, 500) == ([CQ, HN], last)
    assert page(client, admin, 0, 500) == ([CQ, HN], last)


def test_a_facility_in_the_division_is_enough(client, admin, key_for):
    # registered in Chongqing, its facility in Henan: a Henan regulator may see it (by either division)
    register(client, admin, code=CQ, grade="B", facility_division="410100")
    [only] = seqs(client, admin)
    assert page(client, key_for("regulator", divisions=["410000"]), 0, 500) == ([CQ], only)
    assert page(client, key_for("regulator", divisions=["420000"]), 0, 500) == ([], only)


def test_paging_over_hidden_events_moves_on(client, admin, key_for):
    register(client, admin, code=CQ, grade="B")
    for day in ("2024-09-10", "2024-09-11", "2024-09-12"):
        assert event(client, admin, kind="fraud_found", effective=day, ref="G-FRAUD").status_code == 201
    register(client, admin, code=HN, grade="B")
    s = seqs(client, admin)                                  # four Chongqing events, then one Henan event
    henan = key_for("regulator", divisions=["410000"])
    # each page scans `limit` events in commit order and returns the visible ones; `next` = last seq scanned
    assert page(client, henan, 0, 2) == ([], s[1])
    assert page(client, henan, s[1], 2) == ([], s[3])
    assert page(client, henan, s[3], 2) == ([HN], s[4])
    assert page(client, henan, s[4], 2) == ([], s[4])                                  # caught up
    # an unbound bank pages through the same events, all of them
    bank = key_for("bank")
    assert page(client, bank, 0, 2) == ([CQ, CQ], s[1])
    assert page(client, bank, s[3], 2) == ([HN], s[4])
