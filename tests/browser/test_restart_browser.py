"""The server is stopped and started again in the middle of a buzz round.

Phones and the wall reconnect by themselves; every note a phone showed as sent
(before, during and after the outage) is on the wall and in the export.
"""

import socket
from functools import partial

import pytest
from playwright.sync_api import expect

from buzzgroups.models import Note
from sessions import broadcast
from sessions.services import show_start
from tests.browser.conftest import join, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# The test process replaces send_event (conftest's _screens_live_in_the_server);
# a server forked after that must put the real one back.
SEND_EVENT = broadcast.send_event


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def _setup_child(django_db_blocker):
    from channels.testing.live import set_database_connection

    django_db_blocker.unblock()
    set_database_connection()
    broadcast.send_event = SEND_EVENT


class RestartableServer:
    """A Daphne server in a child process that can be stopped and started on one port."""

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self):
        from channels.testing.live import make_application
        from daphne.testing import DaphneProcess
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.db import connections

        with self.blocker.unblock():
            for connection in connections.all():
                connection.close()
        self.process = DaphneProcess(
            "localhost",
            partial(make_application, static_wrapper=ASGIStaticFilesHandler),
            setup=partial(_setup_child, self.blocker),
            port=self.port,
        )
        self.process.start()
        if not self.process.ready.wait(timeout=30):
            self.stop()
            raise RuntimeError("the Daphne test server did not start")
        assert self.process.port.value == self.port

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.join(timeout=10)
            self.process = None


@pytest.fixture
def server(django_db_setup, django_db_blocker):
    server = RestartableServer(django_db_blocker)
    server.start()
    yield server
    server.stop()


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def sent_texts(page) -> list[str]:
    """The notes this phone shows as sent (not waiting in its outbox)."""
    return page.locator("#group-notes .note:not(.pending) .note__text").all_inner_texts()


def test_phones_and_wall_come_back_after_a_restart_and_no_sent_note_is_lost(
    server, laptop, projector, phone_context, workshop, open_first_round
):
    show_start(workshop=workshop)
    base = server.url
    code = workshop.join_code

    console = laptop.new_page()
    log_in(console, base)
    projector.add_cookies(laptop.cookies())
    wall = projector.new_page()
    wall.goto(f"{base}/w/{code}/wall/")
    wall.wait_for_selector("body.is-online")

    ada, bo = phone_context().new_page(), phone_context().new_page()
    join(ada, base, code, nickname="Ada")
    join(bo, base, code, nickname="Bo")
    write(ada, "Før stopp: rekruttering")
    write(bo, "Før stopp: kundeservice")
    expect(wall.locator(".wall-note")).to_have_count(2)

    server.stop()
    for page in (ada, bo, wall):
        page.wait_for_selector("body.is-offline", timeout=15000)
    write(ada, "Under stopp: læring")
    write(bo, "Under stopp: omdømme")
    ada.wait_for_selector(".note.pending[data-state=failed]")
    assert Note.objects.count() == 2

    server.start()
    for page in (ada, bo, wall):
        page.wait_for_selector("body.is-online", timeout=60000)
    for page in (ada, bo):
        expect(page.locator("#group-notes .note.pending")).to_have_count(0, timeout=30000)
    write(ada, "Etter start: samarbeid")

    expected = {
        "Før stopp: rekruttering",
        "Før stopp: kundeservice",
        "Under stopp: læring",
        "Under stopp: omdømme",
        "Etter start: samarbeid",
    }
    expect(wall.locator(".wall-note")).to_have_count(len(expected), timeout=30000)
    expect(ada.locator("#group-notes .note.pending")).to_have_count(0, timeout=30000)
    phones_sent = set(sent_texts(ada)) | set(sent_texts(bo))
    assert phones_sent == expected
    on_wall = set(wall.locator(".wall-note .note__text").all_inner_texts())
    assert phones_sent <= on_wall
    export = console.request.get(f"{base}/w/{code}/summary.json").json()
    assert phones_sent <= {note["text"] for note in export["notes"]}
    # Each exactly once, though phones retried.
    assert sorted(Note.objects.values_list("text", flat=True)) == sorted(expected)
