"""Celery through a real worker and the real (embedded) Redis broker."""

from config.celery import app
from lean.tasks import health_check, tenant_health_check
from scheduling.registry import Job, register
from scheduling.tasks import dispatch_tenant_jobs


def test_health_task_runs_through_a_real_worker(worker):
    assert health_check.delay().get(timeout=30) == "ok"


def test_tenant_task_runs_inside_its_tenant_scope(two_tenants, worker):
    a, b = two_tenants
    from lean.services import unit_create
    from lean.tenancy import tenant_scope

    with tenant_scope(b.tenant):
        unit_create(name="另一个单位", code="B2", parent=b.hq)
    assert tenant_health_check.delay(a.tenant.pk).get(timeout=30) == {"tenant_id": a.tenant.pk, "units": 3}
    assert tenant_health_check.delay(b.tenant.pk).get(timeout=30) == {"tenant_id": b.tenant.pk, "units": 4}


def test_dispatcher_starts_due_jobs_per_tenant_and_survives_a_failing_one(two_tenants, monkeypatch):
    a, b = two_tenants
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args: sent.append((name, args)))

    def due_for_alpha_only(tenant, now):
        if tenant.slug == "beta":
            raise RuntimeError("broken cadence settings")
        return True

    # Only the probe job: the apps' real jobs have their own dispatcher test (tests/scheduling/test_services.py).
    probe = Job("probe", "probe", is_due=due_for_alpha_only, period=lambda *a, **k: "", body=lambda **k: {})
    monkeypatch.setattr("scheduling.tasks.JOBS", {"probe": probe})
    assert dispatch_tenant_jobs() == 1
    assert sent == [("scheduling.run_tenant_job", [a.tenant.pk, "probe"])]


def test_register_job_adds_to_the_registry(monkeypatch):
    monkeypatch.setattr("scheduling.registry.JOBS", {})
    from scheduling import registry as scheduling

    register(Job("x", "x", is_due=lambda t, n: False, period=lambda *a, **k: "", body=lambda **k: {}))
    assert list(scheduling.JOBS) == ["x"]


def test_beat_schedule_runs_the_dispatcher():
    app.finalize()
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert any(entry["task"] == "scheduling.dispatch" for entry in schedule.values())
