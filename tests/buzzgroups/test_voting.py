"""Dot-voting: every limit on the server, a hundred phones at once, the pages, the wall's frame."""

import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import connection, connections
from django.db.models import Count
from django.test import Client
from django.utils import translation

from buzzgroups import services, voting
from buzzgroups.models import Dot, DotVote, Participant
from sessions.services import show_goto
from tests.sockets import connect, facilitator_cookie, frames, phone_cookie


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages are checked in English, the source language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def workshop(workshop):
    """The demo workshop, run in English (its screens speak the workshop's language)."""
    workshop.language = "en"
    workshop.save(update_fields=["language"])
    return workshop


def _use_areas(workshop):
    """Agenda item 2 of the demo program: the four use areas."""
    return workshop.items.get(number=2)


def _topics(workshop):
    return list(_use_areas(workshop).topics.order_by("position"))


def _topic_vote(workshop, **options):
    return voting.vote_open(workshop=workshop, item=_use_areas(workshop), **options)


def _note(author, text):
    buzz_round = author.workshop.items.get(number=1).buzz_rounds.get()
    return services.note_create(
        author=author,
        text=text,
        prompt_id=buzz_round.prompts.first().pk,
        client_id=uuid.uuid4(),
    )[0]


def _totals(vote):
    return {option.label: option.count for option in voting.ranking(vote=vote)}


# --- Services -------------------------------------------------------------------


@pytest.mark.django_db
class TestLimits:
    def test_it_ranks_the_four_use_areas_by_the_dots(self, workshop, phones):
        vote = _topic_vote(workshop)
        recruiting, society, learning, customers = _topics(workshop)
        voting.dots_set(vote=vote, participant=phones[0], option_id=customers.pk, count=2)
        voting.dots_set(vote=vote, participant=phones[0], option_id=learning.pk, delta=1)
        voting.dots_set(vote=vote, participant=phones[1], option_id=customers.pk, delta=1)
        voting.dots_set(vote=vote, participant=phones[2], option_id=recruiting.pk, delta=1)

        ranking = voting.ranking(vote=vote)

        assert [(o.rank, o.label, o.count) for o in ranking] == [
            (1, "Kundekontakt", 3),
            (2, "Rekruttering", 1),
            (2, "Læring", 1),
            (4, "Samfunnskommunikasjon", 0),
        ]

    def test_it_allows_no_more_than_n_dots(self, workshop, phones):
        vote = _topic_vote(workshop, dots=3, max_per_option=1)
        topics = _topics(workshop)
        for topic in topics[:3]:
            voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, delta=1)

        with pytest.raises(voting.VoteError, match="no dots left"):
            voting.dots_set(vote=vote, participant=phones[0], option_id=topics[3].pk, delta=1)
        assert Dot.objects.filter(vote=vote, voter=phones[0]).count() == 3

    def test_it_counts_a_replaced_option_against_the_dots_once(self, workshop, phones):
        vote = _topic_vote(workshop, dots=3)
        first, second = _topics(workshop)[:2]
        voting.dots_set(vote=vote, participant=phones[0], option_id=first.pk, count=3)

        with pytest.raises(voting.VoteError, match="no dots left"):
            voting.dots_set(vote=vote, participant=phones[0], option_id=second.pk, count=1)
        voting.dots_set(vote=vote, participant=phones[0], option_id=first.pk, count=1)
        voting.dots_set(vote=vote, participant=phones[0], option_id=second.pk, count=2)

        totals = _totals(vote)
        assert (totals[first.name], totals[second.name]) == (1, 2)

    def test_it_allows_no_more_than_m_dots_on_one_option(self, workshop, phones):
        vote = _topic_vote(workshop, dots=3, max_per_option=2)
        topic = _topics(workshop)[0]
        voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, delta=1)
        voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, delta=1)

        with pytest.raises(voting.VoteError, match="At most 2 dots"):
            voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, delta=1)
        with pytest.raises(voting.VoteError, match="At most 2 dots"):
            voting.dots_set(vote=vote, participant=phones[1], option_id=topic.pk, count=3)
        assert _totals(vote)[topic.name] == 2

    def test_it_takes_no_dots_after_closing_and_keeps_the_ranking(self, workshop, phones):
        vote = _topic_vote(workshop)
        topic = _topics(workshop)[3]
        voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, delta=1)
        voting.vote_close(vote=vote)

        with pytest.raises(voting.VoteError, match="closed"):
            voting.dots_set(vote=vote, participant=phones[1], option_id=topic.pk, delta=1)
        with pytest.raises(voting.VoteError, match="closed"):
            voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, delta=-1)
        vote.refresh_from_db()
        assert vote.state == DotVote.State.CLOSED and vote.closed_at is not None
        assert voting.ranking(vote=vote)[0].label == "Kundekontakt"

    def test_it_takes_no_dots_from_another_workshop(self, workshop, phones, other_facilitator):
        from sessions.program import decode_program, parse_program
        from sessions.services import workshop_create
        from tests.conftest import DEMO_PROGRAM

        program = parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
        other = workshop_create(owner=other_facilitator, program=program)
        stranger = services.participant_join(workshop=other, nickname="Eve")
        vote = _topic_vote(workshop)

        with pytest.raises(voting.VoteError, match="another workshop"):
            voting.dots_set(
                vote=vote, participant=stranger, option_id=_topics(workshop)[0].pk, delta=1
            )
        # Nor on an option of another workshop's vote.
        with pytest.raises(voting.VoteError, match="not one of the options"):
            voting.dots_set(
                vote=vote, participant=phones[0], option_id=_topics(other)[0].pk, delta=1
            )
        assert not Dot.objects.exists()

    def test_it_lets_a_participant_take_back_only_their_own_dots(self, workshop, phones):
        vote = _topic_vote(workshop)
        topic = _topics(workshop)[0]
        voting.dots_set(vote=vote, participant=phones[0], option_id=topic.pk, count=2)

        with pytest.raises(voting.VoteError, match="no dot there"):
            voting.dots_set(vote=vote, participant=phones[1], option_id=topic.pk, delta=-1)
        voting.dots_set(vote=vote, participant=phones[1], option_id=topic.pk, count=0)

        assert Dot.objects.filter(vote=vote, voter=phones[0]).count() == 2

    def test_it_shares_the_dots_of_a_group_when_the_group_votes(self, workshop):
        services.groups_ensure(workshop)
        group = workshop.buzz_groups.get(number=1)
        ada = services.participant_join(workshop=workshop, nickname="Ada", group=group)
        bo = services.participant_join(workshop=workshop, nickname="Bo", group=group)
        vote = _topic_vote(workshop, dots=2, voters=DotVote.Voters.GROUP)
        first, second, third = _topics(workshop)[:3]
        voting.dots_set(vote=vote, participant=ada, option_id=first.pk, delta=1)
        voting.dots_set(vote=vote, participant=bo, option_id=second.pk, delta=1)

        with pytest.raises(voting.VoteError, match="no dots left"):
            voting.dots_set(vote=vote, participant=ada, option_id=third.pk, delta=1)
        voting.dots_set(vote=vote, participant=ada, option_id=second.pk, delta=-1)
        assert voting.ballot(vote, bo).left == 1

    def test_it_leaves_out_the_own_groups_notes_when_asked(
        self, workshop, phones, open_first_round
    ):
        own = _note(phones[0], "Vår egen lapp")
        theirs = _note(phones[1], "De andres lapp")
        assert phones[0].group_id != phones[1].group_id
        vote = voting.vote_open(
            workshop=workshop, buzz_round=open_first_round, exclude_own_group=True
        )

        with pytest.raises(voting.VoteError, match="not one of the options"):
            voting.dots_set(vote=vote, participant=phones[0], option_id=own.pk, delta=1)
        voting.dots_set(vote=vote, participant=phones[0], option_id=theirs.pk, delta=1)
        assert [o.id for o in voting.ballot(vote, phones[0]).options] == [theirs.pk]
        assert {o.id for o in voting.ranking(vote=vote)} == {own.pk, theirs.pk}

    def test_it_lets_everyone_vote_on_their_own_notes_unless_asked(
        self, workshop, phones, open_first_round
    ):
        own = _note(phones[0], "Vår egen lapp")
        vote = voting.vote_open(workshop=workshop, buzz_round=open_first_round)
        voting.dots_set(vote=vote, participant=phones[0], option_id=own.pk, delta=1)
        assert _totals(vote) == {"Vår egen lapp": 1}

    def test_it_gives_back_dots_on_a_note_that_is_hidden_since(
        self, workshop, phones, open_first_round
    ):
        note = _note(phones[1], "Noe upassende")
        vote = voting.vote_open(workshop=workshop, buzz_round=open_first_round, dots=1)
        voting.dots_set(vote=vote, participant=phones[0], option_id=note.pk, delta=1)
        services.note_hide(note=note)

        assert voting.ballot(vote, phones[0]).left == 1
        assert voting.ranking(vote=vote) == []

    def test_it_refuses_a_second_open_vote_and_odd_settings(self, workshop, open_first_round):
        _topic_vote(workshop)
        with pytest.raises(voting.VoteError, match="already open"):
            _topic_vote(workshop)
        DotVote.objects.update(state=DotVote.State.CLOSED)
        with pytest.raises(voting.VoteError, match="from 1 to 20"):
            _topic_vote(workshop, dots=0)
        with pytest.raises(voting.VoteError, match="from 1 to 3"):
            _topic_vote(workshop, dots=3, max_per_option=4)
        with pytest.raises(voting.VoteError, match="no topics"):
            voting.vote_open(workshop=workshop, item=workshop.items.get(number=1))
        with pytest.raises(voting.VoteError, match="no notes"):
            voting.vote_open(workshop=workshop, buzz_round=open_first_round)
        with pytest.raises(voting.VoteError, match="Choose what to vote on"):
            voting.vote_open(workshop=workshop)

    def test_it_refuses_an_item_of_another_workshop(self, workshop, other_facilitator):
        from sessions.program import decode_program, parse_program
        from sessions.services import workshop_create
        from tests.conftest import DEMO_PROGRAM

        program = parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
        other = workshop_create(owner=other_facilitator, program=program)
        with pytest.raises(voting.VoteError, match="another workshop"):
            voting.vote_open(workshop=workshop, item=_use_areas(other))

    def test_every_write_publishes_a_vote_event(
        self, workshop, phones, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks():
            vote = _topic_vote(workshop)
            voting.dots_set(
                vote=vote, participant=phones[0], option_id=_topics(workshop)[0].pk, delta=1
            )
            voting.vote_reveal(vote=vote)
            voting.vote_close(vote=vote)
        kinds = list(
            workshop.events.filter(kind__startswith="vote.").values_list("kind", "audience")
        )
        assert kinds == [
            ("vote.opened", "all"),
            ("vote.changed", "screens"),
            ("vote.revealed", "all"),
            ("vote.closed", "all"),
        ]


# --- The export -----------------------------------------------------------------------


def _export(workshop, fmt):
    from buzzgroups import summary

    return "".join(summary.text_chunks(summary.build_summary(workshop), fmt))


@pytest.mark.django_db
def test_the_export_holds_the_topic_ranking_and_the_votes_of_notes(
    workshop, phones, open_first_round
):
    import json

    from buzzgroups import summary

    liked = _note(phones[1], "Kundeservice på nett")
    _note(phones[2], "Ingen stemmer")
    on_notes = voting.vote_open(workshop=workshop, buzz_round=open_first_round)
    voting.dots_set(vote=on_notes, participant=phones[0], option_id=liked.pk, count=2)
    voting.vote_close(vote=on_notes)
    on_topics = _topic_vote(workshop)
    recruiting, _society, learning, customers = _topics(workshop)
    voting.dots_set(vote=on_topics, participant=phones[0], option_id=customers.pk, count=3)
    voting.dots_set(vote=on_topics, participant=phones[1], option_id=learning.pk, count=1)
    voting.vote_close(vote=on_topics)

    assert summary.vote_counts(workshop) == {liked.pk: 2}
    document = json.loads(_export(workshop, "json"))
    assert [(line["rank"], line["id"], line["votes"]) for line in document["ranking"]] == [
        (1, liked.pk, 2)
    ]
    [topics] = document["topic_rankings"]
    assert topics["agenda_number"] == 2
    assert [(line["rank"], line["topic"], line["votes"]) for line in topics["ranking"]] == [
        (1, "Kundekontakt", 3),
        (2, "Læring", 1),
        (3, "Rekruttering", 0),
        (3, "Samfunnskommunikasjon", 0),
    ]
    markdown = _export(workshop, "md")
    assert "## Ranking of topics: Item 2: " in markdown
    assert "1. Kundekontakt — 3 votes" in markdown
    assert "Kundekontakt" in _export(workshop, "html")


# --- A hundred phones at once ------------------------------------------------------


@pytest.fixture
def threaded_db(transactional_db, tmp_path):
    """A database that threads can write to at the same time.

    The in-memory SQLite of the tests is shared between connections through a
    shared cache, whose table locks fail at once instead of waiting: threads get
    a file database of their own (WAL, IMMEDIATE transactions, as in production).
    PostgreSQL (``DATABASE_URL``) is used as it is.
    """
    if connection.vendor != "sqlite":
        yield
        return
    from django.core.management import call_command

    original = connections.settings["default"]
    file_settings = {**original, "NAME": str(tmp_path / "votes.sqlite3"), "TEST": {}}
    memory_connection = connections["default"]
    connections.settings["default"] = file_settings
    connections["default"] = connections.create_connection("default")
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original
        connections["default"] = memory_connection


def _hundred_phones(django_user_model, **vote_options):
    from sessions.program import decode_program, parse_program
    from sessions.services import workshop_create
    from tests.conftest import DEMO_PROGRAM

    owner = django_user_model.objects.create_user("kari", password="kari-secret-123")
    program = parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
    workshop = workshop_create(owner=owner, program=program, language="en")
    services.groups_set_count(workshop=workshop, count=10)
    people = [services.participant_join(workshop=workshop) for _n in range(100)]
    return workshop, people, _topic_vote(workshop, **vote_options)


def _at_the_same_moment(vote, people, taps) -> tuple[list[str], list[Exception]]:
    """Each participant's taps from its own thread, all threads let go at once."""
    start = threading.Barrier(len(people))
    refused: list[str] = []
    errors: list[Exception] = []

    def phone(index: int, participant: Participant) -> None:
        try:
            start.wait(timeout=30)
            for option_id, delta in taps(index):
                try:
                    voting.dots_set(
                        vote=vote,
                        participant=participant,
                        option_id=option_id,
                        delta=delta,
                    )
                except voting.VoteError as error:
                    refused.append(str(error))
        except Exception as error:  # noqa: BLE001 - reported by the test's assertion
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=phone, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return refused, errors


@pytest.mark.django_db(transaction=True)
def test_a_hundred_phones_voting_at_the_same_moment_give_exact_totals(
    threaded_db, django_user_model
):
    workshop, people, vote = _hundred_phones(django_user_model, dots=3, max_per_option=2)
    topics = _topics(workshop)

    def taps(index):
        # Two dots on one topic, one on the next, then one too many.
        first, second = topics[index % 4].pk, topics[(index + 1) % 4].pk
        return [(first, 1), (first, 1), (second, 1), (second, 1)]

    refused, errors = _at_the_same_moment(vote, people, taps)

    assert errors == []
    assert len(refused) == 100
    # Each topic is the first for 25 phones (2 dots) and the second for 25 (1 dot).
    assert _totals(vote) == {topic.name: 75 for topic in topics}
    assert workshop.events.filter(kind="vote.changed").count() == 300


@pytest.mark.django_db(transaction=True)
def test_ten_phones_of_a_group_tapping_at_once_share_exactly_the_groups_dots(
    threaded_db, django_user_model
):
    workshop, people, vote = _hundred_phones(
        django_user_model, dots=3, max_per_option=2, voters=DotVote.Voters.GROUP
    )
    topics = _topics(workshop)

    def taps(index):
        return [(topics[index % 4].pk, 1), (topics[(index + 1) % 4].pk, 1)]

    refused, errors = _at_the_same_moment(vote, people, taps)

    assert errors == []
    per_group = dict(
        Dot.objects.filter(vote=vote).values_list("group").annotate(n=Count("id")).order_by()
    )
    assert sorted(per_group.values()) == [3] * 10
    per_option = Dot.objects.filter(vote=vote).values("group", "topic").annotate(n=Count("id"))
    assert max(row["n"] for row in per_option) <= 2
    assert len(refused) == 200 - 30
    assert sum(_totals(vote).values()) == 30


# --- Pages ---------------------------------------------------------------------------


def _phone_client(workshop, nickname="Ada"):
    client = Client()
    response = client.post(f"/j/{workshop.join_code}/", {"nickname": nickname})
    assert response.status_code == 302
    participant = Participant.objects.get(workshop=workshop, nickname=nickname)
    return client, participant


@pytest.mark.django_db
class TestPages:
    def test_the_facilitator_opens_closes_and_reveals_a_vote_from_the_console(
        self, client, facilitator, workshop
    ):
        client.force_login(facilitator)
        code = workshop.join_code
        item = _use_areas(workshop)

        response = client.post(
            f"/w/{code}/votes/open/",
            {
                "target": f"item-{item.pk}",
                "dots": "3",
                "max_per_option": "2",
                "voters": "participant",
            },
        )
        assert response.status_code == 302
        vote = DotVote.objects.get(workshop=workshop)
        assert (vote.item, vote.dots_per_voter, vote.max_per_option) == (item, 3, 2)
        page = client.get(f"/w/{code}/").content.decode()
        assert 'id="vote-console"' in page and "Close the vote" in page

        assert client.post(f"/w/{code}/votes/{vote.pk}/close/").status_code == 302
        assert (
            client.post(f"/w/{code}/votes/{vote.pk}/reveal/", {"revealed": "1"}).status_code == 302
        )
        vote.refresh_from_db()
        assert vote.state == DotVote.State.CLOSED and vote.results_revealed
        page = client.get(f"/w/{code}/").content.decode()
        assert "take the following discussion in this order" in page

    def test_it_shows_a_refusal_in_the_console(self, client, facilitator, workshop):
        client.force_login(facilitator)
        item = workshop.items.get(number=1)
        response = client.post(
            f"/w/{workshop.join_code}/votes/open/",
            {"target": f"item-{item.pk}"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        assert "no topics" in response.content.decode()

    def test_it_is_404_for_another_facilitator_and_a_login_for_anonymous(
        self, client, facilitator, other_facilitator, workshop
    ):
        vote = _topic_vote(workshop)
        code = workshop.join_code
        item = _use_areas(workshop)
        urls = [
            (f"/w/{code}/votes/open/", {"target": f"item-{item.pk}"}),
            (f"/w/{code}/votes/{vote.pk}/close/", {}),
            (f"/w/{code}/votes/{vote.pk}/reveal/", {}),
        ]
        for url, data in urls:
            assert client.post(url, data)["Location"].startswith("/accounts/login/?next=")
        client.force_login(other_facilitator)
        for url, data in urls:
            assert client.post(url, data).status_code == 404
        vote.refresh_from_db()
        assert vote.is_open and not vote.results_revealed

    def test_it_is_404_for_a_vote_of_another_workshop(
        self, client, facilitator, workshop, other_facilitator
    ):
        from sessions.program import decode_program, parse_program
        from sessions.services import workshop_create
        from tests.conftest import DEMO_PROGRAM

        program = parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
        other = workshop_create(owner=other_facilitator, program=program)
        theirs = voting.vote_open(workshop=other, item=_use_areas(other))
        client.force_login(facilitator)
        response = client.post(f"/w/{workshop.join_code}/votes/{theirs.pk}/close/")
        assert response.status_code == 404
        phone, _ada = _phone_client(workshop)
        response = phone.post(
            f"/p/{workshop.join_code}/votes/{theirs.pk}/dots/",
            {"option": _topics(other)[0].pk, "delta": "1"},
        )
        assert response.status_code == 404

    def test_a_phone_votes_with_plain_forms_without_javascript(self, workshop):
        show_goto(workshop=workshop, number=2)
        vote = _topic_vote(workshop, dots=2)
        phone, ada = _phone_client(workshop)
        code = workshop.join_code
        customers = _topics(workshop)[3]

        page = phone.get(f"/p/{code}/").content.decode()
        assert 'id="vote-phone"' in page and "Kundekontakt" in page
        assert "You have 2 dots left" in page

        response = phone.post(
            f"/p/{code}/votes/{vote.pk}/dots/", {"option": customers.pk, "delta": "1"}
        )
        assert response.status_code == 302 and response["Location"].endswith("#vote-phone")
        page = phone.get(f"/p/{code}/").content.decode()
        assert "You have 1 dot left" in page and "Take a dot back" in page

        phone.post(f"/p/{code}/votes/{vote.pk}/dots/", {"option": customers.pk, "delta": "1"})
        response = phone.post(
            f"/p/{code}/votes/{vote.pk}/dots/",
            {"option": _topics(workshop)[0].pk, "delta": "1"},
            follow=True,
        )
        assert "no dots left" in response.content.decode()
        phone.post(f"/p/{code}/votes/{vote.pk}/dots/", {"option": customers.pk, "delta": "-1"})
        assert Dot.objects.filter(vote=vote, voter=ada).count() == 1

    def test_a_phone_with_htmx_gets_its_cards_back(self, workshop):
        show_goto(workshop=workshop, number=2)
        vote = _topic_vote(workshop, dots=1)
        phone, _ada = _phone_client(workshop)
        code = workshop.join_code
        learning, customers = _topics(workshop)[2:]

        response = phone.post(
            f"/p/{code}/votes/{vote.pk}/dots/",
            {"option": learning.pk, "delta": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert body.startswith('<section id="vote-phone"') and "You have 0 dots left" in body
        response = phone.post(
            f"/p/{code}/votes/{vote.pk}/dots/",
            {"option": customers.pk, "delta": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        assert "no dots left" in response.content.decode()

    def test_a_phone_sees_the_results_only_when_revealed(self, workshop, phones):
        show_goto(workshop=workshop, number=2)
        vote = _topic_vote(workshop)
        voting.dots_set(
            vote=vote, participant=phones[0], option_id=_topics(workshop)[3].pk, count=3
        )
        phone, _ada = _phone_client(workshop, "Kim")

        body = phone.get(f"/p/{workshop.join_code}/vote/").content.decode()
        assert "You have 3 dots left" in body and "vote-chart" not in body
        voting.vote_close(vote=vote)
        assert (
            "The facilitator will show the results"
            in phone.get(f"/p/{workshop.join_code}/vote/").content.decode()
        )
        voting.vote_reveal(vote=vote)
        body = phone.get(f"/p/{workshop.join_code}/vote/").content.decode()
        assert "Results" in body and "vote-chart" in body and "3 dots" in body

    def test_the_wall_shows_the_chart_with_text_values(self, client, facilitator, workshop, phones):
        show_goto(workshop=workshop, number=2)
        vote = _topic_vote(workshop)
        voting.dots_set(
            vote=vote, participant=phones[0], option_id=_topics(workshop)[3].pk, count=2
        )
        client.force_login(facilitator)
        page = client.get(f"/w/{workshop.join_code}/wall/").content.decode()
        assert 'id="vote-wall"' in page
        assert "Kundekontakt" in page and "2 dots" in page and "<svg" in page


# --- The wall's socket -----------------------------------------------------------------


@database_sync_to_async
def _open_topic_vote(workshop):
    show_goto(workshop=workshop, number=2)
    return _topic_vote(workshop)


@database_sync_to_async
def _dot(vote, nickname, topic_position):
    participant = Participant.objects.get(nickname=nickname)
    topic = _topics(vote.workshop)[topic_position]
    voting.dots_set(vote=vote, participant=participant, option_id=topic.pk, delta=1)
    return topic


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_wall_receives_the_vote_frame_and_phones_hear_no_counts(workshop, facilitator):
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    ada_cookie, _client = await database_sync_to_async(phone_cookie)(workshop, "Ada")
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    ada = await connect(f"/ws/p/{workshop.join_code}/", ada_cookie)
    for socket in (wall, ada):
        await frames(socket, timeout=0.3)

    vote = await _open_topic_vote(workshop)
    opened = [f for f in await frames(wall, timeout=0.5) if f["type"] == "vote.opened"]
    assert len(opened) == 1 and 'id="vote-wall"' in opened[0]["html"]
    phone_opened = [f for f in await frames(ada, timeout=0.5) if f["type"] == "vote.opened"]
    assert 'data-hx-get="/p/' in phone_opened[0]["html"]  # the phone fetches its own cards

    topic = await _dot(vote, "Ada", 3)

    changed = [f for f in await frames(wall, timeout=0.5) if f["type"] == "vote.changed"]
    assert len(changed) == 1
    assert 'id="vote-wall" class="vote-wall" data-hx-swap-oob="true"' in changed[0]["html"]
    assert "1 dot" in changed[0]["html"]
    assert {"id": topic.pk, "count": 1} in changed[0]["data"]["vote"]["options"]
    assert [f for f in await frames(ada, timeout=0.3) if f["type"] == "vote.changed"] == []
    for socket in (wall, ada):
        await socket.disconnect()


def test_a_purge_keeps_the_votes_and_forgets_the_voters(workshop, phones):
    from datetime import timedelta

    from django.utils import timezone

    from buzzgroups.models import Dot, Participant
    from buzzgroups.services import participants_purge
    from sessions.models import Workshop
    from sessions.services import workshop_end

    item = workshop.items.get(number=2)
    vote = voting.vote_open(workshop=workshop, item=item, dots=3)
    topic = item.topics.get(name="Rekruttering")
    for phone in phones:
        voting.dots_set(vote=vote, participant=phone, option_id=topic.pk, count=2)
    voting.vote_close(vote=vote)
    workshop_end(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(ended_at=timezone.now() - timedelta(days=40))

    participants_purge(days=30)

    assert not Participant.objects.filter(workshop=workshop).exists()
    assert Dot.objects.filter(vote=vote, voter__isnull=True).count() == 8
    ranked = voting.ranking(vote=vote)
    assert (ranked[0].label, ranked[0].count) == ("Rekruttering", 8)
