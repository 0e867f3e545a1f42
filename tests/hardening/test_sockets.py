"""WebSockets: malformed frames get an error frame (or a clean close), never a
traceback, and the socket stays open; sockets from a foreign page are refused."""

import json

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
