"""Access boundaries: the same 404 for "absent" and "not yours", and nothing changes.

The facilitator URLs are read from the URL configuration, so a new one is tried
as soon as it exists; a new URL outside /w/ fails here until it is put on the
allow-list of public participant URLs below.
"""

import html
import json
import math
import re
import uuid
from urllib.parse import quote

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from buzzgroups.models import Note
from buzzgroups.themes import theme_create
from buzzgroups.voting import vote_open
from sessions.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, Membership, Workshop
from sessions.services import (
    membership_add,
    membership_remove,
    round_open,
    show_next,
    show_start,
    workshop_create,
)
from tests.hardening.conftest import (
    communicator,
    fingerprint,
    join,
    logged_in,
    post_note,
    receive,
    receive_until,
    session_cookie,
)

User = get_user_model()


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


ROUTES = sorted(set(url_patterns()))
# Django's own pages: the admin (staff only), login and password pages, translations.
DJANGO_OWN = ("admin/", "accounts/", "i18n/", "jsi18n/")
# Pages a participant (or anybody) may open; each checks its own session.
PUBLIC_PARTICIPANT_URLS = {
    "",
    "j/<str:code>/",
    "j/<str:code>/<id:number>/",
    "p/<str:code>/",
    "p/<str:code>/notes/",
    "p/<str:code>/notes/new/",
    "p/<str:code>/notes/<id:note_id>/edit/",
    "p/<str:code>/notes/<id:note_id>/delete/",
    "p/<str:code>/vote/",
    "p/<str:code>/votes/<id:vote_id>/dots/",
}
# The facilitator's own lists: a login page for anybody else, nothing of anyone's.
FACILITATOR_HOME = {"w/", "w/new/"}
FACILITATOR_ROUTES = [r for r in ROUTES if r.startswith("w/") and r not in FACILITATOR_HOME]


def test_every_url_is_a_facilitator_url_or_on_the_allow_list():
    unclassified = [
        route
        for route in ROUTES
        if not route.startswith("w/")
        and route not in PUBLIC_PARTICIPANT_URLS
        and not route.startswith(DJANGO_OWN)
    ]
    assert unclassified == [], "classify these URLs in tests/hardening/test_access.py"
    assert "w/<str:code>/" in FACILITATOR_ROUTES
    assert all("<str:code>" in route for route in FACILITATOR_ROUTES)


@pytest.fixture
def room(workshop, first_round, facilitator, cofacilitator, moderator):
    """Kari's workshop, mid-round, with a phone, a note and its group;
    Siri co-facilitates and Mona moderates."""
    membership_add(workshop=workshop, username="siri", role=Membership.Role.COFACILITATOR)
    mona = membership_add(workshop=workshop, username="mona", role=Membership.Role.MODERATOR)
    show_start(workshop=workshop)
    round_open(buzz_round=first_round, minutes=10)
    phone = join(workshop, nickname="Ada")
    prompt = first_round.prompts.first()
    post_note(phone, workshop, "Min lapp", prompt)
    note = Note.objects.get()
    vote = vote_open(workshop=workshop, item=workshop.items.get(number=2))
    theme = theme_create(buzz_round=first_round, title="Kundedialog", notes=[note])
    return {
        "workshop": workshop,
        "phone": phone,
        "note": note,
        "values": {
            "code": workshop.join_code,
            "number": 1,
            "round_id": first_round.pk,
            "group_id": note.group_id,
            "participant_id": note.author_id,
            "note_id": note.pk,
            "vote_id": vote.pk,
            "theme_id": theme.pk,
            "fmt": "csv",
            "membership_id": mona.pk,
        },
    }


def concrete(route: str, values: dict) -> str:
    def value(match):
        return str(values.get(match.group(2), 1))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


ACTORS = ["participant", "other facilitator", "nobody"]

# What each facilitator URL needs; a new URL fails the test below until it is named here.
VIEW, MODERATE, RUN, MANAGE = "view", "moderate", "run", "manage"
ROUTE_NEEDS = {
    "w/<str:code>/": VIEW,
    "w/<str:code>/wall/": VIEW,
    "w/<str:code>/notes/<id:note_id>/hide/": MODERATE,
    "w/<str:code>/notes/<id:note_id>/highlight/": MODERATE,
    "w/<str:code>/notes/<id:note_id>/approve/": MODERATE,
    "w/<str:code>/people/": MANAGE,
    "w/<str:code>/people/add/": MANAGE,
    "w/<str:code>/people/<id:membership_id>/remove/": MANAGE,
    "w/<str:code>/delete/": MANAGE,
}
ROLE_POWERS = {
    "owner": {VIEW, MODERATE, RUN, MANAGE},
    "co-facilitator": {VIEW, MODERATE, RUN},
    "moderator": {VIEW, MODERATE},
}


def need_of(route: str) -> str:
    return ROUTE_NEEDS.get(route, RUN)


def client_for(actor: str, room, other_facilitator) -> Client:
    if actor == "participant":
        return room["phone"]
    if actor == "other facilitator":
        return logged_in(other_facilitator)
    if actor == "co-facilitator":
        return logged_in(User.objects.get(username="siri"))
    if actor == "moderator":
        return logged_in(User.objects.get(username="mona"))
    if actor == "owner":
        return logged_in(room["workshop"].owner)
    return Client()


def test_every_route_named_in_the_needs_exists():
    assert set(ROUTE_NEEDS) <= set(FACILITATOR_ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", FACILITATOR_ROUTES)
def test_a_facilitator_url_is_404_for_another_facilitator_and_changes_nothing(
    room, other_facilitator, route
):
    url = concrete(route, room["values"])
    before = fingerprint(room["workshop"])
    absent = concrete(route, dict(room["values"], code="ZZZZZZ"))
    client = client_for("other facilitator", room, other_facilitator)
    assert_not_yours_is_absent(client, url, absent, "other facilitator")
    assert fingerprint(room["workshop"]) == before


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["participant", "nobody"])
@pytest.mark.parametrize("route", FACILITATOR_ROUTES)
def test_a_facilitator_url_sends_anyone_not_logged_in_to_the_login_and_changes_nothing(
    room, other_facilitator, route, actor
):
    """The projector's PC with no (or an expired) login: to the login, then on to the page.
    Whether the workshop exists or not, the answer is the same redirect."""
    url = concrete(route, room["values"])
    absent = concrete(route, dict(room["values"], code="ZZZZZZ"))
    before = fingerprint(room["workshop"])
    client = client_for(actor, room, other_facilitator)
    for where in (url, absent):
        for response in (client.get(where), client.post(where, {"minutes": "5"})):
            assert response.status_code == 302, f"{where} as {actor}"
            assert response["Location"] == f"/accounts/login/?next={quote(where)}"
    assert fingerprint(room["workshop"]) == before


@pytest.mark.django_db
def test_after_logging_in_the_facilitator_lands_on_the_wall_they_asked_for(room, client):
    wall = f"/w/{room['workshop'].join_code}/wall/"
    to_login = client.get(wall)
    assert to_login.status_code == 302
    login = client.get(to_login["Location"])
    assert f'name="next" value="{wall}"' in login.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "kari", "password": "kari-secret-123", "next": wall}
    )
    assert response.status_code == 302
    assert response["Location"] == wall
    assert client.get(wall).status_code == 200


def assert_not_yours_is_absent(client, url, absent, actor):
    statuses = set()
    for method in ("get", "post"):
        data = {"minutes": "5", "name": "x", "count": "2"}
        response = getattr(client, method)(url, data)
        not_there = getattr(client, method)(absent, data)
        # The same answer as for a workshop that does not exist: 404, or 405 for
        # the wrong method (which says nothing about the workshop).
        assert response.status_code == not_there.status_code, f"{method.upper()} {url} as {actor}"
        assert response.content == not_there.content
        statuses.add(response.status_code)
    assert statuses <= {404, 405}
    assert 404 in statuses


@pytest.mark.django_db
@pytest.mark.parametrize("route", FACILITATOR_ROUTES)
def test_the_owner_reaches_every_facilitator_url(room, facilitator, route):
    """The control: a 404 above means "not yours", not "broken"."""
    url = concrete(route, room["values"])
    owner = logged_in(facilitator)
    statuses = {owner.get(url).status_code, owner.post(url, {"minutes": "5"}).status_code}
    assert statuses - {404}, url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["co-facilitator", "moderator"])
@pytest.mark.parametrize("route", FACILITATOR_ROUTES)
def test_a_helper_reaches_what_their_role_allows_and_nothing_else(
    room, other_facilitator, route, role
):
    url = concrete(route, room["values"])
    client = client_for(role, room, other_facilitator)
    if need_of(route) in ROLE_POWERS[role]:
        statuses = {client.get(url).status_code, client.post(url, {"minutes": "5"}).status_code}
        assert statuses - {404}, f"{url} as {role}"
        return
    before = fingerprint(room["workshop"])
    absent = concrete(route, dict(room["values"], code="ZZZZZZ"))
    assert_not_yours_is_absent(client, url, absent, role)
    assert fingerprint(room["workshop"]) == before


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["participant", "nobody"])
@pytest.mark.parametrize("route", sorted(FACILITATOR_HOME))
def test_the_facilitators_own_pages_ask_a_stranger_to_log_in(room, other_facilitator, route, actor):
    client = client_for(actor, room, other_facilitator)
    before = fingerprint(room["workshop"])
    for method in ("get", "post"):
        response = getattr(client, method)("/" + route)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert fingerprint(room["workshop"]) == before


@pytest.mark.django_db
def test_another_facilitator_sees_none_of_the_workshop_in_their_own_list(room, other_facilitator):
    page = logged_in(other_facilitator).get("/w/").content.decode()
    assert room["workshop"].join_code not in page
    assert room["workshop"].title not in page


# --- Sockets ------------------------------------------------------------------

CONSOLE_ACTIONS = [
    {"type": "show.start"},
    {"type": "show.next"},
    {"type": "show.back"},
    {"type": "show.goto", "number": 2},
    {"type": "round.open", "round": 0, "minutes": 5},
    {"type": "round.extend", "round": 0, "minutes": 5},
    {"type": "round.close", "round": 0},
    {"type": "note.hide", "note": 0, "hidden": True},
    {"type": "note.highlight", "note": 0, "highlighted": True},
    {"type": "note.approve", "note": 0},
    {"type": "wall.layout", "layout": "prompts"},
    {"type": "wall.reveal", "count": 0},
    {"type": "workshop.end"},
]


def with_ids(action: dict, room) -> dict:
    ids = {"round": room["values"]["round_id"], "note": room["values"]["note_id"]}
    return {key: ids.get(key, value) if value == 0 else value for key, value in action.items()}


@pytest.mark.django_db(transaction=True)
async def test_every_console_action_from_a_phone_socket_is_refused(room):
    phone_cookie = session_cookie(room["phone"])
    before = await sync_to_async(fingerprint)(room["workshop"])
    comm = communicator(f"/ws/p/{room['workshop'].join_code}/", phone_cookie)
    assert (await comm.connect())[0]
    for action in CONSOLE_ACTIONS:
        await comm.send_json_to(with_ids(action, room))
        frame = await receive_until(comm, "error")
        assert frame["code"] == "forbidden", action
    await comm.disconnect()
    after = await sync_to_async(fingerprint)(room["workshop"])
    assert after == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("screen", ["console", "wall"])
async def test_console_and_wall_sockets_are_refused_to_anyone_but_the_owner(
    room, other_facilitator, screen, actor
):
    client = await sync_to_async(client_for)(actor, room, other_facilitator)
    cookie = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    comm = communicator(f"/ws/w/{room['workshop'].join_code}/{screen}/", cookie)
    connected, code = await comm.connect()
    assert not connected
    assert code == 4404


ACTION_NEEDS = {"note.hide": MODERATE, "note.highlight": MODERATE, "note.approve": MODERATE}


async def console_of(actor: str, room, other_facilitator):
    client = await sync_to_async(client_for)(actor, room, other_facilitator)
    comm = communicator(f"/ws/w/{room['workshop'].join_code}/console/", session_cookie(client))
    assert (await comm.connect())[0]
    return comm


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["owner", "co-facilitator", "moderator"])
async def test_every_console_action_is_checked_against_the_role(
    room, other_facilitator, role, settings
):
    settings.SUMMA_SOCKET_BURST = 1000  # one socket sends every action; the rate is not the point
    comm = await console_of(role, room, other_facilitator)
    for action in CONSOLE_ACTIONS:
        need = ACTION_NEEDS.get(action["type"], RUN)
        before = await sync_to_async(fingerprint)(room["workshop"])
        await comm.send_json_to(with_ids(action, room))
        while (frame := await receive(comm))["type"] not in ("done", "error"):
            pass
        if need in ROLE_POWERS[role]:
            # Carried out, or refused for what the show allows now (the last item, ...).
            assert frame["type"] == "done" or frame["code"] == "refused", (role, action, frame)
        else:
            assert frame["type"] == "error" and frame["code"] == "forbidden", (role, action)
            assert await sync_to_async(fingerprint)(room["workshop"]) == before, action
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", ["console", "wall"])
@pytest.mark.parametrize("role", ["co-facilitator", "moderator"])
async def test_helpers_open_the_console_and_the_wall(room, other_facilitator, role, screen):
    client = await sync_to_async(client_for)(role, room, other_facilitator)
    comm = communicator(f"/ws/w/{room['workshop'].join_code}/{screen}/", session_cookie(client))
    assert (await comm.connect())[0]
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_removing_a_co_facilitator_ends_their_open_consoles_powers_at_once(
    room, other_facilitator
):
    comm = await console_of("co-facilitator", room, other_facilitator)
    await comm.send_json_to({"type": "show.next"})
    assert (await receive_until(comm, "done"))["action"] == "show.next"
    siri = await Membership.objects.aget(user__username="siri")
    await sync_to_async(membership_remove)(membership=siri)
    hint = await receive_until(comm, "access.changed")
    assert hint["data"] == {"removed_user": siri.user_id}
    # Then the server closes her console, whatever her page does with the hint.
    assert await comm.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}


@pytest.mark.django_db(transaction=True)
async def test_a_removed_helpers_wall_hears_nothing_more_and_the_owners_screens_go_on(
    room, other_facilitator
):
    code = room["workshop"].join_code
    siri_client = await sync_to_async(client_for)("co-facilitator", room, other_facilitator)
    owner_client = await sync_to_async(client_for)("owner", room, other_facilitator)
    siri_wall = communicator(f"/ws/w/{code}/wall/", session_cookie(siri_client))
    owner_wall = communicator(f"/ws/w/{code}/wall/", session_cookie(owner_client))
    owner_console = communicator(f"/ws/w/{code}/console/", session_cookie(owner_client))
    for comm in (siri_wall, owner_wall, owner_console):
        assert (await comm.connect())[0]
    siri = await Membership.objects.aget(user__username="siri")
    await sync_to_async(membership_remove)(membership=siri)
    await receive_until(siri_wall, "access.changed")
    assert await siri_wall.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}
    # The owner's wall and console heard the hint and stay open: a show change still comes.
    for comm in (owner_wall, owner_console):
        await receive_until(comm, "access.changed")
    await sync_to_async(show_next)(workshop=room["workshop"])
    for comm in (owner_wall, owner_console):
        assert (await receive_until(comm, "show.changed"))["seq"]
        await comm.disconnect()
    # Her screens cannot open again either.
    again = communicator(f"/ws/w/{code}/wall/", session_cookie(siri_client))
    assert await again.connect() == (False, 4404)


@pytest.mark.django_db(transaction=True)
async def test_the_owner_socket_is_accepted(room, facilitator):
    """The control for the refusals above."""
    cookie = session_cookie(await sync_to_async(logged_in)(facilitator))
    comm = communicator(f"/ws/w/{room['workshop'].join_code}/console/", cookie)
    assert (await comm.connect())[0]
    await comm.disconnect()


# --- Swapped ids ------------------------------------------------------------


@pytest.fixture
def other_room(other_facilitator, demo_program):
    """Ola's workshop, with a phone and a note of its own."""
    workshop = workshop_create(owner=other_facilitator, program=demo_program)
    show_start(workshop=workshop)
    buzz_round = workshop.items.get(number=1).buzz_rounds.get()
    round_open(buzz_round=buzz_round, minutes=10)
    phone = join(workshop, nickname="Ola")
    post_note(phone, workshop, "Olas lapp", buzz_round.prompts.first())
    note = Note.objects.get(workshop=workshop)
    return {"workshop": workshop, "phone": phone, "note": note, "round": buzz_round}


@pytest.mark.django_db
def test_the_owner_cannot_reach_another_workshops_objects_through_their_own_code(
    room, other_room, facilitator
):
    owner = logged_in(facilitator)
    code = room["workshop"].join_code
    theirs = other_room["note"]
    before = fingerprint(room["workshop"])
    for url, data in (
        (f"/w/{code}/notes/{theirs.pk}/hide/", {}),
        (f"/w/{code}/notes/{theirs.pk}/highlight/", {}),
        (f"/w/{code}/groups/{theirs.group_id}/rename/", {"name": "Kapret"}),
        (f"/w/{code}/participants/{theirs.author_id}/move/", {"group": room["note"].group_id}),
        (f"/w/{code}/participants/{room['note'].author_id}/move/", {"group": theirs.group_id}),
        (f"/w/{code}/rounds/{other_room['round'].pk}/close/", {}),
        (f"/w/{code}/rounds/{other_room['round'].pk}/extend/", {"minutes": "5"}),
    ):
        assert owner.post(url, data).status_code == 404, url
    assert fingerprint(room["workshop"]) == before


@pytest.mark.django_db
def test_a_phone_cannot_touch_another_phones_note_or_another_workshop(room, other_room):
    workshop = room["workshop"]
    code = workshop.join_code
    bo = join(workshop, nickname="Bo")
    ada_note = room["note"]
    their_note = other_room["note"]
    before = fingerprint(workshop)
    for note in (ada_note, their_note):
        assert bo.get(f"/p/{code}/notes/{note.pk}/edit/").status_code == 404
        assert bo.post(f"/p/{code}/notes/{note.pk}/edit/", {"text": "x"}).status_code == 404
        assert bo.post(f"/p/{code}/notes/{note.pk}/delete/").status_code == 404
    # Ada's own session, another workshop's code: not a participant there.
    other_code = other_room["workshop"].join_code
    assert room["phone"].post(f"/p/{other_code}/notes/{their_note.pk}/delete/").status_code == 404
    response = post_note(room["phone"], other_room["workshop"], "Inntrenger", room["note"].prompt)
    assert response.status_code == 404
    # A prompt of another workshop's round, posted in one's own.
    other_prompt = other_room["round"].prompts.first()
    assert post_note(room["phone"], workshop, "Feil runde", other_prompt).status_code == 400
    assert fingerprint(workshop) == before


@pytest.mark.django_db(transaction=True)
async def test_socket_paths_and_socket_ids_of_another_workshop_are_refused(
    room, other_room, facilitator
):
    before = await sync_to_async(fingerprint)(room["workshop"])
    # A phone of Kari's workshop at the socket of Ola's.
    comm = communicator(f"/ws/p/{other_room['workshop'].join_code}/", session_cookie(room["phone"]))
    assert not (await comm.connect())[0]
    # Kari's console acting on Ola's note and round.
    cookie = session_cookie(await sync_to_async(logged_in)(facilitator))
    comm = communicator(f"/ws/w/{room['workshop'].join_code}/console/", cookie)
    assert (await comm.connect())[0]
    for action in (
        {"type": "note.hide", "note": other_room["note"].pk, "hidden": True},
        {"type": "note.highlight", "note": other_room["note"].pk, "highlighted": True},
        {"type": "round.close", "round": other_room["round"].pk},
        {"type": "round.extend", "round": other_room["round"].pk, "minutes": 5},
    ):
        await comm.send_json_to(action)
        assert (await receive_until(comm, "error"))["code"] == "not_found"
    await comm.disconnect()
    assert await sync_to_async(fingerprint)(room["workshop"]) == before
    note = await Note.objects.aget(pk=other_room["note"].pk)
    assert not note.hidden and not note.highlighted


# --- Join codes ---------------------------------------------------------------


@pytest.fixture
def few_attempts(settings):
    settings.SUMMA_JOIN_ATTEMPTS_PER_MINUTE = 5
    cache.clear()
    yield 5
    cache.clear()


@pytest.mark.django_db
def test_guessing_join_codes_is_slowed_down_after_a_few_wrong_ones(workshop, few_attempts):
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for attempt in range(few_attempts):
        assert guesser.post("/", {"code": f"WRONG{attempt}"}).status_code == 404
    # Now even the right code waits, on the front page and the join link.
    assert guesser.post("/", {"code": workshop.join_code}).status_code == 429
    assert guesser.get(f"/j/{workshop.join_code}/").status_code == 429
    assert guesser.get("/j/AAAAAA/").status_code == 429
    # Somebody else in the room is not slowed down.
    neighbour = Client(REMOTE_ADDR="203.0.113.10")
    assert neighbour.post("/", {"code": workshop.join_code}).status_code == 302


@pytest.mark.django_db
def test_wrong_join_links_count_as_guesses_too(workshop, few_attempts):
    guesser = Client(REMOTE_ADDR="203.0.113.11")
    for attempt in range(few_attempts):
        assert guesser.get(f"/j/WRONG{attempt}/").status_code == 404
    assert guesser.get(f"/j/{workshop.join_code}/").status_code == 429


def test_join_codes_are_too_many_to_guess_in_a_workshops_lifetime(settings):
    """docs/security.md has the arithmetic."""
    codes = len(JOIN_CODE_ALPHABET) ** JOIN_CODE_LENGTH
    assert len(set(JOIN_CODE_ALPHABET)) == len(JOIN_CODE_ALPHABET) == 31
    assert codes == 887_503_681
    guesses_a_day = settings.SUMMA_JOIN_ATTEMPTS_PER_MINUTE * 60 * 24
    live_workshops = 100
    chance = 1 - math.comb(codes - live_workshops, guesses_a_day) / math.comb(codes, guesses_a_day)
    assert chance < 0.01
    assert guesses_a_day * live_workshops / codes < 0.01


@pytest.mark.django_db
def test_join_codes_are_drawn_at_random_from_the_whole_alphabet(facilitator, demo_program):
    codes = {workshop_create(owner=facilitator, program=demo_program).join_code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) == JOIN_CODE_LENGTH for code in codes)
    assert set("".join(codes)) <= set(JOIN_CODE_ALPHABET)


# --- Origins, CSRF and logging out ------------------------------------------


@pytest.mark.django_db
def test_posts_without_a_csrf_token_are_refused(room, facilitator):
    workshop = room["workshop"]
    code = workshop.join_code
    before = fingerprint(workshop)
    stranger = Client(enforce_csrf_checks=True)
    assert stranger.post(f"/j/{code}/", {"nickname": "Uten token"}).status_code == 403
    assert stranger.post("/accounts/login/", {"username": "kari"}).status_code == 403
    phone = Client(enforce_csrf_checks=True)
    phone.cookies = room["phone"].cookies
    assert post_note(phone, workshop, "Uten token", room["note"].prompt).status_code == 403
    note = room["note"].pk
    assert phone.post(f"/p/{code}/notes/{note}/delete/").status_code == 403
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(facilitator)
    for route in FACILITATOR_ROUTES + sorted(FACILITATOR_HOME):
        url = concrete(route, room["values"])
        assert owner.post(url, {"minutes": "5"}).status_code in (403, 405), url
    assert fingerprint(workshop) == before


@pytest.mark.django_db
def test_a_post_with_the_csrf_token_goes_through(room):
    """The control: the refusals above are about the token."""
    phone = Client(enforce_csrf_checks=True)
    phone.cookies = room["phone"].cookies
    page = phone.get(f"/p/{room['workshop'].join_code}/").content.decode()
    # Where phone.js takes it: the page's one token, in the body's data-hx-headers.
    token = json.loads(html.unescape(re.search(r"data-hx-headers='([^']+)'", page).group(1)))[
        "X-CSRFToken"
    ]
    response = phone.post(
        f"/p/{room['workshop'].join_code}/notes/new/",
        {"text": "Med token", "prompt": room["note"].prompt_id, "client_id": str(uuid.uuid4())},
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
async def test_logging_out_in_another_tab_ends_the_consoles_powers(room, facilitator):
    tab = await sync_to_async(logged_in)(facilitator)
    before = await sync_to_async(fingerprint)(room["workshop"])
    comm = communicator(f"/ws/w/{room['workshop'].join_code}/console/", session_cookie(tab))
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "ping"})
    await receive_until(comm, "pong")
    response = await sync_to_async(tab.post)("/accounts/logout/")
    assert response.status_code == 302
    await comm.send_json_to({"type": "workshop.end"})
    frame = await receive_until(comm, "error")
    assert frame["code"] == "logged_out"
    closed = await comm.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}
    assert await sync_to_async(fingerprint)(room["workshop"]) == before
    assert (await Workshop.objects.aget(pk=room["workshop"].pk)).state == Workshop.State.RUNNING


# --- Cookies, tokens, session keys ------------------------------------------


@pytest.mark.django_db
def test_the_participant_session_cookie_is_httponly_and_samesite(workshop):
    phone = Client()
    page = phone.get(f"/j/{workshop.join_code}/")
    assert page.cookies["csrftoken"]["samesite"] == "Lax"
    response = phone.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_no_token_is_in_a_url_or_a_socket_address(room, facilitator):
    code = room["workshop"].join_code
    key = session_cookie(room["phone"])
    join_answer = Client().post(f"/j/{code}/", {"nickname": "Bo"})
    assert join_answer["Location"] == f"/p/{code}/"
    pages = [
        room["phone"].get(f"/p/{code}/").content.decode(),
        logged_in(facilitator).get(f"/w/{code}/").content.decode(),
        logged_in(facilitator).get(f"/w/{code}/wall/").content.decode(),
    ]
    for page in pages:
        sockets = re.findall(r'data-ws-connect="([^"]*)"', page)
        assert sockets, "every live page opens a socket"
        # The query names the page's language, nothing else: no session, no token.
        assert all(re.fullmatch(r"/ws/[\w/]+/(\?lang=(nb|en))?", a) for a in sockets), sockets
        assert key not in page
    token_routes = [r for r in ROUTES if "token" in r or "key" in r]
    # Django's password reset link (single use, expires) is the one exception.
    assert token_routes == ["accounts/reset/<uidb64>/<token>/"]


@pytest.mark.django_db
def test_the_session_key_is_rotated_on_join(workshop):
    phone = Client()
    session = phone.session
    session["language_seen"] = True
    session.save()
    phone.cookies["sessionid"] = session.session_key
    old_key = session.session_key
    join(workshop, client=phone)
    new_key = session_cookie(phone)
    assert new_key != old_key
    # The old key is no way in: whoever holds it is not the participant.
    fixated = Client()
    fixated.cookies["sessionid"] = old_key
    assert fixated.get(f"/p/{workshop.join_code}/").status_code == 302
