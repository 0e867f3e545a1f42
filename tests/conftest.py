"""Shared fixtures: a facilitator, the demo workshop imported from its program, a few phones."""

import os
from pathlib import Path

import pytest

from sessions.program import decode_program, parse_program

DEMO_PROGRAM = (
    Path(__file__).resolve().parent.parent / "sessions/programs/sosiale-medier-bank-finans.txt"
)


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test gets a fresh instance of the layer Summa ships (settings.CHANNEL_LAYERS:
    the fan-out in-memory layer on a laptop, Redis when REDIS_URL is set), and a fresh
    record of which phones are online."""
    from channels.layers import channel_layers

    from buzzgroups import presence

    channel_layers.backends.clear()
    presence.forget_local()
    yield
    channel_layers.backends.clear()
    presence.forget_local()


@pytest.fixture
def demo_program():
    return parse_program(decode_program(DEMO_PROGRAM.read_bytes()))


@pytest.fixture
def facilitator(django_user_model):
    return django_user_model.objects.create_user("kari", password="kari-secret-123")


@pytest.fixture
def other_facilitator(django_user_model):
    return django_user_model.objects.create_user("ola", password="ola-secret-123")


@pytest.fixture
def cofacilitator(django_user_model):
    return django_user_model.objects.create_user("siri", password="siri-secret-123")


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_user("mona", password="mona-secret-123")


@pytest.fixture
def workshop(facilitator, demo_program):
    from sessions.services import workshop_create

    return workshop_create(
        owner=facilitator, program=demo_program, title="Sosiale medier i bank, finans og forsikring"
    )


@pytest.fixture
def first_round(workshop):
    """The buzz round of agenda item 1 of the demo program."""
    return workshop.items.get(number=1).buzz_rounds.get()


@pytest.fixture
def open_first_round(first_round):
    from sessions.services import round_open

    return round_open(buzz_round=first_round, minutes=10)


@pytest.fixture
def phones(workshop):
    """Four participants spread over the workshop's groups."""
    from buzzgroups.services import participant_join

    return [participant_join(workshop=workshop, nickname=name) for name in ("Ada", "", "Bo", "")]


# --- CI: a skipped browser, PostgreSQL or Redis test is a failure there -------
REQUIRED_SKIP_REASONS = ("Chromium", "PostgreSQL", "Redis", "font missing")


def _required_skips(reporter) -> int:
    return sum(
        any(word in str(report.longrepr) for word in REQUIRED_SKIP_REASONS)
        for report in reporter.stats.get("skipped", [])
    )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("SUMMA_REQUIRE_ALL") and reporter and _required_skips(reporter):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if os.environ.get("SUMMA_REQUIRE_ALL") and (count := _required_skips(terminalreporter)):
        terminalreporter.write_line(
            f"SUMMA_REQUIRE_ALL: {count} test(s) skipped for a missing browser or service; "
            "CI must run them all.",
            red=True,
        )
