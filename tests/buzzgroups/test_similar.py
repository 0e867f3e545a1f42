"""The pluggable suggestion engine: no model by default, a stand-in to test the plumbing."""

import uuid

import pytest
from django.utils import translation

from buzzgroups import services, theme_screens
from buzzgroups.similar import similar_pairs
from sessions.services import round_open, show_goto
from tests.buzzgroups.test_themes import use_areas_round

STAND_IN = "tests.buzzgroups.test_similar.stand_in"


def stand_in(texts: list[str]) -> list[list[float]]:
    """A model stand-in: a note about customers points one way, about hiring another."""
    vectors = []
    for text in texts:
        lowered = text.lower()
        vectors.append(
            [
                1.0 if "kunde" in lowered else 0.0,
                1.0 if "rekrutt" in lowered or "ansett" in lowered else 0.0,
                0.1,
            ]
        )
    return vectors


def broken(texts):
    raise RuntimeError("the model server is down")


def too_few(texts):
    return [[1.0, 0.0]]


NOTES = [
    (1, "Svare kunder på Facebook"),
    (2, "Kundeservice i chat"),
    (3, "Rekruttere unge via LinkedIn"),
    (4, "Ansette folk som kan sosiale medier"),
    (5, "Dele fagkunnskap internt"),
]


def test_without_a_vectoriser_nothing_is_suggested(settings):
    settings.SUMMA_THEME_VECTORISER = None
    assert similar_pairs(NOTES) == []


def test_the_configured_vectoriser_finds_alike_notes(settings):
    settings.SUMMA_THEME_VECTORISER = STAND_IN
    settings.SUMMA_THEME_SIMILARITY_PERCENT = 90

    assert similar_pairs(NOTES) == [(1, 2), (3, 4)]


@pytest.mark.parametrize(
    "path",
    [
        "tests.buzzgroups.test_similar.broken",
        "no.such.module",
        STAND_IN.replace("stand_in", "too_few"),
    ],
)
def test_a_failing_vectoriser_suggests_nothing_and_breaks_nothing(settings, path, caplog):
    settings.SUMMA_THEME_VECTORISER = path

    assert similar_pairs(NOTES) == []
    assert "SUMMA_THEME_VECTORISER" in caplog.text


@pytest.mark.django_db
def test_the_synthesis_board_offers_alike_notes_apart_from_duplicates(settings, workshop, phones):
    settings.SUMMA_THEME_VECTORISER = STAND_IN
    buzz_round = use_areas_round(workshop)
    show_goto(workshop=workshop, number=2)
    round_open(buzz_round=buzz_round, minutes=10)
    prompt_id = buzz_round.prompts.get().pk
    made = {
        text: services.note_create(
            author=phones[n % 4], text=text, prompt_id=prompt_id, client_id=uuid.uuid4()
        )[0]
        for n, text in enumerate(
            ["Svare kunder på Facebook", "Svare kunder på Facebook!", "Dele fagkunnskap internt"]
        )
    }

    board = theme_screens.theme_board(buzz_round, include_hidden=True, suggest=True)

    [suggestion] = board.suggestions  # the duplicate, once, though the model agrees
    assert suggestion.duplicate
    assert {suggestion.first.pk, suggestion.second.pk} == {
        made["Svare kunder på Facebook"].pk,
        made["Svare kunder på Facebook!"].pk,
    }
    services.note_create(
        author=phones[3], text="Kundeservice i chat", prompt_id=prompt_id, client_id=uuid.uuid4()
    )
    board = theme_screens.theme_board(buzz_round, include_hidden=True, suggest=True)
    assert [s.duplicate for s in board.suggestions] == [True, False, False]
    with translation.override("en"):
        from django.template.loader import render_to_string

        html = render_to_string(
            "buzzgroups/_theme_board.html",
            {"board": board, "round": buzz_round, "workshop": workshop, "seq": 0},
        )
    assert html.count("Alike, says the model") == 2
