"""A participant's pages, with and without JavaScript."""

import html
import json
import re
import uuid

import pytest
from django.test import Client

from buzzgroups import services
from buzzgroups.models import Note, Participant
from sessions.services import workshop_end

pytestmark = pytest.mark.django_db

# Queries for the phone page or its notes, whatever the number of notes.
QUERY_BUDGET_PHONE_PAGE = 12


@pytest.fixture
def phone(workshop):
    client = Client()
    response = client.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    assert response.status_code == 302
    return client


def prompt_of(buzz_round):
    return buzz_round.prompts.first().pk


def test_the_front_page_takes_a_code_in_any_case_with_spaces(client, workshop):
    typed = workshop.join_code.lower()[:3] + " " + workshop.join_code.lower()[3:]
    response = client.post("/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/j/{workshop.join_code}/"


def test_unknown_and_ended_codes_get_one_and_the_same_page(client, workshop):
    unknown = client.get("/j/ZZZZZZ/")
    workshop_end(workshop=workshop)
    ended = client.get(f"/j/{workshop.join_code}/")
    assert unknown.status_code == ended.status_code == 404
    assert without_tokens(unknown) == without_tokens(ended)


def without_tokens(response) -> str:
    return re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "TOKEN", response.content.decode()
    )


def test_joining_rotates_the_session_key_and_lands_in_a_group(client, workshop):
    client.get(f"/j/{workshop.join_code}/")
    before = client.session.session_key
    response = client.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    assert response["Location"] == f"/p/{workshop.join_code}/"
    assert client.session.session_key != before
    participant = Participant.objects.get()
    assert participant.group is not None and participant.nickname == "Ada"


def test_the_phone_shows_its_group_and_how_many_are_in_it(phone, workshop):
    participant = Participant.objects.get()
    page = phone.get(f"/p/{workshop.join_code}/").content.decode()
    assert participant.group.name in page
    assert 'id="my-group"' in page


def test_a_table_card_link_puts_the_phone_in_that_group(client, workshop):
    client.post(f"/j/{workshop.join_code}/3/", {})
    assert Participant.objects.get().group.number == 3


def test_without_javascript_a_note_is_a_plain_form_post(phone, workshop, open_first_round):
    response = phone.post(
        f"/p/{workshop.join_code}/notes/new/",
        {
            "text": "Rekruttering",
            "prompt": prompt_of(open_first_round),
            "client_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert Note.objects.get().text == "Rekruttering"


def test_the_phone_script_gets_json_and_a_retry_gives_the_same_note(
    phone, workshop, open_first_round
):
    data = {
        "text": "Kundekontakt",
        "prompt": prompt_of(open_first_round),
        "client_id": str(uuid.uuid4()),
    }
    first = phone.post(f"/p/{workshop.join_code}/notes/new/", data, HTTP_ACCEPT="application/json")
    again = phone.post(f"/p/{workshop.join_code}/notes/new/", data, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["note"]["id"] == again.json()["note"]["id"]
    assert Note.objects.count() == 1


def test_an_empty_note_gets_a_message_in_the_form_and_the_text_is_kept(
    phone, workshop, open_first_round
):
    response = phone.post(
        f"/p/{workshop.join_code}/notes/new/",
        {"text": "   ", "prompt": prompt_of(open_first_round), "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert 'id="note-error"' in response.content.decode()
    assert Note.objects.count() == 0


def test_an_oversize_note_is_refused_with_the_reason_and_the_draft_kept(
    phone, workshop, open_first_round
):
    text = "æ" * 501
    response = phone.post(
        f"/p/{workshop.join_code}/notes/new/",
        {"text": text, "prompt": prompt_of(open_first_round), "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    # The reason names the limit and this note's length (the form's "0/500" counter does not).
    assert "501" in page.split('id="note-error"')[1].split("</p>")[0]
    assert text in page


def test_too_many_notes_a_minute_answers_429(phone, workshop, open_first_round, settings):
    settings.SUMMA_NOTES_PER_MINUTE = 1
    url = f"/p/{workshop.join_code}/notes/new/"
    base = {"prompt": prompt_of(open_first_round)}
    phone.post(url, {**base, "text": "en", "client_id": str(uuid.uuid4())})
    response = phone.post(
        url, {**base, "text": "to", "client_id": str(uuid.uuid4())}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 429
    assert Note.objects.count() == 1


def test_a_phone_of_one_workshop_does_not_reach_another(phone, workshop, facilitator, demo_program):
    from sessions.services import round_open, workshop_create

    other = workshop_create(owner=facilitator, program=demo_program)
    round_open(buzz_round=other.items.get(number=1).buzz_rounds.get(), minutes=5)
    assert phone.get(f"/p/{other.join_code}/").status_code == 302  # asked to join there first
    response = phone.post(
        f"/p/{other.join_code}/notes/new/",
        {"text": "Feil rom", "prompt": "1", "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    assert Note.objects.count() == 0


def test_a_participant_edits_and_deletes_only_their_own_note(phone, workshop, open_first_round):
    other = Client()
    other.post(f"/j/{workshop.join_code}/", {})
    url = f"/p/{workshop.join_code}/notes/new/"
    phone.post(
        url, {"text": "Mitt", "prompt": prompt_of(open_first_round), "client_id": str(uuid.uuid4())}
    )
    note = Note.objects.get()
    assert (
        other.post(f"/p/{workshop.join_code}/notes/{note.pk}/edit/", {"text": "Kapret"}).status_code
        == 404
    )
    assert other.post(f"/p/{workshop.join_code}/notes/{note.pk}/delete/").status_code == 404
    assert (
        phone.post(f"/p/{workshop.join_code}/notes/{note.pk}/edit/", {"text": "Endret"}).status_code
        == 302
    )
    note.refresh_from_db()
    assert note.text == "Endret"
    assert phone.post(f"/p/{workshop.join_code}/notes/{note.pk}/delete/").status_code == 302
    assert Note.objects.count() == 0


def test_the_note_form_shows_the_prompts_and_the_programs_topics(phone, workshop, open_first_round):
    page = phone.get(f"/p/{workshop.join_code}/").content.decode()
    for prompt in open_first_round.prompts.all():
        assert prompt.title in page
    for topic in ("Rekruttering", "Samfunnskommunikasjon", "Læring", "Kundekontakt"):
        assert topic in page


def test_many_wrong_codes_from_one_address_are_slowed(client, settings, workshop):
    settings.SUMMA_JOIN_ATTEMPTS_PER_MINUTE = 5
    from django.core.cache import cache

    cache.clear()
    for n in range(5):
        assert client.post("/", {"code": f"WRONG{n}"}).status_code == 404
    assert client.post("/", {"code": workshop.join_code}).status_code == 429
    cache.clear()


def test_the_join_page_still_works_when_the_cache_is_away(client, workshop, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    from django.core.cache import cache

    for method in ("get", "add", "incr", "set"):
        monkeypatch.setattr(cache, method, away)
    assert client.post("/", {"code": "NOPE42"}).status_code == 404
    response = client.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    assert response.status_code == 302


# --- The room's real sequence ------------------------------------------------


def phone_token(page: str) -> str:
    """The page's one CSRF token, where phone.js reads it: the body's data-hx-headers."""
    return json.loads(html.unescape(re.search(r"data-hx-headers='([^']+)'", page).group(1)))[
        "X-CSRFToken"
    ]


def strict_phone(workshop) -> Client:
    """A phone that joined as a browser does: with the join page's CSRF token."""
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(f"/j/{workshop.join_code}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = phone.post(
        f"/j/{workshop.join_code}/", {"nickname": "Ada", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    return phone


def post_json(client, workshop, buzz_round, text, token, client_id=None):
    return client.post(
        f"/p/{workshop.join_code}/notes/new/",
        {"text": text, "prompt": prompt_of(buzz_round), "client_id": client_id or uuid.uuid4()},
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )


def test_a_phone_open_before_the_round_sends_one_note_after_another(workshop, first_round):
    """The order of a room: the page is loaded while waiting, then the round opens."""
    from sessions.services import round_open

    phone = strict_phone(workshop)
    page = phone.get(f"/p/{workshop.join_code}/").content.decode()
    token = phone_token(page)
    round_open(buzz_round=first_round, minutes=10)
    for number in range(1, 4):
        assert post_json(phone, workshop, first_round, f"Lapp {number}", token).status_code == 201
    assert Note.objects.count() == 3


def test_a_stale_token_is_refused_with_a_reason_and_a_fresh_token(workshop, open_first_round):
    phone = strict_phone(workshop)
    client_id = uuid.uuid4()
    refused = post_json(phone, workshop, open_first_round, "Lapp", "x" * 64, client_id)
    assert refused.status_code == 403
    answer = refused.json()
    assert answer["ok"] is False and "Last den inn på nytt" in answer["error"]
    # phone.js sends once more with the token it was given: the same note, once.
    again = post_json(phone, workshop, open_first_round, "Lapp", answer["csrf_token"], client_id)
    assert again.status_code == 201
    assert Note.objects.filter(client_id=client_id).count() == 1


def test_a_stale_token_on_a_plain_form_gets_a_page_that_says_what_to_do(workshop, first_round):
    phone = Client(enforce_csrf_checks=True)
    response = phone.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Last den inn på nytt" in page and 'class="message message--error"' in page


def test_no_pushed_card_carries_an_empty_token_field(workshop, phones, open_first_round):
    from django.template.loader import render_to_string

    note = services.note_create(
        author=phones[0], text="Hei", prompt_id=prompt_of(open_first_round), client_id=uuid.uuid4()
    )[0]
    card = render_to_string("buzzgroups/_phone_note.html", {"note": note, "workshop": workshop})
    form = render_to_string(
        "buzzgroups/_note_form.html",
        {"workshop": workshop, "round": open_first_round, "prompts": [], "topics": []},
    )
    assert "csrfmiddlewaretoken" not in card + form


@pytest.mark.parametrize("count", [1, 10, 40])
def test_the_phone_page_and_its_notes_cost_the_same_queries_for_any_number_of_notes(
    phone, workshop, open_first_round, count, django_assert_max_num_queries, settings
):
    settings.SUMMA_NOTES_PER_MINUTE = 100
    author = Participant.objects.get(nickname="Ada")
    for number in range(count):
        services.note_create(
            author=author,
            text=f"Lapp {number}",
            prompt_id=prompt_of(open_first_round),
            client_id=uuid.uuid4(),
        )
    with django_assert_max_num_queries(QUERY_BUDGET_PHONE_PAGE):
        page = phone.get(f"/p/{workshop.join_code}/")
    assert page.content.decode().count('class="note ') == count
    with django_assert_max_num_queries(QUERY_BUDGET_PHONE_PAGE):
        phone.get(f"/p/{workshop.join_code}/notes/")


def test_a_hidden_note_stays_on_its_authors_phone_and_says_why(phone, workshop, open_first_round):
    author = Participant.objects.get(nickname="Ada")
    mate = Client()
    mate.post(f"/j/{workshop.join_code}/", {"nickname": "Bo"})
    services.participant_move(
        participant=Participant.objects.get(nickname="Bo"), group=author.group
    )
    mine = services.note_create(
        author=author,
        text="Min lapp",
        prompt_id=prompt_of(open_first_round),
        client_id=uuid.uuid4(),
    )[0]
    services.note_hide(note=mine)
    page = phone.get(f"/p/{workshop.join_code}/").content.decode()
    assert "Min lapp" in page and "Skjult av fasilitatoren" in page
    assert "Min lapp" not in mate.get(f"/p/{workshop.join_code}/").content.decode()
