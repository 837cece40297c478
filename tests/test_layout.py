"""The floors of the house (docs/architecture.md): an app imports only the apps on the floors below it, never one
on its own floor or above — at the top of a module or inside a function alike. The tenancy core (lean) imports
no app at all."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FLOORS = {
    "lean": 0,  # tenancy core: tenants, people, units, permissions, the API and page machinery
    "scheduling": 1,  # the job registry, schedules, runs, the one tenant job task
    "targets": 2,  # the target tree and its shortfalls
    "benchmarking": 3,  # peers and comparisons (reads targets)
    "projects": 3,  # improvement projects (attack targets' shortfalls)
    "innovation": 4,  # points, listings, suggestions (award closed projects)
    "integrations": 5,  # HR APIs, sync, webhooks: the outside world's view of the domain
    "insights": 5,  # dashboard, dynamic query, shortfall reports, audit log: reads every domain app
    "config": 6,  # composition root: settings, URLs, Celery, the demo and scale data
}


def imports_of(app: str):
    """(module file, imported top-level app) for every import of another app in `app`, migrations aside."""
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in FLOORS and top != app:
                    yield path.relative_to(ROOT), top


def test_every_app_has_a_floor():
    from django.conf import settings

    ours = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    assert ours == set(FLOORS)


@pytest.mark.parametrize("app", list(FLOORS))
def test_an_app_imports_only_floors_below_it(app):
    wrong = [f"{path} imports {top}" for path, top in imports_of(app) if FLOORS[top] >= FLOORS[app]]
    assert wrong == []


def test_the_core_imports_no_app():
    assert list(imports_of("lean")) == []


def test_the_check_sees_a_wrong_import(tmp_path, monkeypatch):
    # The test above must be able to fail: a core module importing a domain app is found.
    app = tmp_path / "lean"
    app.mkdir()
    (app / "bad.py").write_text("def f():\n    from projects.models import Project\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert list(imports_of("lean")) == [(Path("lean/bad.py"), "projects")]
