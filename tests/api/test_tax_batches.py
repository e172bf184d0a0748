"""Tax batches (contract 1.1): queued on the real Redis, run by the worker, figures equal to the single path."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from incentives import uscc as uscc_mod
from tests.conftest import kill_worker, work

from .test_foundation import assert_problem

ROOT = Path(__file__).parent.parent.parent
_LINES = (ROOT / "sample_data" / "monitoring_quarter.csv").read_bytes().splitlines(keepends=True)
# every 4th hour of the sample quarter: the whole quarter, under the test client's 500 KB in-memory body
SAMPLE = b"".join(_LINES[:1] + _LINES[1::4])
FIXTURE = (ROOT / "tests" / "fixtures" / "monitoring_utf8.csv").read_bytes()
A = uscc_mod.make("91", "410100", "HN000001")
B = uscc_mod.make("91", "410100", "HN000002")
C = uscc_mod.make("91", "410100", "HN000003")
OUTLETS = {"DA001": {"standards": {"二氧化硫": 200, "nox": 300}}}


@pytest.fixture
def bureau(queued_app):
    client = queued_app.test_client()
    r = client.post("/api/v1/keys", json={"role": "tax_bureau", "label": "Henan", "divisions": ["410000"]},
                    headers={"Authorization": "Bearer test-admin-key-0123456789"})
    return {"Authorization": f"Bearer {r.get_json()['key']}"}


def _files(*items):
    return [(io.BytesIO(data), name, "text/csv") for name, data in items]


def _post(client, headers, files, **form):
    fields = {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in form.items()}
    return client.post("/api/v1/tax/batches", headers=headers, content_type="multipart/form-data",
                       data={"file": files, **fields})


def _figures(answer):
    return [(r["outlet"], r["pollutant"], r["month"], r["tier"], r["tax_before_reduction"], r["reduction"],
             r["tax_due"]) for r in answer["rows"]], answer["totals"]


def test_a_batch_runs_in_the_worker_and_equals_single_assessments_to_the_fen(queued_app, bureau):
    client = queued_app.test_client()
    bad = "排放口,污染物,时间,浓度,流量\nDA001,二氧化硫,2024-13-01T00:00,1,1\n".encode()
    # `with`: the test client spools a large multipart body to a temporary file it closes on exit
    with _post(client, bureau, _files((f"{A}-q1.csv", SAMPLE), (f"{B}.csv", FIXTURE), (f"{C}.csv", bad)),
               division="410100", outlets=OUTLETS) as r:
        assert r.status_code == 202, r.get_json()
        body = r.get_json()
    assert body["status"] == "queued" and body["progress"] == {"files_done": 0, "files_total": 3}
    assert r.headers["Location"] == body["status_url"] == f"/api/v1/tax/batches/{body['id']}"
    assert client.get(body["status_url"], headers=bureau).get_json()["status"] == "queued"

    assert work(queued_app)
    done = client.get(body["status_url"], headers=bureau).get_json()
    assert done["status"] == "done" and done["progress"] == {"files_done": 3, "files_total": 3}
    by_uscc = {x["uscc"]: x for x in done["results"]}
    # one bad file reports that taxpayer only, with its file line
    assert "assessment_id" not in by_uscc[C] and by_uscc[C]["errors"][0]["row"] == 2
    for uscc, data, name in ((A, SAMPLE, "a.csv"), (B, FIXTURE, "b.csv")):
        stored = client.get(f"/api/v1/tax/assessments/{by_uscc[uscc]['assessment_id']}", headers=bureau).get_json()
        with client.post("/api/v1/tax/assessments", headers=bureau, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(data), name, "text/csv"), "uscc": uscc,
                               "division": "410100", "outlets": json.dumps(OUTLETS)}) as r:
            single = r.get_json()
        assert _figures(stored) == _figures(single)
        assert stored["uscc"] == uscc


def test_a_batch_survives_a_restart_of_the_web_process(queued_app, bureau, database_url, redis_url):
    from api import create_app
    r = _post(queued_app.test_client(), bureau, _files((f"{B}.csv", FIXTURE)), division="410100",
              outlets=OUTLETS)
    batch_id = r.get_json()["id"]
    queued_app.extensions["gis_engine"].dispose()       # the web process goes away ...
    again = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                        "RATELIMIT_ENABLED": False, "REDIS_URL": redis_url})
    try:
        assert work(again)                               # ... the worker still finds the job
        body = again.test_client().get(f"/api/v1/tax/batches/{batch_id}", headers=bureau).get_json()
    finally:
        again.extensions["gis_jobs"]["connection"].close()
        again.extensions["gis_engine"].dispose()
    assert body["status"] == "done" and body["results"][0]["uscc"] == B and "assessment_id" in body["results"][0]


def test_a_zip_of_files_with_a_uscc_column(queued_app, bureau):
    import zipfile
    text = FIXTURE.decode("utf-8").splitlines()
    rows = [f"统一社会信用代码,{text[0]}"] + [f"{A if i % 2 else B},{line}" for i, line in enumerate(text[1:])]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("province.csv", "\n".join(rows) + "\n")
    client = queued_app.test_client()
    r = _post(client, bureau, [(io.BytesIO(buffer.getvalue()), "q1.zip", "application/zip")],
              division="410100", outlets=OUTLETS)
    assert r.status_code == 202
    work(queued_app)
    body = client.get(r.get_json()["status_url"], headers=bureau).get_json()
    assert sorted(x["uscc"] for x in body["results"]) == sorted([A, B])
    assert all("assessment_id" in x for x in body["results"])


def test_batches_need_a_tax_bureau_key_and_the_queue(app, key_for, client):
    bank = key_for("bank")
    r = _post(client, bank, _files((f"{A}.csv", FIXTURE)))
    assert_problem(r, 403)
    bureau = key_for("tax_bureau", divisions=["410000"])
    # no GIS_REDIS_URL in this app: the batch cannot be queued (503), and nothing is left queued
    r = _post(client, bureau, _files((f"{A}.csv", FIXTURE)), division="410100")
    assert_problem(r, 503)
    assert r.headers["Retry-After"] == "30"


def test_another_key_cannot_read_a_batch(queued_app, bureau):
    client = queued_app.test_client()
    r = _post(client, bureau, _files((f"{A}.csv", FIXTURE)), division="410100")
    other = client.post("/api/v1/keys", json={"role": "tax_bureau", "label": "x", "divisions": ["410000"]},
                        headers={"Authorization": "Bearer test-admin-key-0123456789"}).get_json()["key"]
    assert_problem(client.get(r.get_json()["status_url"], headers={"Authorization": f"Bearer {other}"}), 403)
    assert_problem(client.get("/api/v1/tax/batches/nope", headers=bureau), 404)


# -- a worker that dies (issue 15): the batch is reported failed, never `running` forever ----------------------

def _status(client, headers, url):
    return client.get(url, headers=headers).get_json()


def test_a_batch_whose_worker_is_killed_is_reported_failed(queued_app, bureau, database_url, redis_url):
    import os
    import signal
    import subprocess
    import sys
    import time

    client = queued_app.test_client()
    many = [(f"{A}-{i:03d}.csv", FIXTURE) for i in range(300)]     # long enough to be killed in the middle
    with _post(client, bureau, _files(*many), division="410100", outlets=OUTLETS) as r:
        url = r.get_json()["status_url"]
    env = {**os.environ, "GIS_DATABASE_URL": database_url, "GIS_REDIS_URL": redis_url, "GIS_SECRET_KEY": "test-secret",
           "GIS_BATCH_LEASE": "1", "GIS_RATELIMIT_ENABLED": "false"}
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queue", "batches", "--burst"],
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = _status(client, bureau, url)
            if body["status"] == "running" and body["progress"]["files_done"] >= 2:
                break
            assert body["status"] in ("queued", "running"), body
            time.sleep(0.05)
        else:
            pytest.fail("the worker never started the batch")
        kill_worker(worker)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    time.sleep(1.5)                                                   # its lease (1 s) runs out
    body = _status(client, bureau, url)
    done = body["progress"]["files_done"]
    assert body["status"] == "failed" and 2 <= done < 300 and body["finished_at"]
    assert "the worker stopped" in body["error"] and f"{done} of 300 files were assessed" in body["error"]
    assert body["error"].endswith("send the other files again")
    assert len(body["results"]) == done and all("assessment_id" in x for x in body["results"])   # kept
    assert _status(client, bureau, url)["status"] == "failed"         # and stays so


def test_a_live_worker_keeps_its_batch_running_through_a_long_file(queued_app, bureau, monkeypatch):
    import time

    from incentives.services import tax
    client = queued_app.test_client()
    queued_app.config["BATCH_LEASE"] = 0.6                           # a heartbeat every 0.2 s (Redis key expiry)
    seen = []
    real = tax.assess_batch_file

    def slow(**kwargs):
        for _ in range(3):                                            # 1.5 s: longer than the lease
            time.sleep(0.5)
            seen.append(_status(client, bureau, url)["status"])
        return real(**kwargs)
    monkeypatch.setattr(tax, "assess_batch_file", slow)
    with _post(client, bureau, _files((f"{B}.csv", FIXTURE)), division="410100", outlets=OUTLETS) as r:
        url = r.get_json()["status_url"]
    assert work(queued_app)
    assert seen == ["running"] * 3
    assert _status(client, bureau, url)["status"] == "done"
