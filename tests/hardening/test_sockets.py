"""WebSockets: malformed frames get an error frame (or a clean close), never a
traceback, and the socket stays open; sockets from a foreign page are refused."""

import json
import math
import time

import pytest
from asgiref.sync import sync_to_async

from sessions.services import round_open, show_start
from tests.hardening.conftest import (
    communicator,
    join,
    logged_in,
    receive_until,
    session_cookie,
)

# --- Malformed WebSocket frames ---------------------------------------------

BAD_FRAMES = {
    "invalid JSON": ("text", "{not json", ("bad_json",)),
    "null": ("text", "null", ("bad_shape",)),
    "a list": ("text", '["show.next"]', ("bad_shape",)),
    "a number as the type": ("text", '{"type": 5}', ("bad_shape",)),
    "a string as the resume point": ("text", '{"type": "resume", "after": "7"}', ("bad_shape",)),
    "an unknown type": ("text", '{"type": "note.explode"}', ("unknown_type", "forbidden")),
    "a binary frame": ("bytes", b"\x00\x01\x02", ("binary",)),
    "50 KB of nested brackets": ("text", "[" * 50_000, ("bad_shape",)),
    "nested brackets inside an object": (
        "text",
        '{"type": "ping", "x": ' + "[" * 50_000,
        ("bad_shape", "bad_json"),
    ),
    "a list inside a message": ("text", '{"type": "ping", "pad": [1, 2]}', ("bad_shape",)),
    "an object as the resume point": (
        "text",
        '{"type": "resume", "after": {"a": 1}}',
        ("bad_shape",),
    ),
    "a 2 MB frame": (
        "text",
        json.dumps({"type": "ping", "pad": "x" * (2 * 1024 * 1024)}),
        ("too_large",),
    ),
}
CONSOLE_ONLY = {
    "a string where a number belongs": '{"type": "show.goto", "number": "2"}',
    "a number where a string belongs": '{"type": "wall.layout", "layout": 5}',
    "a string where true/false belongs": '{"type": "note.hide", "note": 1, "hidden": "yes"}',
}


@pytest.fixture
def socket_cookies(workshop, facilitator):
    phone = join(workshop)
    return {"phone": session_cookie(phone), "console": session_cookie(logged_in(facilitator))}


def socket_path(role: str, code: str) -> str:
    return f"/ws/p/{code}/" if role == "phone" else f"/ws/w/{code}/{role}/"


async def assert_error_and_still_open(comm, expected_code):
    frame = await receive_until(comm, "error")
    assert frame["seq"] is None
    if expected_code:
        assert frame["code"] in expected_code
    assert "Traceback" not in frame["error"]
    await comm.send_json_to({"type": "ping"})
    assert (await receive_until(comm, "pong"))["type"] == "pong"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["phone", "console", "wall"])
@pytest.mark.parametrize("name", BAD_FRAMES.keys())
async def test_a_malformed_frame_gets_an_error_frame_and_the_socket_stays_open(
    workshop, socket_cookies, caplog, role, name
):
    kind, payload, code = BAD_FRAMES[name]
    cookie = socket_cookies["phone" if role == "phone" else "console"]
    comm = communicator(socket_path(role, workshop.join_code), cookie)
    assert (await comm.connect())[0]
    if kind == "bytes":
        await comm.send_to(bytes_data=payload)
    else:
        await comm.send_to(text_data=payload)
    await assert_error_and_still_open(comm, code)
    await comm.disconnect()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", CONSOLE_ONLY.keys())
async def test_a_wrongly_typed_console_action_gets_an_error_frame(
    workshop, socket_cookies, caplog, name
):
    comm = communicator(socket_path("console", workshop.join_code), socket_cookies["console"])
    assert (await comm.connect())[0]
    await comm.send_to(text_data=CONSOLE_ONLY[name])
    # The note is looked up first: there is none, so "not found" is as good an answer.
    await assert_error_and_still_open(comm, ("bad_shape", "not_found"))
    await comm.disconnect()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


# --- What one socket may make the server do --------------------------------


@pytest.fixture
def counted_catch_ups(monkeypatch):
    """How many times the server caught a socket up."""
    from sessions import broadcast

    calls = []
    real = broadcast.catch_up

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(broadcast, "catch_up", counting)
    return calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["phone", "wall"])
async def test_a_resume_flood_costs_a_few_catch_ups_and_the_socket_answers_at_once(
    workshop, socket_cookies, counted_catch_ups, caplog, role, settings
):
    cookie = socket_cookies["phone" if role == "phone" else "console"]
    comm = communicator(socket_path(role, workshop.join_code), cookie)
    assert (await comm.connect())[0]
    started = time.monotonic()
    for _ in range(500):
        await comm.send_to(text_data='{"type": "resume", "after": 0}')
    await comm.send_json_to({"type": "ping"})
    answers = {"resumed": 0, "busy": 0, "too_fast": 0}
    while True:
        frame = await receive_until_one_of(comm, ("resumed", "error", "pong"))
        if frame["type"] == "pong":
            break
        answers[frame["type"] if frame["type"] == "resumed" else frame["code"]] += 1
    # The catch-ups let through may still be on their way after the pong.
    while answers["resumed"] < len(counted_catch_ups) or not answers["resumed"]:
        await receive_until_one_of(comm, ("resumed",), timeout=10)
        answers["resumed"] += 1
    await comm.disconnect()
    # The burst, and what the steady rate refilled while the flood was handled (a
    # token a second: on a slow database the flood takes a few seconds).
    refilled = math.ceil((time.monotonic() - started) * settings.SUMMA_SOCKET_RATE)
    assert 1 <= len(counted_catch_ups) <= settings.SUMMA_SOCKET_BURST + refilled
    assert len(counted_catch_ups) < 20  # of 500 asked for
    assert answers["resumed"] == len(counted_catch_ups)
    assert answers["resumed"] + answers["busy"] + answers["too_fast"] >= 499
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


@pytest.mark.django_db(transaction=True)
async def test_console_actions_beyond_the_rate_are_refused_and_the_socket_stays_open(
    workshop, socket_cookies, settings
):
    comm = communicator(socket_path("console", workshop.join_code), socket_cookies["console"])
    assert (await comm.connect())[0]
    for _ in range(settings.SUMMA_SOCKET_BURST + 5):
        await comm.send_json_to({"type": "wall.layout", "layout": "groups"})
    codes = []
    for _ in range(settings.SUMMA_SOCKET_BURST + 5):
        frame = await receive_until_one_of(comm, ("done", "error"))
        codes.append(frame.get("code", "done"))
    assert codes.count("done") >= settings.SUMMA_SOCKET_BURST
    assert "too_fast" in codes
    await assert_error_and_still_open_after_ping(comm)
    await comm.disconnect()


async def test_the_socket_limits_refill_and_drop_work_when_the_socket_closes():
    import asyncio

    from buzzgroups.socket_limits import SocketLimits

    now = [0.0]
    limits = SocketLimits(burst=2, per_second=1.0, clock=lambda: now[0])
    assert [limits.allow() for _ in range(3)] == [True, True, False]
    now[0] += 1.0
    assert limits.allow() and not limits.allow()

    finished = []

    async def long_catch_up():
        await asyncio.sleep(5)
        finished.append(True)

    task = limits.start(long_catch_up())
    assert limits.busy
    limits.close()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not limits.busy and not finished


async def receive_until_one_of(comm, kinds, timeout: float = 5) -> dict:
    while True:
        frame = json.loads(await comm.receive_from(timeout=timeout))
        if frame["type"] in kinds:
            return frame


async def assert_error_and_still_open_after_ping(comm):
    await comm.send_json_to({"type": "ping"})
    assert (await receive_until(comm, "pong"))["type"] == "pong"


# --- Origins ------------------------------------------------------------------


@pytest.fixture
def room(workshop, first_round, facilitator):
    show_start(workshop=workshop)
    round_open(buzz_round=first_round, minutes=10)
    return {"workshop": workshop, "phone": join(workshop)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"https://localhost.evil.example", b"null", None]
)
async def test_a_socket_from_a_foreign_or_missing_origin_is_refused(
    room, facilitator, settings, origin
):
    settings.DEBUG = False
    console = session_cookie(await sync_to_async(logged_in)(facilitator))
    phone = session_cookie(room["phone"])
    for path, cookie in (
        (f"/ws/w/{room['workshop'].join_code}/console/", console),
        (f"/ws/w/{room['workshop'].join_code}/wall/", console),
        (f"/ws/p/{room['workshop'].join_code}/", phone),
    ):
        comm = communicator(path, cookie, origin=origin)
        connected, _code = await comm.connect()
        assert not connected, (path, origin)


@pytest.mark.django_db(transaction=True)
async def test_a_socket_from_the_sites_own_origin_is_accepted(room, facilitator, settings):
    """The control for the refusals above."""
    settings.DEBUG = False
    comm = communicator(f"/ws/p/{room['workshop'].join_code}/", session_cookie(room["phone"]))
    assert (await comm.connect())[0]
    await comm.disconnect()
