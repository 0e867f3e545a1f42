"""The live sockets: what the wall, the console and the phones hear, and what they may say."""

import uuid

import pytest
from channels.db import database_sync_to_async

from buzzgroups import services
from buzzgroups.models import Participant
from sessions.models import BuzzRound
from tests.sockets import connect, facilitator_cookie, frames, phone_cookie, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def _post(participant, text, client_id=None):
    buzz_round = BuzzRound.objects.get(
        state=BuzzRound.State.OPEN, item__workshop=participant.workshop
    )
    return services.note_create(
        author=participant,
        text=text,
        prompt_id=buzz_round.prompts.first().pk,
        client_id=client_id or uuid.uuid4(),
    )[0]


@database_sync_to_async
def _setup_room(workshop):
    cookie, client = phone_cookie(workshop, "Ada")
    participant = Participant.objects.select_related("workshop", "group").get(nickname="Ada")
    return cookie, participant


async def test_a_note_reaches_the_wall_the_console_and_its_group_but_not_other_groups(
    workshop, facilitator, open_first_round
):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    phone_cookie_, ada = await _setup_room(workshop)
    other_cookie, _ = await database_sync_to_async(phone_cookie)(workshop, "Bo")
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    ada_phone = await connect(f"/ws/p/{workshop.join_code}/", phone_cookie_)
    bo_phone = await connect(f"/ws/p/{workshop.join_code}/", other_cookie)
    for socket in (wall, console, ada_phone, bo_phone):
        await frames(socket, timeout=0.3)  # presence and join noise

    note = await _post(ada, "Kundekontakt på Facebook")

    for socket in (wall, console, ada_phone):
        received = [f for f in await frames(socket, timeout=0.5) if f["type"] == "note.added"]
        assert len(received) == 1
        assert received[0]["data"]["note"]["text"] == "Kundekontakt på Facebook"
        assert received[0]["cards"][0]["id"] == f"note-{note.pk}"
    assert [f for f in await frames(bo_phone, timeout=0.3) if f["type"] == "note.added"] == []
    for socket in (wall, console, ada_phone, bo_phone):
        await socket.disconnect()


async def test_a_wall_that_reconnects_gets_one_snapshot_with_every_note_once(
    workshop, facilitator, open_first_round
):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    _cookie, ada = await _setup_room(workshop)
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    await send(wall, {"type": "resume", "after": 0})
    seen = await frames(wall, until_type="resumed")
    last_seq = max(f["seq"] for f in seen if f["seq"] is not None)
    await wall.disconnect()

    notes = [await _post(ada, f"Innspill {n}") for n in range(20)]

    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    await send(wall, {"type": "resume", "after": last_seq})
    caught_up = await frames(wall, until_type="resumed")
    snapshot, resumed = caught_up
    assert snapshot["type"] == "snapshot" and snapshot["seq"] == last_seq + 20
    assert snapshot["data"]["note_ids"] == [n.pk for n in notes]
    for note in notes:
        assert snapshot["html"].count(f'id="note-{note.pk}"') == 1
    assert resumed == {"type": "resumed", "seq": None, "count": 1, "upto": last_seq + 20}

    # Complete up to now: asking again costs nothing and sends nothing.
    await send(wall, {"type": "resume", "after": last_seq + 20})
    assert await frames(wall, until_type="resumed") == [
        {"type": "resumed", "seq": None, "count": 0, "upto": last_seq + 20}
    ]
    await wall.disconnect()


async def test_a_phone_catches_up_on_its_group_and_the_show_but_not_on_other_groups(
    workshop, open_first_round
):
    cookie, ada = await _setup_room(workshop)
    bo_cookie, _ = await database_sync_to_async(phone_cookie)(workshop, "Bo")
    from buzzgroups.models import Participant

    bo = await database_sync_to_async(
        lambda: Participant.objects.select_related("workshop").get(nickname="Bo")
    )()
    await _post(ada, "Mitt")
    await _post(bo, "Ikke mitt")
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    await send(phone, {"type": "resume", "after": 0})
    caught_up = await frames(phone, until_type="resumed")
    (snapshot,) = [f for f in caught_up if f["type"] == "snapshot"]
    cards = "".join(card["html"] for card in snapshot["cards"])
    assert "Mitt" in cards and "Ikke mitt" not in cards + snapshot["html"]
    assert 'id="phone-stage"' in snapshot["html"] and 'id="my-group"' in snapshot["html"]
    await phone.disconnect()


async def test_the_console_runs_the_show_over_its_socket(workshop, facilitator, first_round):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    await send(console, {"type": "round.open", "round": first_round.pk, "minutes": 3})
    received = await frames(console, timeout=0.5)
    assert {"type": "done", "seq": None, "action": "round.open"} in received
    assert any(f["type"] == "show.changed" and f["data"]["round_state"] == "open" for f in received)
    await first_round.arefresh_from_db()
    assert first_round.state == BuzzRound.State.OPEN
    await console.disconnect()


async def test_a_phone_cannot_run_the_show_or_moderate(workshop, open_first_round):
    cookie, ada = await _setup_room(workshop)
    note = await _post(ada, "Skal ikke skjules")
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    await frames(phone, timeout=0.3)
    for message in (
        {"type": "round.close", "round": open_first_round.pk},
        {"type": "note.hide", "note": note.pk},
        {"type": "show.next"},
    ):
        await send(phone, message)
        answer = await frames(phone, until_type="error")
        assert answer[-1]["type"] == "error" and answer[-1]["code"] == "forbidden"
    await note.arefresh_from_db()
    await open_first_round.arefresh_from_db()
    assert not note.hidden and open_first_round.state == BuzzRound.State.OPEN
    await phone.disconnect()


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "null",
        "[]",
        "42",
        '{"type": 7}',
        '{"type": "launch.rockets"}',
        '{"type": "resume", "after": "7"}',
    ],
)
async def test_a_malformed_frame_gets_an_error_frame_and_the_socket_stays_open(
    workshop, facilitator, raw
):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    await console.send_to(text_data=raw)
    answer = await frames(console, until_type="error")
    assert answer[-1]["type"] == "error"
    await send(console, {"type": "ping"})
    assert (await frames(console, until_type="pong"))[-1]["type"] == "pong"
    await console.disconnect()


async def test_binary_and_oversized_frames_are_refused_politely(workshop, facilitator):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    await console.send_to(bytes_data=b"\x00\x01")
    assert (await frames(console, until_type="error"))[-1]["code"] == "binary"
    await console.send_to(text_data='{"type": "ping", "pad": "' + "x" * (2 * 1024 * 1024) + '"}')
    assert (await frames(console, until_type="error"))[-1]["code"] == "too_large"
    await console.disconnect()


async def test_an_error_inside_an_action_is_logged_and_the_socket_survives(
    workshop, facilitator, monkeypatch, caplog
):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("buzzgroups.actions.console_action", explode)
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    await send(console, {"type": "show.next"})
    assert (await frames(console, until_type="error"))[-1]["code"] == "server_error"
    assert "socket handler failed" in caplog.text
    await send(console, {"type": "ping"})
    assert (await frames(console, until_type="pong"))[-1]["type"] == "pong"
    await console.disconnect()


async def test_screens_are_refused_to_strangers_and_other_facilitators(workshop, other_facilitator):
    from channels.testing import WebsocketCommunicator

    from workshop.asgi import application

    other = await database_sync_to_async(facilitator_cookie)(other_facilitator)
    for path, cookie in (
        (f"/ws/w/{workshop.join_code}/wall/", other),
        (f"/ws/w/{workshop.join_code}/console/", other),
        (f"/ws/w/{workshop.join_code}/wall/", None),
        (f"/ws/p/{workshop.join_code}/", other),
        ("/ws/p/NOSUCH/", None),
    ):
        headers = [(b"origin", b"http://localhost")]
        if cookie:
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect()
        if connected:  # accepted by the router, then closed by the consumer
            assert (await communicator.receive_output(timeout=1))["type"] == "websocket.close"
        await communicator.disconnect()


async def test_a_socket_from_a_foreign_origin_is_refused(workshop, facilitator):
    from channels.testing import WebsocketCommunicator

    from workshop.asgi import application

    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    for origin in (b"https://evil.example", b"null", None):
        headers = [(b"cookie", f"sessionid={fac}".encode())]
        if origin:
            headers.append((b"origin", origin))
        communicator = WebsocketCommunicator(
            application, f"/ws/w/{workshop.join_code}/wall/", headers=headers
        )
        connected, _ = await communicator.connect()
        assert not connected
        await communicator.disconnect()


async def test_the_wall_hears_how_many_phones_are_online(workshop, facilitator):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    cookie, _ = await _setup_room(workshop)
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    presence = [f for f in await frames(wall, timeout=0.5) if f["type"] == "presence"]
    assert presence[-1]["data"]["online"] == 1
    await phone.disconnect()
    presence = [f for f in await frames(wall, timeout=0.5) if f["type"] == "presence"]
    assert presence[-1]["data"]["online"] == 0
    await wall.disconnect()


async def test_a_timer_that_ran_out_closes_the_round_when_a_screen_says_so(
    workshop, facilitator, open_first_round
):
    from datetime import timedelta

    from django.utils import timezone

    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    await send(wall, {"type": "timer.expired"})
    await frames(wall, timeout=0.3)
    await open_first_round.arefresh_from_db()
    assert open_first_round.state == BuzzRound.State.OPEN  # not before its time
    await BuzzRound.objects.filter(pk=open_first_round.pk).aupdate(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    await send(wall, {"type": "timer.expired"})
    received = await frames(wall, timeout=0.5)
    assert any(
        f["type"] == "show.changed" and f["data"]["round_state"] == "closed" for f in received
    )
    await wall.disconnect()


async def test_a_hidden_note_leaves_the_wall_and_the_phones(
    workshop, facilitator, open_first_round
):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    cookie, ada = await _setup_room(workshop)
    note = await _post(ada, "Upassende")
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    for socket in (wall, phone, console):
        await frames(socket, timeout=0.3)
    await send(console, {"type": "note.hide", "note": note.pk, "hidden": True})
    changed = [f for f in await frames(wall, timeout=0.5) if f["type"] == "note.changed"]
    assert changed[-1]["cards"][0] == {"id": f"note-{note.pk}", "remove": True}
    # The group's phones get a stub in its place, without the text: the author's
    # phone says "hidden by the facilitator"; the others hide the stub.
    changed = [f for f in await frames(phone, timeout=0.5) if f["type"] == "note.changed"]
    (card,) = changed[-1]["cards"]
    assert card["id"] == f"note-{note.pk}" and "into" not in card
    assert "note--hidden" in card["html"] and "Upassende" not in card["html"]
    console_frames = [f for f in await frames(console, timeout=0.5) if f["type"] == "note.changed"]
    assert "note--hidden" in console_frames[-1]["cards"][0]["html"]
    for socket in (wall, phone, console):
        await socket.disconnect()


class SocketQueries:
    """The queries made meanwhile in any thread (a socket's database work runs in another)."""

    def __init__(self):
        self.monkeypatch = pytest.MonkeyPatch()
        self.sql = []

    async def __aenter__(self):
        from django.db.backends.utils import CursorWrapper

        real = CursorWrapper._execute_with_wrappers

        def counted(cursor, sql, *args, **kwargs):
            self.sql.append(sql)
            return real(cursor, sql, *args, **kwargs)

        self.monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", counted)
        return self

    async def __aexit__(self, *exc):
        self.monkeypatch.undo()

    def __len__(self):
        return len(self.sql)


async def test_a_phone_connects_with_one_query_and_a_screen_with_three(workshop, facilitator):
    cookie, _client = await database_sync_to_async(phone_cookie)(workshop, "Ada")
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    # The session, which says who the phone is and where it sits.
    async with SocketQueries() as phone_connect:
        phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    assert len(phone_connect) <= 1, phone_connect.sql
    # The session, the facilitator's account, the workshop (the owner's: no membership).
    for path in ("wall", "console"):
        async with SocketQueries() as screen_connect:
            screen = await connect(f"/ws/w/{workshop.join_code}/{path}/", fac)
        assert len(screen_connect) <= 3, screen_connect.sql
        await screen.disconnect()
    await phone.disconnect()


async def test_a_phone_whose_session_predates_its_socket_seat_still_connects(
    workshop, open_first_round
):
    from sessions.access import PHONE_SOCKETS_SESSION_KEY

    @database_sync_to_async
    def old_session():
        cookie, client = phone_cookie(workshop, "Ada")
        session = client.session
        del session[PHONE_SOCKETS_SESSION_KEY]
        session.save()
        return cookie, Participant.objects.get(nickname="Ada")

    cookie, ada = await old_session()
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    await frames(phone, timeout=0.3)
    await _post(ada, "Fortsatt her")
    assert "note.added" in [f["type"] for f in await frames(phone, timeout=0.5)]
    await phone.disconnect()


async def test_a_phone_taken_out_of_the_workshop_is_let_go_on_its_first_resume(
    workshop, facilitator
):
    cookie, _client = await database_sync_to_async(phone_cookie)(workshop, "Ada")
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)

    @database_sync_to_async
    def remove_ada():
        ada = Participant.objects.get(nickname="Ada")
        services.participants_remove(workshop=workshop, participant_ids=[ada.pk])

    await remove_ada()
    await send(phone, {"type": "resume", "after": 0})
    closed = await phone.receive_output(timeout=1)
    while closed["type"] != "websocket.close":
        closed = await phone.receive_output(timeout=1)
    assert closed["code"] == 4404


async def test_a_phone_that_missed_nothing_resumes_with_one_query(workshop, open_first_round):
    cookie, _client = await database_sync_to_async(phone_cookie)(workshop, "Ada")
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    await frames(phone, timeout=0.3)
    seq = await database_sync_to_async(lambda: type(workshop).objects.get(pk=workshop.pk).seq)()
    # Its group and the workshop's number, together.
    async with SocketQueries() as resume:
        await send(phone, {"type": "resume", "after": seq})
        received = await frames(phone, until_type="resumed")
    assert [f["type"] for f in received] == ["resumed"]
    assert len(resume) <= 1, resume.sql
    await phone.disconnect()
