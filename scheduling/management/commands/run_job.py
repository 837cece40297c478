"""Run a tenant's job now, synchronously: `python manage.py run_job <tenant slug> <job> [--period 2026-10]`."""

import json

from django.core.management.base import BaseCommand, CommandError

from lean.errors import ApplicationError
from lean.models import Tenant
from scheduling.models import JobRun
from scheduling.registry import JOBS
from scheduling.services import run_job


class Command(BaseCommand):
    help = "Run a scheduled job for one tenant now (shortfall_report, innovation_listing, reminders)."

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="the tenant's slug")
        parser.add_argument("job", help="shortfall_report, innovation_listing or reminders")
        parser.add_argument("--period", default="", help="a month (2026-10) or quarter (2026-Q3); default: the last")

    def handle(self, *args, tenant, job, period, **options):
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant {tenant!r}.")
        if job not in JOBS:
            raise CommandError(f"No job {job!r}; choose one of {', '.join(sorted(JOBS))}.")
        try:
            run = run_job(job=job, tenant=found, period=period or None, manual=True)
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"{run.job} {run.period or '-'}: {run.status}")
        if run.status == JobRun.Status.FAILED:
            raise CommandError(run.error)
        self.stdout.write(json.dumps(run.result, ensure_ascii=False, indent=2))
