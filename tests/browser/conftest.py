"""Real-browser tests: a live Daphne server in a child process and Debian's Chromium.

Run them in their own pytest invocation (`pytest -m browser`):
Playwright's sync API and pytest-asyncio do not share an event loop.
The server serves the same (file-based) test database the test writes to;
everything that must reach a screen goes through the browser, as a person does.
"""

import logging
import os
import shutil
import tempfile
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import expect

# A loaded 2-core CI machine runs a server, Chromium and several pages at once:
# give a live change up to 15 s to show, not Playwright's 5.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("SUMMA_CHROMIUM", "/usr/bin/chromium")
# Screenshots land in docs/ only when asked (SUMMA_SCREENSHOTS=1), so a test run
# leaves `git status` clean; otherwise in a folder of their own under /tmp.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS = (
    DOCS_SCREENSHOTS
    if os.environ.get("SUMMA_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "summa-screenshots"
)


@pytest.fixture(autouse=True, scope="session")
def _allow_blocking_orm_calls():
    """Playwright's sync API runs an event loop in this thread; the ORM calls we
    make between browser steps are plain blocking calls, which is what we want.
    Set for browser tests only: at import time it leaked into every test's
    subprocesses (manage.py check --deploy fails on it with async.E001)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected test, not only this folder's.
    here = Path(__file__).resolve().parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """A file-based test database, so the server process can open it too."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("db") / "browser.sqlite3"
        settings.DATABASES["default"]["TEST"]["NAME"] = str(path)


@pytest.fixture(scope="session")
def server_log(tmp_path_factory) -> Path:
    """Where the test server writes what it logs at WARNING and above (tracebacks too)."""
    return tmp_path_factory.mktemp("server") / "server.log"


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker, server_log):
    from channels.testing.live import make_application, set_database_connection
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
    process = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=partial(_server_setup, django_db_blocker, set_database_connection, server_log),
    )
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        raise RuntimeError("the Daphne test server did not start")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join(timeout=10)


def _server_setup(django_db_blocker, set_database_connection, server_log):
    # The forked server inherits pytest-django's guard against database access.
    django_db_blocker.unblock()
    set_database_connection()
    handler = logging.FileHandler(server_log)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)


@pytest.fixture(autouse=True)
def _screens_live_in_the_server(live_server_url, monkeypatch):
    """Data made by a test's fixtures has no screens in this process to reach:
    the browsers listen to the server process (forked before this patch)."""
    monkeypatch.setattr("sessions.broadcast.send_event", lambda event: None)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        browser.devices = playwright.devices
        yield browser
        browser.close()


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nb-NO")
    yield context
    context.close()


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="nb-NO")
    yield context
    context.close()


@pytest.fixture
def phone_context(browser):
    """Make phone-sized browser contexts (each its own participant)."""
    contexts = []

    def make(locale="nb-NO"):
        context = browser.new_context(**browser.devices["iPhone 13"], locale=locale)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(page, base_url, username="kari", password="kari-secret-123"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/w/**")


def join(page, base_url, code, nickname="", group=None):
    """Join from the short link, or from a group's own link (as on a table card)."""
    page.goto(f"{base_url}/j/{code}/{group}/" if group else f"{base_url}/j/{code}/")
    if nickname:
        page.fill("#nickname", nickname)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    page.wait_for_selector("body.is-online")


def open_console_and_wall(laptop, projector, base_url, workshop):
    console = laptop.new_page()
    log_in(console, base_url)
    console.goto(f"{base_url}/w/{workshop.join_code}/")
    console.wait_for_selector("body.is-online")
    # The wall runs on the facilitator's login, in a window on the projector.
    projector.add_cookies(laptop.cookies())
    wall = projector.new_page()
    wall.goto(f"{base_url}/w/{workshop.join_code}/wall/")
    wall.wait_for_selector("body.is-online")
    return console, wall


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
