"""Concurrent writes to one enterprise are serialised (issue 14; contract 1.1): threads, both databases."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from incentives.services import registry

from .test_registry import CQ, register

N = 20


def race(app, headers: dict, calls: list) -> list:
    """Run `calls` ((method, url, body, extra headers)) at once, each from its own thread and client."""
    start = threading.Barrier(len(calls))

    def one(call):
        method, url, body, extra = call
        client = app.test_client()
        start.wait()
        r = client.open(url, method=method, json=body, headers={**headers, **extra})
        return r.status_code, r.get_json(silent=True)
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def stored(client, headers, kind: str) -> int:
    history = client.get(f"/api/v1/enterprises/{CQ}/grade", headers=headers).get_json()["history"]
    return sum(1 for h in history if h["kind"] == kind)


def feed(client, key_for, kind: str) -> int:
    events = client.get("/api/v1/grades/changes?limit=5000", headers=key_for("bank")).get_json()["events"]
    return sum(1 for e in events if e["kind"] == kind)


def test_an_event_the_ledger_accepts_once_is_stored_once(app, client, admin, key_for):
    register(client, admin, grade="B", rated_on="2024-01-10")
    # G-RECT-CQ: a rectification that is running cannot start again
    body = {"kind": "rectification_started", "effective": "2024-09-01", "ref": "G-RECT-CQ"}
    results = race(app, admin, [("POST", f"/api/v1/enterprises/{CQ}/events", body, {})] * N)
    assert sorted(s for s, _ in results) == [201] + [409] * (N - 1)
    assert stored(client, admin, "rectification_started") == 1
    assert feed(client, key_for, "rectification_started") == 1


def test_a_downgrade_is_stored_once(app, client, admin, key_for):
    register(client, admin, grade="B", rated_on="2024-01-10")
    # G-DOWN: a downgrade must go below the current grade; after B -> D, another D is refused
    body = {"kind": "downgraded", "industry": "ceramics", "branch": "ceramics_building", "grade": "D",
            "effective": "2024-09-01", "ref": "G-DOWN"}
    results = race(app, admin, [("POST", f"/api/v1/enterprises/{CQ}/events", body, {})] * N)
    assert sorted(s for s, _ in results) == [201] + [409] * (N - 1)
    assert stored(client, admin, "downgraded") == 1
    assert feed(client, key_for, "downgraded") == 1


def test_patches_with_one_if_match_win_once(app, client, admin):
    etag = register(client, admin).headers["ETag"]
    calls = [("PATCH", f"/api/v1/enterprises/{CQ}", {"name": f"名称{i}"}, {"If-Match": etag}) for i in range(N)]
    results = race(app, admin, calls)
    assert sorted(s for s, _ in results) == [200] + [409] * (N - 1)
    winner = next(body for s, body in results if s == 200)
    now = client.get(f"/api/v1/enterprises/{CQ}", headers=admin)
    assert now.get_json()["version"] == 2 and now.headers["ETag"] == '"2"'
    assert now.get_json()["name"] == winner["name"]          # no lost update


def test_the_projection_equals_the_ledger_after_a_downgrade_races_patches(app, client, admin, key_for):
    register(client, admin, grade="B", rated_on="2024-01-10")
    downgrade = {"kind": "downgraded", "industry": "ceramics", "branch": "ceramics_building", "grade": "D",
                 "effective": "2024-09-01", "ref": "G-DOWN"}
    calls = [("POST", f"/api/v1/enterprises/{CQ}/events", downgrade, {})]
    calls += [("PATCH", f"/api/v1/enterprises/{CQ}", {"facts": {"guarantee_category": f"c{i}"}},
               {"If-Match": f'"{v}"'}) for i, v in enumerate(range(1, N))]
    results = race(app, admin, calls)
    assert all(s in (200, 201, 409) for s, _ in results)
    ledger = client.get(f"/api/v1/enterprises/{CQ}/grade", headers=admin).get_json()
    lookup = client.post("/api/v1/grades/lookup", json={"usccs": [CQ]}, headers=key_for("bank")).get_json()
    projected = lookup["results"][0]
    assert ledger["overall_grade"] == "D"
    assert (projected["overall_grade"], projected["status"], projected["rated_grade"]) == \
        (ledger["overall_grade"], ledger["status"], ledger["rated_grade"])


def test_a_patch_that_read_the_ledger_before_a_downgrade_does_not_leave_its_projection(app, client, admin, key_for,
                                                                                        monkeypatch):
    """The race the issue found, made to happen every time: a PATCH has read the events (grade B) and is about
    to write the projection when a downgrade to D arrives. Unserialised, the downgrade commits its projection
    (D) and then the PATCH overwrites it with B: bulk lookup (which reads the projection) says B while the
    ledger says D, until the next write. Serialised, the downgrade waits for the PATCH's lock and writes last.
    (Before the fix this fails on PostgreSQL; SQLite already computed both projections under its write lock.)"""
    register(client, admin, grade="B", rated_on="2024-01-10")
    patch_has_read, downgrade_done = threading.Event(), threading.Event()
    write_projection = registry.write_projection

    def paused(session, state, events, today):
        if state.overall_grade == "B" and not patch_has_read.is_set():   # only the PATCH writes B now
            patch_has_read.set()
            downgrade_done.wait(timeout=2)   # serialised, the downgrade cannot finish: go on after 2 s
        return write_projection(session, state, events, today)
    monkeypatch.setattr(registry, "write_projection", paused)

    def send(method, url, body, extra=None):
        return app.test_client().open(url, method=method, json=body, headers={**admin, **(extra or {})})
    downgrade = {"kind": "downgraded", "industry": "ceramics", "branch": "ceramics_building", "grade": "D",
                 "effective": "2024-09-01", "ref": "G-DOWN"}
    with ThreadPoolExecutor(2) as pool:
        patch = pool.submit(send, "PATCH", f"/api/v1/enterprises/{CQ}", {"facts": {"guarantee_category": "c1"}},
                            {"If-Match": '"1"'})
        assert patch_has_read.wait(timeout=30)
        down = pool.submit(send, "POST", f"/api/v1/enterprises/{CQ}/events", downgrade)
        assert down.result(timeout=60).status_code == 201
        downgrade_done.set()
        assert patch.result(timeout=60).status_code == 200
    ledger = client.get(f"/api/v1/enterprises/{CQ}/grade", headers=admin).get_json()
    projected = client.post("/api/v1/grades/lookup", json={"usccs": [CQ]}, headers=key_for("bank")).get_json()
    assert ledger["overall_grade"] == "D"
    assert projected["results"][0]["overall_grade"] == "D"
