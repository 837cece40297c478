import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("LEAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("LEAN_SCREENSHOTS", "")


@pytest.fixture(scope="session")
def browser():
    # Debian's chromium; Playwright never downloads a browser here. Playwright's sync API runs an event loop
    # in this thread, so Django's async-safety check must be lifted while it runs (tests only).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name):
    """Kept when LEAN_SCREENSHOTS names a folder, to look at the pages we build."""
    if ARTIFACTS:
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _plain_static_names(settings):
    """The live server serves static files from the finders, which know the source names only, not the hashed
    names the manifest storage of `make test` would put in the pages: without this the browser gets no CSS and
    no JavaScript at all (and htmx never runs)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
