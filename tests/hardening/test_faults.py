"""Faults: no acknowledged note is ever lost.

Retries and races on one note, eight writers at once on the default SQLite
(in subprocesses, on a database file with the production settings: WAL,
immediate transactions), a channel layer that drops frames, and a consumer
handler that raises. The server restart is a browser test:
tests/browser/test_restart_browser.py.
"""

import json
import logging
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers

from buzzgroups import actions, services
from buzzgroups.models import Note
from sessions.models import Workshop
from tests.hardening.conftest import (
    communicator,
    join,
    logged_in,
    post_note,
    receive,
    receive_until,
    session_cookie,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sessions/programs/sosiale-medier-bank-finans.txt"

# --- Retries ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retried_post_with_the_same_client_id_makes_one_note(workshop, prompt):
    phone = join(workshop)
    client_id = uuid.uuid4()
    first = post_note(phone, workshop, "Én gang", prompt, client_id=client_id)
    again = post_note(phone, workshop, "Én gang", prompt, client_id=client_id)
    plain = post_note(phone, workshop, "Én gang", prompt, client_id=client_id, as_json=False)
    assert (first.status_code, again.status_code, plain.status_code) == (201, 200, 302)
    assert first.json()["created"] is True and again.json()["created"] is False
    assert again.json()["note"]["id"] == first.json()["note"]["id"]
    assert Note.objects.count() == 1


@pytest.mark.django_db
def test_another_phone_cannot_claim_a_client_id_that_is_taken(workshop, prompt):
    client_id = uuid.uuid4()
    assert (
        post_note(join(workshop), workshop, "Min", prompt, client_id=client_id).status_code == 201
    )
    other = post_note(join(workshop), workshop, "Din", prompt, client_id=client_id)
    assert other.status_code == 400
    assert list(Note.objects.values_list("text", flat=True)) == ["Min"]


# --- Many writers on the default SQLite, in processes of their own -------------

SETUP = """
import json, sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from buzzgroups.services import participant_join
from sessions.access import PARTICIPANTS_SESSION_KEY
from sessions.program import decode_program, parse_program
from sessions.services import round_open, show_start, workshop_create

call_command("migrate", verbosity=0)
owner = get_user_model().objects.create_user("kari")
program = parse_program(decode_program(open(sys.argv[1], "rb").read()))
workshop = workshop_create(owner=owner, program=program)
show_start(workshop=workshop)
buzz_round = round_open(buzz_round=workshop.items.get(number=1).buzz_rounds.get(), minutes=30)
sessions = []
for number in range(int(sys.argv[2])):
    phone = participant_join(workshop=workshop, nickname=f"P{number}")
    session = SessionStore()
    session[PARTICIPANTS_SESSION_KEY] = {str(workshop.pk): phone.pk}
    session.create()
    sessions.append(session.session_key)
print(json.dumps({"code": workshop.join_code, "prompt": buzz_round.prompts.first().pk,
                  "sessions": sessions}))
"""

WRITER = """
import json, os, sys, time, django
django.setup()
from django.test import Client

code, prompt, session, barrier, client_ids = sys.argv[1:6]
phone = Client(HTTP_HOST="localhost")
phone.cookies["sessionid"] = session
phone.get(f"/p/{code}/")  # warm up: templates, URLs, the database connection
open(f"{barrier}.ready.{os.getpid()}", "w").close()
while not os.path.exists(f"{barrier}.go"):
    time.sleep(0.005)
answers = []
for client_id in client_ids.split(","):
    response = phone.post(
        f"/p/{code}/notes/new/",
        {"text": f"Lapp {client_id}", "prompt": prompt, "client_id": client_id},
        headers={"Accept": "application/json"},
    )
    answers.append([client_id, response.status_code])
print(json.dumps(answers))
"""

NOTES_EACH = 15


@pytest.fixture
def sqlite_room(tmp_path):
    """A fresh database file with the default (production) SQLite settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        SUMMA_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="workshop.settings",
        SUMMA_NOTES_PER_MINUTE="1000",
        DEBUG="1",
    )

    def run_setup(phones: int) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", SETUP, str(DEMO), str(phones)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def run_writers(room: dict, jobs: list[tuple[str, list[str]]]) -> list:
        barrier = str(tmp_path / "barrier")
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, room["code"], str(room["prompt"]), session]
                + [barrier, ",".join(ids)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for session, ids in jobs
        ]
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("barrier.ready.*"))) < len(writers):
            assert time.monotonic() < deadline, "the writers did not start"
            assert all(w.poll() is None for w in writers), [w.stderr.read() for w in writers]
            time.sleep(0.05)
        Path(f"{barrier}.go").touch()
        results = []
        for writer in writers:
            out, err = writer.communicate(timeout=180)
            assert "database is locked" not in err
            assert writer.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results

    def count_notes() -> tuple[int, int]:
        script = (
            "import django; django.setup(); from buzzgroups.models import Note; "
            "print(Note.objects.count(), Note.objects.values('client_id').distinct().count())"
        )
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        total, distinct = result.stdout.split()
        return int(total), int(distinct)

    return run_setup, run_writers, count_notes


def test_eight_writers_at_once_on_sqlite_save_every_note(sqlite_room):
    run_setup, run_writers, count_notes = sqlite_room
    room = run_setup(8)
    jobs = [
        (session, [str(uuid.uuid4()) for _ in range(NOTES_EACH)]) for session in room["sessions"]
    ]
    results = run_writers(room, jobs)
    statuses = [status for answers in results for _id, status in answers]
    assert statuses == [201] * (8 * NOTES_EACH)
    assert count_notes() == (8 * NOTES_EACH, 8 * NOTES_EACH)


def test_two_posts_of_the_same_note_at_once_make_one_note_and_no_500(sqlite_room):
    run_setup, run_writers, count_notes = sqlite_room
    room = run_setup(1)
    same = [str(uuid.uuid4()) for _ in range(NOTES_EACH)]
    session = room["sessions"][0]
    first, second = run_writers(room, [(session, same), (session, same)])
    for (client_id, a), (_same, b) in zip(first, second, strict=True):
        assert sorted((a, b)) == [200, 201], client_id
    assert count_notes() == (NOTES_EACH, NOTES_EACH)


@pytest.mark.django_db(transaction=True)
def test_two_threads_posting_the_same_note_at_once_make_one_note(workshop, prompt, phones):
    """The same race in one process (on PostgreSQL when DATABASE_URL points there)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database is shared by threads; see the subprocess test")
    author = phones[0]
    client_id = uuid.uuid4()

    def post():
        try:
            return services.note_create(
                author=author, text="To på en gang", prompt_id=prompt.pk, client_id=client_id
            )[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        created = sorted(pool.map(lambda _i: post(), range(2)))
    assert created == [False, True]
    assert Note.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_note_sent_as_the_round_closes_is_refused_not_saved_into_the_closed_round(
    workshop, prompt, phones
):
    """The close and the note race: the note waits for the close and is refused."""
    import threading
    import time

    from django.db import connection, transaction
    from django.utils.translation import override

    from sessions.models import BuzzRound
    from sessions.services import round_close

    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database is shared by threads; the DATABASE_URL pass runs it"
        )
    buzz_round = BuzzRound.objects.get(state=BuzzRound.State.OPEN)
    closing = threading.Event()

    def close_slowly():
        try:
            with transaction.atomic():
                round_close(buzz_round=buzz_round)
                closing.set()
                time.sleep(0.5)  # the note arrives while the close is not yet committed
        finally:
            connection.close()

    closer = threading.Thread(target=close_slowly)
    closer.start()
    closing.wait(timeout=10)
    with override("en"), pytest.raises(services.NoteError, match="buzz round is closed"):
        services.note_create(
            author=phones[0], text="For sent", prompt_id=prompt.pk, client_id=uuid.uuid4()
        )
    closer.join()
    assert Note.objects.count() == 0


# --- A channel layer that drops frames -----------------------------------------


class DroppingLayer(InMemoryChannelLayer):
    """The in-memory layer, losing every group message while ``dropping`` is set
    (as a full Redis queue or a lost connection would)."""

    dropping = False
    dropped = 0

    async def group_send(self, group, message):
        if DroppingLayer.dropping:
            DroppingLayer.dropped += 1
            return
        await super().group_send(group, message)


@pytest.fixture
def dropping_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "tests.hardening.test_faults.DroppingLayer"}}
    channel_layers.backends.clear()
    DroppingLayer.dropping = False
    DroppingLayer.dropped = 0
    yield DroppingLayer
    DroppingLayer.dropping = False
    channel_layers.backends.clear()


def write(author, prompt, text):
    return services.note_create(
        author=author, text=text, prompt_id=prompt.pk, client_id=uuid.uuid4()
    )[0]


@pytest.mark.django_db(transaction=True)
async def test_the_wall_sees_the_gap_of_dropped_frames_and_fetches_what_it_missed(
    workshop, prompt, phones, facilitator, dropping_layer
):
    cookie = session_cookie(await sync_to_async(logged_in)(facilitator))
    wall = communicator(f"/ws/w/{workshop.join_code}/wall/", cookie)
    assert (await wall.connect())[0]
    author = phones[0]

    await sync_to_async(write)(author, prompt, "Første")
    first = await receive_until(wall, "note.added")
    last_seen = first["seq"]

    dropping_layer.dropping = True
    for text in ("Tapt én", "Tapt to"):
        await sync_to_async(write)(author, prompt, text)
    dropping_layer.dropping = False
    assert dropping_layer.dropped >= 2
    assert await wall.receive_nothing(timeout=0.3)

    await sync_to_async(write)(author, prompt, "Etter")
    after = await receive_until(wall, "note.added")
    # The gap: what live.js (data-gap-check="strict") sees before it resumes.
    assert after["seq"] > last_seen + 1

    await wall.send_json_to({"type": "resume", "after": last_seen})
    missed = []
    while (frame := await receive(wall))["type"] != "resumed":
        missed.append(frame)
    (snapshot,) = missed
    assert snapshot["type"] == "snapshot" and snapshot["seq"] == after["seq"]
    for text in ("Tapt én", "Tapt to", "Etter"):
        assert snapshot["html"].count(text) == 1
    assert frame["upto"] == after["seq"]
    await wall.disconnect()


# --- An exception inside a consumer handler ---------------------------------


@pytest.mark.django_db(transaction=True)
async def test_an_exception_in_a_console_handler_is_logged_answered_and_survived(
    workshop, facilitator, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("the service fell over")

    monkeypatch.setattr(actions, "console_action", broken)
    cookie = session_cookie(await sync_to_async(logged_in)(facilitator))
    console = communicator(f"/ws/w/{workshop.join_code}/console/", cookie)
    assert (await console.connect())[0]
    with caplog.at_level(logging.ERROR, logger="summa.sockets"):
        await console.send_json_to({"type": "show.start"})
        frame = await receive_until(console, "error")
    assert frame["code"] == "server_error"
    assert "fell over" not in frame["error"] and "Traceback" not in frame["error"]
    [record] = [r for r in caplog.records if r.name == "summa.sockets"]
    assert record.levelno == logging.ERROR and record.exc_info
    await console.send_json_to({"type": "ping"})
    assert (await receive_until(console, "pong"))["type"] == "pong"
    await console.disconnect()
    assert (await Workshop.objects.aget(pk=workshop.pk)).state == Workshop.State.DRAFT


@pytest.mark.django_db(transaction=True)
async def test_an_exception_in_a_phone_handler_is_logged_answered_and_survived(
    workshop, monkeypatch, caplog
):
    phone = await sync_to_async(join)(workshop)

    def broken(*args, **kwargs):
        raise RuntimeError("no timer")

    monkeypatch.setattr(actions, "close_overdue", broken)
    socket = communicator(f"/ws/p/{workshop.join_code}/", session_cookie(phone))
    assert (await socket.connect())[0]
    with caplog.at_level(logging.ERROR, logger="summa.sockets"):
        await socket.send_json_to({"type": "timer.expired"})
        assert (await receive_until(socket, "error"))["code"] == "server_error"
    assert any(r.exc_info for r in caplog.records if r.name == "summa.sockets")
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong"))["type"] == "pong"
    await socket.disconnect()
