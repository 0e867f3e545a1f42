"""Suggestions, honestly: only the same note posted twice is offered for merging."""

import pytest

from buzzgroups.duplicates import Pair, duplicate_pairs, edit_distance, is_duplicate, normalise


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Svare kunder på Facebook samme dag", "Svare kunder på Facebook samme dag"),
        ("Svare kunder på Facebook samme dag", "svare kunder på facebook samme dag!"),
        ("Svare kunder på Facebook samme dag", "  Svare kunder   på Facebook,  samme dag. "),
        ("Kundeservice på nett", "Kunde service på nett"),
        ("Rekruttere unge via LinkedIn", "Rekrutere unge via LinkedIn"),  # a typo
        ("Læring på tvers av avdelinger", "Læring på tvers av avdelnger"),
        ("ＬｉｎｋｅｄＩｎ-annonser", "linkedin annonser"),  # full width, a hyphen
    ],
)
def test_the_same_note_twice_is_a_duplicate(first, second):
    assert is_duplicate(first, second)
    assert is_duplicate(second, first)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Sharing most words is not saying the same thing.
        ("Rekruttere unge via LinkedIn", "Rekruttere eldre via LinkedIn"),
        (
            "Vi bør ha lav terskel for å svare kunder på nett",
            "Vi bør ha høy terskel for å svare kunder på nett",
        ),
        ("Bruke Facebook til kundeservice", "Ikke bruke Facebook til kundeservice"),
        ("Svare kunder på Facebook samme dag", "Svare kunder på Twitter samme dag"),
        ("Kundeservice i chat", "Kundeservice i chatbot"),
        ("ja", "jo"),  # too short to guess at a typo
        ("Innspill 1 fra bordet ved vinduet", "Innspill 2 fra bordet ved vinduet"),
        ("Kunder i banken vil ha svar raskt", "Kunder å banken vil ha svar raskt"),
        ("", ""),
        ("!!!", "???"),  # nothing left once punctuation is gone
    ],
)
def test_different_notes_are_not_duplicates(first, second):
    assert not is_duplicate(first, second)


def test_normalising_folds_case_spacing_and_punctuation():
    assert normalise("  «Læring» – på\tnett!! ") == "læring på nett"


def test_the_edit_distance_stops_counting_past_its_limit():
    assert edit_distance("facebook", "facebok", 2) == 1
    assert edit_distance("kitten", "sitting", 3) == 3
    assert edit_distance("kitten", "sitting", 2) == 3
    assert edit_distance("a" * 40, "b" * 40, 3) == 4


def test_pairs_come_in_the_order_of_the_notes_and_each_once():
    notes = [
        (10, "Rekruttere unge via LinkedIn"),
        (11, "Svare kunder på Facebook samme dag"),
        (12, "rekruttere unge via linkedin."),
        (13, "Svare kunder på Facebook samme dag!"),
        (14, "Svare kunder på Facebok samme dag"),
        (15, "Læring"),
    ]

    assert duplicate_pairs(notes) == [
        Pair(10, 12),
        Pair(11, 13),
        Pair(11, 14),
        Pair(13, 14),
    ]


def test_a_hundred_notes_are_compared_quickly():
    import time

    notes = [(i, f"Notat nummer {i} om sosiale medier i banken, tema {i % 7}") for i in range(100)]
    started = time.perf_counter()
    duplicate_pairs(notes)
    assert time.perf_counter() - started < 0.5
