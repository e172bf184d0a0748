"""The job queue (RQ on Redis): named queues, jobs run in the worker inside an app context."""
from __future__ import annotations

import pytest
from flask import current_app

from api import jobs
from tests.conftest import work


def job_reads_the_app(tag):
    """A job that needs the app context the worker gives it (as the tax batches and webhooks do)."""
    with jobs.job_session() as session:
        from sqlalchemy import text
        one = session.execute(text("SELECT 1")).scalar_one()
    return f"{tag}:{current_app.config['SECRET_KEY']}:{one}"


def test_jobs_on_both_queues_run_in_the_worker(queued_app):
    with queued_app.app_context():
        batch = jobs.enqueue("batches", job_reads_the_app, "b")
        hook = jobs.enqueue("webhooks", job_reads_the_app, "w")
        assert batch.get_status() == "queued"
    assert work(queued_app)
    batch.refresh()
    hook.refresh()
    assert batch.get_status() == "finished" and batch.return_value() == "b:test-secret:1"
    assert hook.get_status() == "finished" and hook.return_value() == "w:test-secret:1"


def test_a_failing_job_is_recorded_failed_not_lost(queued_app):
    with queued_app.app_context():
        job = jobs.enqueue("batches", job_reads_the_app)   # missing argument: the job raises
    work(queued_app)
    job.refresh()
    assert job.get_status() == "failed"


def test_unknown_queue_is_refused(queued_app):
    with queued_app.app_context(), pytest.raises(ValueError, match="unknown queue"):
        jobs.get_queue("emails")


def test_without_redis_the_queue_is_unavailable(app):
    # GIS_REDIS_URL unset: work that needs the worker is refused (503), never run in the request
    with app.app_context(), pytest.raises(jobs.QueueUnavailable) as info:
        jobs.enqueue("batches", job_reads_the_app, "x")
    assert info.value.status == 503


def test_a_redis_that_does_not_answer_is_503(database_url):
    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "s",
                      "REDIS_URL": "redis://127.0.0.1:1/0"})
    try:
        with app.app_context(), pytest.raises(jobs.QueueUnavailable):
            jobs.enqueue("batches", job_reads_the_app, "x")
    finally:
        app.extensions["gis_jobs"]["connection"].close()
        app.extensions["gis_engine"].dispose()


def test_gis_worker_command_serves_the_queues(queued_app, database_url, redis_url, monkeypatch):
    from click.testing import CliRunner

    from api.cli import main
    with queued_app.app_context():
        job = jobs.enqueue("webhooks", job_reads_the_app, "cli")
    monkeypatch.setenv("GIS_DATABASE_URL", database_url)
    monkeypatch.setenv("GIS_REDIS_URL", redis_url)
    monkeypatch.setenv("GIS_SECRET_KEY", "cli-secret")
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == "cli:cli-secret:1"
