"""The demo, seeded once for every app and once per session (it takes about a minute; the `demo` fixture,
tests/conftest.py): each app's part is checked by its own `check_seed` (tests/<app>/test_demo.py), then a second run
adds nothing anywhere."""

from config.demo import seed
from tests.benchmarking import test_demo as benchmarking
from tests.innovation import test_demo as innovation
from tests.projects import test_demo as projects
from tests.targets import test_demo as targets

PARTS = {"targets": targets, "benchmarking": benchmarking, "projects": projects, "innovation": innovation}
SLUGS = ("huaxin", "lvyuan")


def test_the_demo_seeds_every_app_and_a_second_run_changes_nothing(demo, client):
    messages = demo
    for app, part in PARTS.items():
        assert f"demo {app} huaxin: created" in messages and f"demo {app} lvyuan: created" in messages
        part.check_seed(messages, client)

    before = {app: {slug: part.snapshot(slug) for slug in SLUGS} for app, part in PARTS.items()}
    assert before["targets"]["lvyuan"]["Indicator"] >= 8 and before["targets"]["lvyuan"]["Shortfall"] > 0

    again = list(seed.seed_all())
    assert all(line.endswith(": already there") for line in again)
    assert {app: {slug: part.snapshot(slug) for slug in SLUGS} for app, part in PARTS.items()} == before
