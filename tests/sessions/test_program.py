"""The plain-text program format: the demo program, then every rule and awkward case."""

import codecs

import pytest
from django.utils import translation

from sessions.program import (
    MAX_PROGRAM_BYTES,
    Point,
    ProgramError,
    ProgramTopic,
    decode_program,
    format_program,
    parse_program,
)


@pytest.fixture(autouse=True)
def _english():
    """Error messages are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


def parse(text: str):
    program = parse_program(decode_program(text.encode("utf-8")))
    # Every program these tests read also survives the trip back to text.
    assert parse_program(format_program(program)) == program
    return program


def parse_error(data: bytes | str) -> ProgramError:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with pytest.raises(ProgramError) as caught:
        parse_program(decode_program(data))
    return caught.value


# The demo program


def test_it_reads_the_demo_heading_and_five_items(demo_program):
    assert demo_program.title == "Program"
    assert [item.number for item in demo_program.items] == [1, 2, 3, 4, 5]


def test_it_gives_items_1_and_3_of_the_demo_buzz_groups(demo_program):
    assert [item.number for item in demo_program.items if item.buzz_groups] == [1, 3]


def test_it_reads_five_unlabelled_points_in_demo_item_1(demo_program):
    item = demo_program.items[0]
    assert item.title == "Sosiale mediers fellestrekk og egenart"
    assert len(item.points) == 5
    assert all(point.label is None for point in item.points)
    assert item.points[1].text == "Samspillet tradisjonelle – sosiale medier"
    assert item.body == []
    assert item.topics == []


def test_it_reads_the_topics_of_demo_item_2_in_order(demo_program):
    topics = demo_program.items[1].topics
    assert [topic.name for topic in topics] == [
        "Rekruttering",
        "Samfunnskommunikasjon",
        "Læring",
        "Kundekontakt",
    ]
    starts = ["Bank- og", "Med nye", "Ansatte", "Kommunikasjonen"]
    for topic, start in zip(topics, starts, strict=True):
        assert topic.description.startswith(start)


def test_it_keeps_the_first_two_paragraphs_of_demo_item_2_as_body(demo_program):
    body = demo_program.items[1].body
    assert len(body) == 2
    assert body[0].startswith("Innen næringen finnes det folk")
    assert body[1].startswith("Mitt forslag er i første omgang")
    assert demo_program.items[1].points == []


def test_it_reads_the_labelled_points_of_demo_item_3(demo_program):
    item = demo_program.items[2]
    assert [point.label for point in item.points] == ["Personlig", "Samtale", "Verdi"]
    assert item.points[1].text == "Snakke med mennesker i stedet for å snakke til mennesker."
    # "Har vi sett nytteverdien ... bruken. Dvs. ..." opens with a long sentence: body.
    assert len(item.body) == 2
    assert item.body[0].startswith("Har vi sett nytteverdien")
    assert item.topics == []


def test_it_reads_the_labelled_points_of_demo_item_4(demo_program):
    item = demo_program.items[3]
    assert [point.label for point in item.points] == [
        "Privat vs. offentlig",
        "Lojalitet vs. ytringsfrihet",
        "Muntlig vs skriftlig",
        "Redaktøransvar",
    ]
    assert item.points[0].text == "Hvor privat bør man være i sosiale medier?"
    assert item.points[1].text == "Lojalitet til arbeidsgiver. Men bør arbeidsgiver tåle mer?"
    assert item.body[-1] == "Noen typer utfordringer:"
    assert not item.buzz_groups


def test_it_reads_the_title_of_demo_item_5(demo_program):
    item = demo_program.items[4]
    assert item.title == "Oppsummering og avrunding"
    assert (item.body, item.points, item.topics, item.buzz_groups) == ([], [], [], False)


def test_it_gives_the_demo_as_a_dict_in_the_documented_schema(demo_program):
    data = demo_program.as_dict()
    assert set(data) == {"title", "items"}
    item = data["items"][3]
    assert set(item) == {"number", "title", "body", "points", "topics", "buzz_groups"}
    assert item["points"][0] == {"label": "Privat vs. offentlig", "text": item["points"][0]["text"]}
    assert data["items"][1]["topics"][0]["name"] == "Rekruttering"
    assert set(data["items"][1]["topics"][0]) == {"name", "description"}


# Encodings and line endings

SMALL = "Heading\n1. First\nA paragraph.\n- a point\nSummegrupper\n2. Second\n"


def test_it_reads_utf8_with_a_byte_order_mark():
    program = parse_program(decode_program(codecs.BOM_UTF8 + SMALL.encode("utf-8")))
    assert program.title == "Heading"
    assert program == parse(SMALL)


def test_it_ignores_a_byte_order_mark_left_in_decoded_text():
    assert parse_program("\ufeff" + SMALL) == parse(SMALL)


def test_it_reads_crlf_line_endings():
    assert parse(SMALL.replace("\n", "\r\n")) == parse(SMALL)


def test_it_reads_old_mac_line_endings():
    assert parse(SMALL.replace("\n", "\r")) == parse(SMALL)


def test_it_reads_a_file_without_a_final_newline():
    assert parse(SMALL.rstrip("\n")) == parse(SMALL)


def test_it_ignores_trailing_spaces_and_tabs():
    spaced = "\n".join(line + "  \t " for line in SMALL.split("\n"))
    program = parse(spaced)
    assert program == parse(SMALL)
    assert program.items[0].body == ["A paragraph."]
    assert program.items[1].title == "Second"


def test_it_skips_blank_lines_but_counts_them_for_line_numbers():
    error = parse_error("\n\nHeading\n\n1. First\n\n\n3. Third\n")
    assert error.line == 8


# Buzz-group markers


@pytest.mark.parametrize(
    "marker",
    ["Summegrupper", "SUMMEGRUPPER", "summegrupper:", "Buzz groups", "Buzz groups:", "BUZZ GROUPS"],
)
def test_it_marks_a_buzz_group_segment(marker):
    program = parse(f"Heading\n1. First\n{marker}\n2. Second\n")
    assert program.items[0].buzz_groups
    assert not program.items[1].buzz_groups
    assert program.items[0].body == []


def test_it_takes_a_marker_with_a_space_before_the_colon():
    assert parse("Heading\n1. First\nSummegrupper :\n").items[0].buzz_groups


@pytest.mark.parametrize("line", ["Summegrupper i plenum", "Vi tar summegrupper.", "Buzz"])
def test_it_keeps_a_line_that_only_mentions_buzz_groups_as_body(line):
    item = parse(f"Heading\n1. First\n{line}\n").items[0]
    assert not item.buzz_groups
    assert item.body == [line]


def test_it_puts_the_segment_at_the_end_of_an_item_whatever_follows_the_marker():
    item = parse("Heading\n1. First\nSummegrupper\n- a point after the marker\n").items[0]
    assert item.buzz_groups
    assert item.points == [Point(label=None, text="a point after the marker")]


def test_it_rejects_a_buzz_marker_twice_in_one_item():
    error = parse_error("Heading\n1. First\nSummegrupper\nSome text\nBuzz groups:\n")
    assert error.line == 5
    assert "already has a buzz-group segment" in error.reason


def test_it_allows_one_buzz_marker_in_each_item():
    program = parse("Heading\n1. First\nSummegrupper\n2. Second\nSummegrupper\n")
    assert [item.buzz_groups for item in program.items] == [True, True]


# Points


def test_it_reads_labelled_and_unlabelled_points():
    item = parse(
        "Heading\n1. First\n- plain point\n- Label: labelled point\n- Two words: also labelled\n"
    ).items[0]
    assert item.points == [
        Point(label=None, text="plain point"),
        Point(label="Label", text="labelled point"),
        Point(label="Two words", text="also labelled"),
    ]


@pytest.mark.parametrize("bullet", ["-", "–", "•", "*"])
def test_it_takes_several_bullet_characters(bullet):
    item = parse(f"Heading\n1. First\n{bullet} a point\n").items[0]
    assert item.points == [Point(label=None, text="a point")]


@pytest.mark.parametrize(
    "text",
    [
        "klokka 10:30 tar vi pause",  # no space after the colon
        "Label:",  # nothing after the label
        "this opening phrase is far too long to be a label: rest",
    ],
)
def test_it_leaves_a_point_unlabelled_when_the_colon_is_no_label(text):
    item = parse(f"Heading\n1. First\n- {text}\n").items[0]
    assert item.points == [Point(label=None, text=text)]


def test_it_reads_an_indented_point():
    item = parse("Heading\n1. First\n    - Label: indented\n").items[0]
    assert item.points == [Point(label="Label", text="indented")]


def test_it_keeps_a_dash_without_a_space_as_body():
    item = parse("Heading\n1. First\n-not a point\n").items[0]
    assert item.points == []
    assert item.body == ["-not a point"]


# Topics and body


def test_it_reads_a_three_word_label_as_a_topic():
    item = parse("Heading\n1. First\nSosiale medier nå. Hva skjer der i dag.\n").items[0]
    assert item.topics == [
        ProgramTopic(name="Sosiale medier nå", description="Hva skjer der i dag.")
    ]
    assert item.body == []


def test_it_reads_a_four_word_opening_sentence_as_body():
    line = "Vi starter med kaffe. Deretter går vi i gang."
    item = parse(f"Heading\n1. First\n{line}\n").items[0]
    assert item.topics == []
    assert item.body == [line]


@pytest.mark.parametrize(
    "line",
    [
        "Hei, alle. Velkommen hit.",  # punctuation in the label
        "Velkommen!",
        "Bare en setning.",  # no text after the label
        "Ingen punktum her",
    ],
)
def test_it_keeps_other_paragraphs_as_body(line):
    item = parse(f"Heading\n1. First\n{line}\n").items[0]
    assert item.topics == []
    assert item.body == [line]


def test_it_keeps_paragraphs_and_topics_in_their_own_order():
    item = parse(
        "Heading\n1. First\nFirst paragraph here.\nB. Second topic.\nA. First topic.\nLast one.\n"
    ).items[0]
    assert item.body == ["First paragraph here.", "Last one."]
    assert [topic.name for topic in item.topics] == ["B", "A"]


# Numbered items


def test_it_reads_item_numbers_and_titles():
    program = parse("Heading\n1.  First item\n2. Second: with a colon\n3. Third. With a dot\n")
    assert [(item.number, item.title) for item in program.items] == [
        (1, "First item"),
        (2, "Second: with a colon"),
        (3, "Third. With a dot"),
    ]


def test_it_reads_ten_and_more_items():
    text = "Heading\n" + "".join(f"{n}. Item {n}\n" for n in range(1, 13))
    assert [item.number for item in parse(text).items] == list(range(1, 13))


def test_it_rejects_numbers_out_of_order_and_names_the_line():
    error = parse_error("Heading\n1. First\nText\n3. Third\n")
    assert error.line == 4
    assert error.reason == "expected agenda item 2, found item 3"
    assert str(error) == "line 4: expected agenda item 2, found item 3"


def test_it_rejects_a_repeated_number():
    error = parse_error("Heading\n1. First\n2. Second\n2. Again\n")
    assert error.line == 4


def test_it_rejects_an_agenda_that_does_not_start_at_1():
    error = parse_error("Heading\n2. Second\n")
    assert error.line == 2
    assert "expected agenda item 1" in error.reason


def test_it_rejects_a_file_with_no_numbered_item():
    error = parse_error("Heading\nSome text.\n- a point\n")
    assert error.line == 1
    assert "no numbered agenda item" in error.reason


def test_it_rejects_a_file_with_only_a_heading():
    error = parse_error("Heading\n")
    assert "no numbered agenda item" in error.reason


def test_it_rejects_text_before_item_1_and_names_the_line():
    error = parse_error("Heading\nA subtitle\n1. First\n")
    assert error.line == 2
    assert "before the first agenda item" in error.reason


def test_it_reads_a_number_without_a_space_as_body():
    item = parse("Heading\n1. First\n2.5 millioner brukere\n").items[0]
    assert item.body == ["2.5 millioner brukere"]


# The heading


def test_it_takes_an_item_line_at_the_top_as_item_1_when_there_is_no_heading():
    program = parse("1. First\n- a point\n2. Second\n")
    assert program.title == ""
    assert [item.title for item in program.items] == ["First", "Second"]


def test_it_takes_a_lone_item_line_as_item_1():
    program = parse("1. Only item\n")
    assert program.title == ""
    assert [item.title for item in program.items] == ["Only item"]


def test_it_takes_a_numbered_heading_when_the_agenda_starts_at_1_below_it():
    program = parse("1. samling: Sosiale medier\n1. First\n2. Second\n")
    assert program.title == "1. samling: Sosiale medier"
    assert [item.number for item in program.items] == [1, 2]


def test_it_takes_a_heading_numbered_other_than_1_as_the_heading():
    program = parse("12. samling om sosiale medier\n1. First\n")
    assert program.title == "12. samling om sosiale medier"
    assert [item.title for item in program.items] == ["First"]


def test_it_strips_the_heading():
    assert parse("   Heading with spaces   \n1. First\n").title == "Heading with spaces"


# Files it cannot take


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \r\n\t\n", codecs.BOM_UTF8])
def test_it_rejects_an_empty_file(data):
    error = parse_error(data)
    assert error.line == 1
    assert "empty" in error.reason


def test_it_rejects_a_file_that_is_not_utf8_and_names_the_line_of_the_bad_byte():
    data = "Heading\n1. Første\nBlåbær\n".encode("latin-1")
    error = parse_error(data)
    assert error.line == 2
    assert "not UTF-8" in error.reason


def test_it_names_the_line_of_a_bad_byte_after_a_byte_order_mark():
    error = parse_error(codecs.BOM_UTF8 + b"H\n\xff")
    assert error.line == 2


def test_it_rejects_utf16():
    error = parse_error(SMALL.encode("utf-16"))
    assert error.line == 1
    assert "not UTF-8" in error.reason


def test_it_rejects_a_10_mb_file_by_its_size():
    data = ("Heading\n1. First\n" + "x" * 80 + "\n").encode() * (10 * 1024 * 1024 // 100)
    assert len(data) > MAX_PROGRAM_BYTES
    error = parse_error(data)
    assert error.line is None
    assert "MB" in error.reason
    assert str(error) == error.reason  # no "line N:" for the file as a whole


def test_it_takes_a_file_just_under_the_size_limit():
    item_line = b"1. First\n"
    data = b"Heading\n" + item_line + b"x" * (MAX_PROGRAM_BYTES - len(item_line) - 9) + b"\n"
    assert len(data) <= MAX_PROGRAM_BYTES
    assert len(parse_program(decode_program(data)).items) == 1


def test_it_rejects_a_nul_character_and_names_the_line():
    error = parse_error("Heading\n1. First\nbad\x00line\n")
    assert error.line == 3
