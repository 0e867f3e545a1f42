"""Themes: after the buzz round on the four use areas (agenda item 2 of the demo),
the facilitator pulls the notes together into what they say."""

import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import translation

from buzzgroups import services, theme_screens, themes
from buzzgroups.models import Note, Theme
from sessions.models import BuzzRound, Prompt, Workshop
from sessions.services import round_close, round_open, show_goto
from tests.buzzgroups.test_voting import threaded_db  # noqa: F401 - a fixture
from tests.sockets import connect, facilitator_cookie, frames


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def use_areas_round(workshop: Workshop) -> BuzzRound:
    """A buzz round on agenda item 2 ("Hvilken nytte ..."), whose topics are the use areas."""
    item = workshop.items.get(number=2)
    buzz_round, created = BuzzRound.objects.get_or_create(item=item)
    if created:
        Prompt.objects.create(round=buzz_round, position=0, title="Use cases")
    return buzz_round


NOTES = [
    (0, "Rekruttere unge via LinkedIn"),
    (1, "Vise arbeidsplassen på Instagram for å rekruttere"),
    (2, "Svare kunder på Facebook samme dag"),
    (3, "Kundeservice i chat på kveldstid"),
    (0, "Dele fagkunnskap internt på Yammer"),
    (1, "Svare kunder på Facebook samme dag!"),
]


def _open_round_with_notes(workshop, phones):
    """Item 2's round in an English workshop: opened after the phones joined, then their notes."""
    workshop.language = "en"
    workshop.save(update_fields=["language"])
    buzz_round = use_areas_round(workshop)
    show_goto(workshop=workshop, number=2)
    round_open(buzz_round=buzz_round, minutes=10)
    prompt = buzz_round.prompts.get()
    notes = [
        services.note_create(
            author=phones[who], text=text, prompt_id=prompt.pk, client_id=uuid.uuid4()
        )[0]
        for who, text in NOTES
    ]
    return buzz_round, notes


@pytest.fixture
def room(workshop, phones):
    """Four phones that joined, then the round opened, then their notes, then it closed."""
    buzz_round, notes = _open_round_with_notes(workshop, phones)
    round_close(buzz_round=buzz_round)
    return workshop, buzz_round, notes


def _theme_of(note: Note) -> int | None:
    return Note.objects.get(pk=note.pk).theme_id


# --- Services ------------------------------------------------------------------


@pytest.mark.django_db
class TestThemes:
    def test_a_note_dropped_on_a_note_makes_a_theme_of_the_two(self, room):
        _workshop, buzz_round, notes = room
        linkedin, instagram = notes[0], notes[1]

        themes.note_set_theme(note=instagram, onto=linkedin)

        [theme] = buzz_round.themes.all()
        assert theme.title == "Theme 1"
        assert set(theme.notes.values_list("pk", flat=True)) == {linkedin.pk, instagram.pk}

    def test_a_note_dropped_on_a_themed_note_joins_its_theme(self, room):
        _workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="Kundedialog", notes=[notes[2]])

        themes.note_set_theme(note=notes[3], onto=notes[2])

        assert _theme_of(notes[3]) == theme.pk
        assert buzz_round.themes.count() == 1

    def test_a_note_moves_between_themes_and_back_to_none(self, room):
        _workshop, buzz_round, notes = room
        a = themes.theme_create(buzz_round=buzz_round, title="Rekruttering")
        b = themes.theme_create(buzz_round=buzz_round, title="Kundedialog")

        themes.note_set_theme(note=notes[0], theme=a)
        assert _theme_of(notes[0]) == a.pk
        themes.note_set_theme(note=notes[0], theme=b)
        assert _theme_of(notes[0]) == b.pk
        themes.note_set_theme(note=notes[0], theme=None)
        assert _theme_of(notes[0]) is None

    def test_deleting_a_theme_releases_its_notes_and_never_deletes_them(self, room):
        _workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="Kunder", notes=notes[2:4])

        themes.theme_delete(theme=theme)

        assert not Theme.objects.filter(pk=theme.pk).exists()
        assert Note.objects.filter(pk__in=[notes[2].pk, notes[3].pk], theme=None).count() == 2

    def test_merging_brings_the_notes_together_and_closes_the_gap_in_the_order(self, room):
        _workshop, buzz_round, notes = room
        a = themes.theme_create(buzz_round=buzz_round, title="Facebook", notes=[notes[2]])
        b = themes.theme_create(buzz_round=buzz_round, title="Chat", notes=[notes[3]])
        c = themes.theme_create(buzz_round=buzz_round, title="Læring", notes=[notes[4]])

        themes.theme_merge(theme=a, into=b)

        assert [(t.title, t.order) for t in buzz_round.themes.all()] == [("Chat", 1), ("Læring", 2)]
        assert set(b.notes.values_list("pk", flat=True)) == {notes[2].pk, notes[3].pk}
        assert c.notes.count() == 1

    def test_themes_are_renamed_and_reordered(self, room):
        _workshop, buzz_round, _notes = room
        a = themes.theme_create(buzz_round=buzz_round, title="A")
        themes.theme_create(buzz_round=buzz_round, title="B")
        c = themes.theme_create(buzz_round=buzz_round, title="C")

        themes.theme_reorder(theme=c, position=1)
        themes.theme_rename(theme=a, title="  Rekruttering  ")

        assert [(t.title, t.order) for t in buzz_round.themes.all()] == [
            ("C", 1),
            ("Rekruttering", 2),
            ("B", 3),
        ]

    @pytest.mark.parametrize("position", [0, 3, -1, "two", None])
    def test_a_place_outside_the_themes_is_refused(self, room, position):
        _workshop, buzz_round, _notes = room
        a = themes.theme_create(buzz_round=buzz_round, title="A")
        themes.theme_create(buzz_round=buzz_round, title="B")

        with pytest.raises(themes.ThemeError):
            themes.theme_reorder(theme=a, position=position)

    @pytest.mark.parametrize("title", ["", "   ", "\u200b", "x" * 121, "a\x00b"])
    def test_a_rename_needs_a_title_that_can_be_saved(self, room, title):
        _workshop, buzz_round, _notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="A")

        with pytest.raises(themes.ThemeError):
            themes.theme_rename(theme=theme, title=title)

    def test_a_note_of_another_round_cannot_join_a_theme(self, room, workshop):
        _workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="A")
        other_round = workshop.items.get(number=1).buzz_rounds.get()
        stranger = Note.objects.create(
            workshop=workshop,
            round=other_round,
            prompt=other_round.prompts.first(),
            group=notes[0].group,
            text="Fra en annen runde",
            client_id=uuid.uuid4(),
        )

        with pytest.raises(themes.ThemeError):
            themes.note_set_theme(note=stranger, theme=theme)
        with pytest.raises(themes.ThemeError):
            themes.note_set_theme(note=notes[0], onto=stranger)

    def test_a_hidden_or_edited_note_stays_in_its_theme_and_is_hidden_there(self, room):
        _workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="Kunder", notes=notes[2:4])

        services.note_hide(note=notes[2])

        assert _theme_of(notes[2]) == theme.pk
        [on_wall] = theme_screens.theme_board(buzz_round).themes
        assert [n.pk for n in on_wall.notes] == [notes[3].pk]
        assert on_wall.count == 1
        [on_console] = theme_screens.theme_board(buzz_round, include_hidden=True).themes
        assert [n.pk for n in on_console.notes] == [notes[2].pk, notes[3].pk]
        assert on_console.count == 1

    def test_every_change_is_broadcast_to_the_screens(
        self, room, django_capture_on_commit_callbacks
    ):
        workshop, buzz_round, notes = room
        before = Workshop.objects.get(pk=workshop.pk).seq

        with django_capture_on_commit_callbacks():
            theme = themes.theme_create(buzz_round=buzz_round, title="A")
            themes.note_set_theme(note=notes[0], theme=theme)
            themes.theme_rename(theme=theme, title="B")
            themes.theme_delete(theme=theme)

        events = list(workshop.events.filter(seq__gt=before).values_list("kind", "audience"))
        assert events == [("themes.changed", "screens")] * 4

    def test_a_move_to_where_the_note_already_is_sends_nothing(self, room):
        workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="A", notes=[notes[0]])
        before = Workshop.objects.get(pk=workshop.pk).seq

        themes.note_set_theme(note=notes[0], theme=theme)

        assert Workshop.objects.get(pk=workshop.pk).seq == before

    def test_the_wall_steps_through_the_themes_within_their_number(self, room):
        workshop, buzz_round, _notes = room
        themes.theme_create(buzz_round=buzz_round, title="A")
        second = themes.theme_create(buzz_round=buzz_round, title="B")

        workshop = themes.wall_theme_step(workshop=workshop, step=2)
        assert (workshop.wall_layout, workshop.wall_theme_step) == ("themes", 2)
        with pytest.raises(themes.ThemeError):
            themes.wall_theme_step(workshop=workshop, step=3)
        themes.theme_delete(theme=second)
        assert Workshop.objects.get(pk=workshop.pk).wall_theme_step == 1


# --- Two consoles at once --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_consoles_moving_the_same_note_at_once_end_in_one_state(
    threaded_db,  # noqa: F811
    django_user_model,
):
    from sessions.program import decode_program, parse_program
    from sessions.services import workshop_create
    from tests.conftest import DEMO_PROGRAM

    owner = django_user_model.objects.create_user("kari", password="kari-secret-123")
    program = parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
    workshop = workshop_create(owner=owner, program=program, language="en")
    buzz_round = use_areas_round(workshop)
    phone = services.participant_join(workshop=workshop)
    round_open(buzz_round=buzz_round, minutes=10)
    prompt_id = buzz_round.prompts.get().pk
    note, _ = services.note_create(
        author=phone, text="Svare kunder på Facebook", prompt_id=prompt_id, client_id=uuid.uuid4()
    )
    targets = [themes.theme_create(buzz_round=buzz_round, title=t) for t in ("A", "B")]
    errors: list[Exception] = []

    for _attempt in range(5):
        start = threading.Barrier(2)

        def console(theme, start=start):
            try:
                start.wait(timeout=30)
                for _n in range(10):
                    themes.note_set_theme(note=note, theme=theme)
                    themes.note_set_theme(note=note, theme=None)
                themes.note_set_theme(note=note, theme=theme)
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=console, args=(t,)) for t in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        final = Note.objects.get(pk=note.pk).theme_id
        assert final in {t.pk for t in targets}
        # The last event rendered for the consoles shows the state the database holds.
        board = theme_screens.theme_board(buzz_round, include_hidden=True)
        assert [[n.pk for n in card.notes] for card in board.themes].count([note.pk]) == 1
        assert board.unthemed == []


@pytest.mark.django_db(transaction=True)
def test_a_note_moved_onto_a_theme_another_console_just_removed_is_refused(
    threaded_db,  # noqa: F811
    django_user_model,
):
    from sessions.program import decode_program, parse_program
    from sessions.services import workshop_create
    from tests.conftest import DEMO_PROGRAM

    owner = django_user_model.objects.create_user("kari", password="kari-secret-123")
    workshop = workshop_create(
        owner=owner, program=parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
    )
    buzz_round = use_areas_round(workshop)
    phone = services.participant_join(workshop=workshop)
    round_open(buzz_round=buzz_round, minutes=10)
    note, _ = services.note_create(
        author=phone, text="Læring", prompt_id=buzz_round.prompts.get().pk, client_id=uuid.uuid4()
    )
    theme = themes.theme_create(buzz_round=buzz_round, title="A")
    stale = Theme.objects.get(pk=theme.pk)
    themes.theme_delete(theme=theme)

    with pytest.raises(themes.ThemeError):
        themes.note_set_theme(note=note, theme=stale)
    assert Note.objects.get(pk=note.pk).theme_id is None


# --- The synthesis page -------------------------------------------------------------


def _url(name, workshop, buzz_round, *args):
    return reverse(f"buzzgroups:{name}", args=[workshop.join_code, buzz_round.pk, *args])


@pytest.fixture
def console(facilitator):
    client = Client()
    client.force_login(facilitator)
    return client


@pytest.mark.django_db
class TestSynthesisPage:
    def test_the_page_shows_loose_notes_themes_and_the_duplicate(
        self, room, console, django_assert_max_num_queries
    ):
        workshop, buzz_round, notes = room
        themes.theme_create(buzz_round=buzz_round, title="Rekruttering", notes=notes[:2])

        with django_assert_max_num_queries(25):
            response = console.get(_url("themes", workshop, buzz_round))

        page = response.content.decode()
        assert response.status_code == 200
        assert "Rekruttering" in page
        assert f'id="tnote-{notes[3].pk}"' in page
        assert "The same note twice?" in page
        assert f'name="onto" value="{notes[5].pk}"' in page
        assert "themes.js" in page

    def test_the_console_links_to_it(self, room, console):
        workshop, buzz_round, _notes = room
        page = console.get(reverse("buzzgroups:console", args=[workshop.join_code])).content
        assert _url("themes", workshop, buzz_round).encode() in page

    def test_keyboard_forms_move_a_note_into_a_new_theme_and_back(self, room, console):
        workshop, buzz_round, notes = room
        move = _url("note_set_theme", workshop, buzz_round, notes[2].pk)

        response = console.post(move, {"theme": "new"})
        assert response.status_code == 302
        theme = buzz_round.themes.get()
        assert _theme_of(notes[2]) == theme.pk

        response = console.post(move, {"theme": ""}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "Note moved out of its theme." in response["HX-Trigger"] or (
            "Note moved out of its theme" in response["HX-Trigger"]
        )
        assert 'id="theme-board"' in response.content.decode()
        assert _theme_of(notes[2]) is None

    def test_dropping_onto_a_note_and_every_theme_action_work_as_plain_posts(self, room, console):
        workshop, buzz_round, notes = room
        console.post(
            _url("note_set_theme", workshop, buzz_round, notes[3].pk), {"onto": notes[2].pk}
        )
        first = buzz_round.themes.get()
        console.post(_url("theme_create", workshop, buzz_round), {"title": "Læring"})
        second = buzz_round.themes.get(title="Læring")

        console.post(_url("theme_rename", workshop, buzz_round, first.pk), {"title": "Kundedialog"})
        console.post(_url("theme_reorder", workshop, buzz_round, second.pk), {"position": "1"})
        assert [t.title for t in buzz_round.themes.all()] == ["Læring", "Kundedialog"]
        console.post(_url("theme_merge", workshop, buzz_round, second.pk), {"into": first.pk})
        assert [t.title for t in buzz_round.themes.all()] == ["Kundedialog"]
        console.post(_url("theme_delete", workshop, buzz_round, first.pk))
        assert not buzz_round.themes.exists()
        assert Note.objects.filter(round=buzz_round).count() == len(NOTES)

    @pytest.mark.parametrize(
        "data",
        [
            {"theme": "abc"},
            {"theme": "0"},
            {"theme": str(2**63)},
            {"theme": "999999"},
            {"onto": "-5"},
            {"onto": "99999999999999999999999"},
        ],
    )
    def test_bad_ids_are_refused_with_a_reason(self, room, console, data):
        workshop, buzz_round, notes = room
        response = console.post(
            _url("note_set_theme", workshop, buzz_round, notes[0].pk), data, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert b"message--error" in response.content

    def test_unknown_rounds_notes_and_themes_are_404(self, room, console, workshop):
        _workshop, buzz_round, _notes = room
        other = workshop.items.get(number=1).buzz_rounds.get()
        code = workshop.join_code
        assert console.get(f"/w/{code}/rounds/{2**70}/themes/").status_code == 404
        note_url = f"/w/{code}/rounds/{buzz_round.pk}/notes/{2**70}/theme/"
        assert console.post(note_url, {"theme": "new"}).status_code == 404
        theme = themes.theme_create(buzz_round=other, title="Annen runde")
        assert console.post(_url("theme_delete", workshop, buzz_round, theme.pk)).status_code == 404
        assert Theme.objects.filter(pk=theme.pk).exists()

    def test_a_refused_plain_post_shows_the_page_again_with_the_reason(self, room, console):
        workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="A")

        response = console.post(
            _url("theme_rename", workshop, buzz_round, theme.pk), {"title": " "}
        )

        assert response.status_code == 400
        assert "Give the theme a title." in response.content.decode()
        assert 'id="theme-board"' in response.content.decode()

    def test_only_the_owner_sees_or_changes_the_themes(self, room, other_facilitator):
        workshop, buzz_round, notes = room
        stranger = Client()
        stranger.force_login(other_facilitator)
        anonymous = Client()
        move = _url("note_set_theme", workshop, buzz_round, notes[0].pk)
        # Another facilitator gets the plain 404; nobody logged in, the login page first.
        assert stranger.get(_url("themes", workshop, buzz_round)).status_code == 404
        assert stranger.post(move, {"theme": "new"}).status_code == 404
        for answer in (
            anonymous.get(_url("themes", workshop, buzz_round)),
            anonymous.post(move, {"theme": "new"}),
        ):
            assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
        assert not buzz_round.themes.exists()

    def test_the_wall_controls_step_through_the_themes(self, room, console):
        workshop, buzz_round, notes = room
        themes.theme_create(buzz_round=buzz_round, title="Rekruttering", notes=notes[:2])
        themes.theme_create(buzz_round=buzz_round, title="Kundedialog", notes=notes[2:4])
        step = _url("wall_theme_step", workshop, buzz_round)

        console.post(step, {"step": "2"})
        wall = console.get(reverse("buzzgroups:wall", args=[workshop.join_code])).content.decode()
        assert "2 of 2" in wall
        assert "Kundedialog" in wall
        assert notes[0].text not in wall

        console.post(step, {"step": "all"})
        wall = console.get(reverse("buzzgroups:wall", args=[workshop.join_code])).content.decode()
        assert wall.count("data-theme-card=") == 2
        assert "2 notes · from 2 groups" in wall

        assert console.post(step, {"step": "7"}, HTTP_HX_REQUEST="true").status_code == 400


# --- Live frames ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_move_reaches_the_wall_in_theme_layout_and_tells_the_console(
    workshop, facilitator, phones
):
    workshop_, buzz_round, notes = await database_sync_to_async(_room_for_sockets)(workshop, phones)
    cookie = await database_sync_to_async(facilitator_cookie)(facilitator)
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", cookie)
    console_socket = await connect(f"/ws/w/{workshop.join_code}/console/", cookie)
    await frames(wall)
    await frames(console_socket)

    await database_sync_to_async(themes.note_set_theme)(note=notes[3], onto=notes[2])

    [on_wall] = [f for f in await frames(wall) if f["type"] == "themes.changed"]
    assert on_wall["data"]["round_id"] == buzz_round.pk
    assert "data-theme-card=" in on_wall["html"]
    assert "Theme 1" in on_wall["html"]
    assert notes[3].text in on_wall["html"]
    assert "csrfmiddlewaretoken" not in on_wall["html"]
    [on_console] = [f for f in await frames(console_socket) if f["type"] == "themes.changed"]
    assert on_console["data"] == {"round_id": buzz_round.pk}
    assert on_console["html"] == ""
    await wall.disconnect()
    await console_socket.disconnect()


def _room_for_sockets(workshop, phones):
    buzz_round, notes = _open_round_with_notes(workshop, phones)
    themes.wall_theme_step(workshop=workshop, step=None)
    return workshop, buzz_round, notes


# --- Voting on themes, and the summary ------------------------------------------------


def _themed_room(room, phones):
    """Two themes with a dot vote on them; one note left in no theme, one hidden."""
    from buzzgroups import voting

    workshop, buzz_round, notes = room
    recruiting = themes.theme_create(buzz_round=buzz_round, title="Rekruttering", notes=notes[0:2])
    customers = themes.theme_create(
        buzz_round=buzz_round, title="Kundedialog", notes=[notes[2], notes[3], notes[5]]
    )
    services.note_hide(note=notes[5])
    vote = voting.vote_open(workshop=workshop, buzz_round=buzz_round, on_themes=True)
    voting.dots_set(vote=vote, participant=phones[0], option_id=customers.pk, count=2)
    voting.dots_set(vote=vote, participant=phones[1], option_id=customers.pk, count=1)
    voting.dots_set(vote=vote, participant=phones[2], option_id=recruiting.pk, count=1)
    voting.vote_close(vote=vote)
    return workshop, buzz_round, notes, recruiting, customers, vote


def _export(workshop, fmt, **options):
    from buzzgroups import summary

    return "".join(summary.text_chunks(summary.build_summary(workshop, **options), fmt))


@pytest.mark.django_db
class TestThemesInTheVoteAndTheSummary:
    def test_the_room_votes_on_the_themes_and_they_are_ranked(self, room, phones):
        from buzzgroups import voting

        *_rest, recruiting, customers, vote = _themed_room(room, phones)

        ranking = voting.ranking(vote=vote)
        assert [(o.rank, o.label, o.count) for o in ranking] == [
            (1, "Kundedialog", 3),
            (2, "Rekruttering", 1),
        ]
        assert voting.vote_title(vote) == "The themes of item 2"
        with pytest.raises(voting.VoteError):
            voting.dots_set(vote=vote, participant=phones[3], option_id=recruiting.pk, count=1)

    def test_a_dot_on_a_note_is_no_dot_on_a_theme(self, room, phones):
        from buzzgroups import voting

        workshop, buzz_round, notes = room
        theme = themes.theme_create(buzz_round=buzz_round, title="A", notes=[notes[0]])
        vote = voting.vote_open(workshop=workshop, buzz_round=buzz_round, on_themes=True)

        note = next(note for note in notes if note.pk != theme.pk)
        with pytest.raises(voting.VoteError):
            voting.dots_set(vote=vote, participant=phones[0], option_id=note.pk, count=1)
        assert voting.dots_set(vote=vote, participant=phones[0], option_id=theme.pk, count=1) == 1

    def test_a_round_without_themes_cannot_be_voted_on_by_theme(self, room):
        from buzzgroups import voting

        workshop, buzz_round, _notes = room
        with pytest.raises(voting.VoteError):
            voting.vote_open(workshop=workshop, buzz_round=buzz_round, on_themes=True)

    def test_the_console_offers_a_vote_on_the_themes(self, room, console):
        workshop, buzz_round, notes = room
        themes.theme_create(buzz_round=buzz_round, title="A", notes=[notes[0]])
        page = console.get(reverse("buzzgroups:console", args=[workshop.join_code])).content
        assert f'value="themes-{buzz_round.pk}"'.encode() in page

        response = console.post(
            reverse("buzzgroups:vote_open", args=[workshop.join_code]),
            {"target": f"themes-{buzz_round.pk}", "dots": "3"},
        )

        assert response.status_code == 302
        assert workshop.dot_votes.get().on_themes

    def test_json_lists_the_themes_and_each_note_its_theme(self, room, phones):
        workshop, buzz_round, notes, recruiting, customers, _vote = _themed_room(room, phones)

        import json

        document = json.loads(_export(workshop, "json"))

        assert document["themes"] == [
            {
                "id": recruiting.pk,
                "round": buzz_round.pk,
                "title": "Rekruttering",
                "order": 1,
                "note_ids": [notes[0].pk, notes[1].pk],
                "votes": 1,
            },
            {
                "id": customers.pk,
                "round": buzz_round.pk,
                "title": "Kundedialog",
                "order": 2,
                "note_ids": [notes[2].pk, notes[3].pk],
                "votes": 3,
            },
        ]
        by_id = {note["id"]: note["theme"] for note in document["notes"]}
        assert by_id == {
            notes[0].pk: recruiting.pk,
            notes[1].pk: recruiting.pk,
            notes[2].pk: customers.pk,
            notes[3].pk: customers.pk,
            notes[4].pk: None,
        }
        with_hidden = json.loads(_export(workshop, "json", include_hidden=True))
        # In the order the summary shows notes: by group (notes[5] is from group 2).
        assert with_hidden["themes"][1]["note_ids"] == [notes[5].pk, notes[2].pk, notes[3].pk]

    def test_markdown_reads_as_the_rooms_conclusions(self, room, phones):
        workshop, buzz_round, notes, *_rest = _themed_room(room, phones)

        markdown = _export(workshop, "md")

        # What people and the program wrote is escaped Markdown (docs/export.md).
        from buzzgroups.summary import markdown_text as md

        section = markdown[markdown.index(f"## {md(f'2. {buzz_round.item.title}')}") :]
        order = [
            "### Themes",
            "#### 1. Rekruttering — 1 vote",
            f"- {md(notes[0].text)} — {md(notes[0].group.name)} · Use cases",
            f"- {md(notes[1].text)} — {md(notes[1].group.name)} · Use cases",
            "#### 2. Kundedialog — 3 votes",
            f"- {md(notes[2].text)} — {md(notes[2].group.name)} · Use cases",
            "### Notes in no theme",
            f"### {md(notes[4].group.name)}",
            f"- {md(notes[4].text)}",
        ]
        positions = [section.index(line) for line in order]
        assert positions == sorted(positions)
        assert section.count(md(notes[0].text)) == 1
        assert md(notes[5].text) not in section
        ranking = markdown[markdown.index("## Ranking of themes: Item 2") :]
        assert "1. Kundedialog — 3 votes\n2. Rekruttering — 1 vote" in ranking

    def test_csv_has_a_theme_column(self, room, phones):
        import csv
        import io

        workshop, _round, notes, *_rest = _themed_room(room, phones)

        rows = list(csv.DictReader(io.StringIO(_export(workshop, "csv").lstrip("\ufeff"))))

        themes_by_id = {int(row["id"]): row["theme"] for row in rows}
        assert themes_by_id[notes[0].pk] == "Rekruttering"
        assert themes_by_id[notes[3].pk] == "Kundedialog"
        assert themes_by_id[notes[4].pk] == ""

    def test_the_printable_page_shows_the_themes_then_the_rest(self, room, phones):
        workshop, _round, notes, *_rest = _themed_room(room, phones)

        page = _export(workshop, "html")

        assert page.index("1. Rekruttering") < page.index("2. Kundedialog")
        assert page.index("2. Kundedialog") < page.index("Notes in no theme")
        assert page.index("Notes in no theme") < page.index(notes[4].text)
        assert "3 votes" in page


@pytest.mark.django_db
def test_hiding_a_themed_note_redraws_the_themes_and_an_unthemed_one_does_not(room):
    workshop, buzz_round, notes = room
    themes.theme_create(buzz_round=buzz_round, title="Kunder", notes=[notes[2]])
    before = Workshop.objects.get(pk=workshop.pk).seq

    services.note_hide(note=Note.objects.get(pk=notes[2].pk))
    services.note_hide(note=Note.objects.get(pk=notes[4].pk))

    kinds = list(workshop.events.filter(seq__gt=before).values_list("kind", "ref_id"))
    assert kinds == [
        ("note.changed", notes[2].pk),
        ("themes.changed", buzz_round.pk),
        ("note.changed", notes[4].pk),
    ]
