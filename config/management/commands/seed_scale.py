"""Build the scale data of issue 15 (config/demo/scale): `python manage.py seed_scale [--seed 2026] [--scale 1]
[--small-tenants 200]`. An earlier run's tenants are dropped first, so it can run again."""

from django.core.management.base import BaseCommand, CommandError

from config.demo import scale as scale_data


class Command(BaseCommand):
    help = "Build one large tenant `scale` and many small ones `scale-001` …, reproducibly from a seed."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="the same seed gives the same data (2026)")
        parser.add_argument("--scale", type=float, default=1.0, help="size of the large tenant, e.g. 0.01 (1)")
        parser.add_argument("--small-tenants", type=int, default=200, help="how many small tenants (200)")

    def _line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()  # each step as it ends, also into a pipe

    def handle(self, *args, seed, scale, small_tenants, **options):
        if scale <= 0 or small_tenants < 0:
            raise CommandError("--scale must be above 0 and --small-tenants at least 0.")
        self.stdout.write(f"seed {seed}, scale {scale}, {small_tenants} small tenants")
        scale_data.build(seed=seed, scale=scale, small_tenants=small_tenants, out=self._line)
        self.stdout.write(
            f"Sign in with tenant {scale_data.SLUG} as {scale_data.OFFICE} (lean office), {scale_data.MANAGER} "
            f"(manager of U07) or {scale_data.EMPLOYEE} (employee), password {scale_data.PASSWORD}."
        )
