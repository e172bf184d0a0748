"""The service foundation: health, error shape, keys and roles, limits, request ids (issue 3)."""
from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def assert_problem(r, status):
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == PROBLEM
    body = r.get_json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["status"] == status
    return body


def test_health_queries_the_database(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.get_json()["database"] == "ok"
    assert r.get_json()["status"] == "ok"


def test_health_reports_a_database_that_does_not_answer(tmp_path):
    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                      "RATELIMIT_ENABLED": False})
    r = app.test_client().get("/api/v1/health")
    app.extensions["gis_engine"].dispose()
    assert r.get_json()["database"] == "unavailable"
    assert r.get_json()["status"] == "degraded"


def test_unknown_path_is_a_problem(client):
    assert_problem(client.get("/api/v1/nowhere"), 404)


def test_wrong_method_is_405_with_allow(client):
    r = client.delete("/api/v1/health")
    assert_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_malformed_json_is_400(client, admin):
    r = client.post("/api/v1/keys", data="{not json", content_type="application/json", headers=admin)
    assert_problem(r, 400)


def test_unknown_field_is_422_with_the_field(client, admin):
    r = client.post("/api/v1/keys", json={"role": "bank", "colour": "red"}, headers=admin)
    body = assert_problem(r, 422)
    assert {"field": "colour", "message": "Unknown field"} in body["errors"]


def test_wrong_content_type_is_415(client, admin):
    r = client.post("/api/v1/keys", data="role=bank", content_type="text/plain", headers=admin)
    assert_problem(r, 415)


def test_body_over_the_limit_is_413(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 100
    r = app.test_client().post("/api/v1/keys", json={"role": "bank", "label": "x" * 200}, headers=admin)
    assert_problem(r, 413)


def test_no_key_is_401_before_validation(client):
    r = client.post("/api/v1/keys", data="{bad", content_type="application/json")
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_role_is_403_before_validation(client, key_for):
    bank = key_for("bank")
    r = client.post("/api/v1/keys", data="{bad", content_type="application/json", headers=bank)
    assert_problem(r, 403)


def test_a_500_leaks_nothing(app, client):
    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")
    r = client.get("/api/v1/boom")
    body = assert_problem(r, 500)
    assert "secret" not in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)
    assert body["errors"] == []


def test_request_id_is_taken_and_echoed(client):
    r = client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["X-Request-ID"] == "abc-123"
    made = client.get("/api/v1/health").headers["X-Request-ID"]
    assert len(made) == 32


def test_key_is_shown_once_and_stored_hashed(app, client, admin):
    from sqlmodel import Session, select

    from incentives.db import ApiKey
    r = client.post("/api/v1/keys", json={"role": "bank", "label": "农业银行"}, headers=admin)
    assert r.status_code == 201
    key = r.get_json()["key"]
    with Session(app.extensions["gis_engine"]) as s:
        stored = s.exec(select(ApiKey).where(ApiKey.id == r.get_json()["id"])).one()
    assert stored.key_hash != key and key not in stored.key_hash and len(stored.key_hash) == 64
    assert client.get("/api/v1/health", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_revoked_key_stops_working(client, admin):
    r = client.post("/api/v1/keys", json={"role": "admin", "label": "temp"}, headers=admin)
    created = r.get_json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.post("/api/v1/keys", json={"role": "bank"}, headers=headers).status_code == 201
    assert client.delete(f"/api/v1/keys/{created['id']}", headers=admin).status_code == 204
    assert_problem(client.post("/api/v1/keys", json={"role": "bank"}, headers=headers), 401)
    assert_problem(client.delete(f"/api/v1/keys/{created['id']}", headers=admin), 404)


@pytest.mark.parametrize("body, field", [
    ({"role": "enterprise"}, "uscc"),
    ({"role": "enterprise", "uscc": "91500112MA5U0AB193"}, "uscc"),
    ({"role": "regulator"}, "divisions"),
    ({"role": "tax_bureau", "divisions": ["41"]}, "divisions.0"),
    ({"role": "superuser"}, "role"),
])
def test_key_bindings_are_validated(client, admin, body, field):
    body = assert_problem(client.post("/api/v1/keys", json=body, headers=admin), 422)
    assert field in [e["field"] for e in body["errors"]]


def test_rate_limit_answers_429_with_retry_after(database_url):
    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_PUBLIC": "2 per minute", "RATELIMIT_STORAGE_URI": "memory://"})
    client = app.test_client()
    codes = [client.get("/api/v1/industries").status_code for _ in range(3)]
    r = client.get("/api/v1/industries")
    app.extensions["gis_engine"].dispose()
    assert codes[:2] == [200, 200]
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) > 0


def test_industry_catalogue_has_the_scales(client):
    industries = {i["code"]: i for i in client.get("/api/v1/industries").get_json()}
    # reference/README.md: national_39 + chongqing_local_10 + henan 12 + henan general = 62 industries
    assert len(industries) == 62
    steel = {b["code"]: b for b in industries["steel_long_process"]["branches"]}
    # 附件3 一 序号1: 长流程钢铁 "B（B-）" on an ABCD scale
    assert steel["steel_long_process_main"]["scale"] == "ABCD"
    assert "B-" in steel["steel_long_process_main"]["grades"]


def test_pollutants_flag_single_source_values(client):
    pollutants = {p["code"]: p for p in client.get("/api/v1/reference/pollutants").get_json()}
    assert len(pollutants) == 44  # 环境保护税法 附表二 五: 44 air pollutants
    assert pollutants["so2"]["equivalent_kg"] == 0.95 and not pollutants["so2"]["single_source"]


def test_metrics_are_grouped_by_url_rule(database_url):
    from api import create_app
    app = create_app({"TESTING": False, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "x", "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    client.get("/api/v1/industries")
    text = client.get("/metrics").get_data(as_text=True)
    app.extensions["gis_engine"].dispose()
    assert 'url_rule="/api/v1/industries"' in text


def test_rate_limit_counts_in_redis_when_configured(database_url, redis_url):
    import uuid

    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_PUBLIC": "2 per minute", "REDIS_URL": redis_url,
                      "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex})
    limiter = app.extensions["gis_limiter"]
    client = app.test_client()
    codes = [client.get("/api/v1/industries").status_code for _ in range(3)]
    app.extensions["gis_engine"].dispose()
    assert "redis" in type(limiter.storage).__name__.lower()
    assert codes == [200, 200, 429]


def test_json_body_over_its_own_limit_is_413(app, admin):
    # files may be large (a year of CEMS data); JSON bodies have their own, smaller limit (GIS_MAX_JSON_BYTES)
    app.config["MAX_JSON_BYTES"] = 50
    r = app.test_client().post("/api/v1/keys", json={"role": "bank", "label": "x" * 100}, headers=admin)
    assert_problem(r, 413)
