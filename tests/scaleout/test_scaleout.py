"""Several server processes on one PostgreSQL and one Redis, and nothing lost when a part fails."""

import pytest
import requests

from tests.scaleout.conftest import (
    Phone,
    Screen,
    cookie_header,
    facilitator_login,
    open_first_round,
    redis_running,
    redis_start,
    redis_stop,
)

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def room(cluster):
    """The demo workshop with its first buzz round open; the facilitator logged in."""
    first = cluster.servers[0]
    facilitator = facilitator_login(first.url)
    open_first_round(first.url, facilitator, cluster.code)
    return facilitator


@pytest.fixture(autouse=True)
def _both_processes_up(cluster):
    cluster.ensure_running()
    yield
    cluster.ensure_running()


def wall(cluster, facilitator) -> Screen:
    return Screen(f"/ws/w/{cluster.code}/wall/", cookie_header(facilitator), strict=True)


def posted(answer: requests.Response) -> int:
    assert answer.status_code in (200, 201), answer.text[:500]
    return answer.json()["note"]["id"]


async def test_it_shows_a_note_posted_to_one_process_on_a_wall_connected_to_the_other(
    cluster, room
):
    one, two = cluster.servers
    screen = wall(cluster, room)
    await screen.connect(one)
    phone = Phone(two.url, cluster.code, "Ada")

    note = posted(phone.post_note(two.url, "Kundene svarer på Facebook"))

    assert await screen.wait_for({note}), "the wall on process 1 never heard of the note"
    await screen.close()


async def test_it_recovers_database_connections_the_server_killed(cluster, room):
    one, two = cluster.servers
    screen = wall(cluster, room)
    await screen.connect(one)
    phone = Phone(one.url, cluster.code, "Bo")
    posted(phone.post_note(one.url, "Før"))
    posted(phone.post_note(two.url, "Før, igjen"))
    await screen.read(0.5)

    assert cluster.terminate_connections() > 0

    for server in (one, two):
        page = phone.http.get(f"{server.url}/p/{cluster.code}/", timeout=10)
        assert page.status_code == 200, server.log_tail()
    after = posted(phone.post_note(two.url, "Etter pg_terminate_backend"))
    # The wall's socket reaches the database through database_sync_to_async.
    assert await screen.wait_for({after}), "the wall missed the note after the connections died"
    await screen.resume()
    assert await screen.read(1), "the wall's socket closed"
    assert not screen.resuming, "the wall's resume got no answer"
    await screen.close()


async def test_a_phone_whose_process_stops_reconnects_to_the_other_and_loses_nothing(cluster, room):
    one, two = cluster.servers
    mine, mate = Phone(two.url, cluster.code, "Cy"), Phone(one.url, cluster.code, "Di")
    screen = Screen(f"/ws/p/{cluster.code}/", mine.cookie_header(), strict=False)
    await screen.connect(two)
    first = posted(mine.post_note(two.url, "Mitt første"))
    assert await screen.wait_for({first})

    two.stop()
    assert not await screen.read(5), "the phone's socket stayed open on a stopped process"

    # While the phone is away its group mate writes on, and its own outbox retries
    # the unsent note on the other process with the same client id.
    missed = {posted(mate.post_note(one.url, f"Mens du var borte {n}")) for n in range(3)}
    client_id = "6f1c1d5e-4b8a-4f0e-9d2a-2a6b8f7e0c11"
    with pytest.raises(requests.ConnectionError):
        mine.post_note(two.url, "Fra utboksen", client_id)
    retried = mine.post_note(one.url, "Fra utboksen", client_id)
    assert retried.status_code == 201
    again = mine.post_note(one.url, "Fra utboksen", client_id)
    assert (again.status_code, again.json()["created"]) == (200, False)

    await screen.connect(one)
    assert await screen.wait_for(missed | {posted(retried)}), (
        f"the phone came back to process 1 without {missed - screen.notes}"
    )
    await screen.close()


async def test_every_acknowledged_note_reaches_the_wall_when_redis_restarts_mid_round(
    cluster, room, redis_restorer
):
    one, two = cluster.servers
    screen = wall(cluster, room)
    await screen.connect(one)
    phones = [Phone(server.url, cluster.code, name) for server, name in ((one, "Eli"), (two, "Fa"))]
    acknowledged: set[int] = set()

    def post(n: int) -> None:
        server = cluster.servers[n % 2]
        acknowledged.add(posted(phones[n % 2].post_note(server.url, f"Notat {n}")))

    for n in range(4):
        post(n)
    assert await screen.wait_for(set(acknowledged))

    redis_stop()
    try:
        # The database takes the notes; their frames cannot go out.
        for n in range(4, 10):
            post(n)
        await screen.read(1)
    finally:
        redis_start()
    assert redis_running()

    # The round goes on. The next frames show the wall a gap (or its socket closed
    # and it comes back), and it fetches the rest from the database by seq.
    for n in range(10, 30):
        post(n)
        if not await screen.read(0.5):
            await screen.connect(cluster.servers[n % 2])
        if acknowledged <= screen.notes:
            break
    assert await screen.wait_for(set(acknowledged), seconds=5), (
        f"never reached the wall: {sorted(acknowledged - screen.notes)}"
    )
    await screen.close()


async def test_a_phone_shows_every_note_of_its_group_when_two_processes_send_at_once(cluster, room):
    """Each process sends the frames of the notes it saved, after they commit: in a burst
    written through both at once, a phone hears them in no particular order."""
    from concurrent.futures import ThreadPoolExecutor

    one, two = cluster.servers
    servers = (one, two, one, two)
    writers = [Phone(s.url, cluster.code, f"Skriver {n}") for n, s in enumerate(servers)]
    reader = Phone(one.url, cluster.code, "Leser")
    screen = Screen(f"/ws/p/{cluster.code}/", reader.cookie_header(), strict=False)
    await screen.connect(one)
    await screen.read(0.5)
    arrived = []
    handle = screen.handle

    async def noting(frame):
        if frame.get("type") == "note.added":
            arrived.append(frame["seq"])
        await handle(frame)

    screen.handle = noting

    def burst(writer, server):
        return {posted(writer.post_note(server.url, f"Lapp {n}")) for n in range(8)}

    with ThreadPoolExecutor(len(writers)) as pool:
        acknowledged = set().union(*pool.map(burst, writers, servers))
    assert await screen.wait_for(acknowledged, seconds=20), (
        f"the phone never showed {acknowledged - screen.notes}"
    )
    assert len(arrived) >= len(acknowledged)
    await screen.close()
