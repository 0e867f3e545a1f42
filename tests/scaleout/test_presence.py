"""Phones online across server processes, in the real Redis: what a killed process leaves."""

import time
import uuid

import pytest

from buzzgroups import presence
from tests.scaleout.conftest import REDIS_DB, REDIS_URL

pytestmark = pytest.mark.services


@pytest.fixture
def shared_presence(services_up, settings, monkeypatch):
    """Presence kept in Redis with a one-second lifetime, under a prefix of this test's own."""
    settings.REDIS_URL = f"{REDIS_URL.rstrip('/')}/{REDIS_DB}"
    settings.REDIS_PREFIX = f"presence-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(presence, "_redis", None)
    monkeypatch.setattr(presence, "TTL_SECONDS", 1)
    presence.forget_local()
    yield
    presence.forget_local()


def test_phones_of_a_killed_process_drop_out_of_the_count(shared_presence):
    presence.arrive(7, 1, "process-a.phone-1")
    presence.arrive(7, 2, "process-a.phone-2")
    assert presence.count(7) == 2
    presence.forget_local()  # killed: nobody renews them, nobody says they left
    time.sleep(1.3)
    assert presence.count(7) == 0


def test_a_living_process_keeps_its_phones_counted(shared_presence):
    presence.arrive(7, 1, "process-a.phone-1")
    time.sleep(0.6)
    presence.renew()
    time.sleep(0.6)
    assert presence.count(7) == 1
    presence.leave(7, 1, "process-a.phone-1")
    assert presence.count(7) == 0


def test_two_sockets_of_one_phone_count_as_one_phone(shared_presence):
    presence.arrive(7, 1, "process-a.tab-1")
    presence.arrive(7, 1, "process-b.tab-2")
    assert presence.count(7) == 1
