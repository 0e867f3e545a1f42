"""The session summary: each format read back and compared with the notes in the database."""

import csv
import io
import json
import unicodedata
import uuid
from datetime import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync
from django.core.management import CommandError, call_command
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from pypdf.generic import NameObject

from buzzgroups import summary
from buzzgroups.models import Note
from buzzgroups.services import group_rename, note_create, note_hide, note_highlight
from sessions.access import PARTICIPANTS_SESSION_KEY
from sessions.models import AgendaItem
from sessions.services import workshop_create

pytestmark = pytest.mark.django_db

AWKWARD = {
    "nordic": "Blåbærsyltetøy på Ærøy – ÆØÅ æøå",
    "zwj": "Familien 👩‍👩‍👧 og flagget 🇳🇴",
    "combining": "Ikke sammensatt: e\u0301 a\u030a o\u0308 n\u0303",
    "arabic": "مرحبا بكم في الورشة",
    "hebrew": "שלום לכולם מהקבוצה",
    "override": "Før \u202eetter",
    "script": "<script>alert('x')</script> og tekst",
    "img": '<img src=x onerror="alert(1)"> bilde',
}


def write(phone, prompt, text: str, topic=None) -> Note:
    note, _created = note_create(
        author=phone,
        text=text,
        prompt_id=prompt.pk,
        client_id=uuid.uuid4(),
        topic_id=topic.pk if topic else None,
    )
    return note


@pytest.fixture
def workshop(facilitator, demo_program):
    """The demo workshop in English: the labels the tests read are then the source
    strings, whether or not the Norwegian catalogue is compiled."""
    return workshop_create(owner=facilitator, program=demo_program, language="en")


@pytest.fixture
def room(workshop, open_first_round, phones):
    """A buzz round of the demo workshop as four phones left it."""
    use_cases, challenges = open_first_round.prompts.all()
    topic = AgendaItem.objects.get(workshop=workshop, number=2).topics.first()
    ada, nameless, bo, _fourth = phones
    notes = SimpleNamespace(
        use_case=write(ada, use_cases, "Kundeservice på nett, også i helgene"),
        challenge=write(ada, challenges, "Hvem eier kontoen når en ansatt slutter?"),
        early=write(nameless, use_cases, "Skrevet først", topic=topic),
        starred=write(nameless, use_cases, "Skrevet sist, men løftet fram"),
        hidden=write(bo, challenges, "Dette ble skjult av ordstyreren"),
    )
    note_highlight(note=notes.starred)
    note_hide(note=notes.hidden)
    return SimpleNamespace(
        workshop=workshop, round=open_first_round, phones=phones, notes=notes, topic=topic
    )


@pytest.fixture
def awkward(room):
    """A note for each awkward kind of text, from the first phone."""
    use_cases = room.round.prompts.first()
    return {kind: write(room.phones[0], use_cases, text) for kind, text in AWKWARD.items()}


def export(workshop, fmt: str, *, include_hidden: bool = False):
    data = summary.build_summary(workshop, include_hidden=include_hidden)
    if fmt == "pdf":
        return summary.pdf_bytes(data)
    return "".join(summary.text_chunks(data, fmt))


def notes_in_db(workshop, *, include_hidden: bool = False) -> list[Note]:
    notes = Note.objects.filter(workshop=workshop).select_related("group", "prompt", "topic")
    return list(notes if include_hidden else notes.filter(hidden=False))


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


class NoteTexts(HTMLParser):
    """The texts of the notes on the printable page, as a browser would show them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attrs: list[dict] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and "text" in (attrs.get("class") or "").split():
            self._open = True
            self.texts.append("")
            self.attrs.append(attrs)

    def handle_endtag(self, tag):
        if tag == "p":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.texts[-1] += data


def read_html(text: str) -> NoteTexts:
    parser = NoteTexts()
    parser.feed(text)
    return parser


def read_markdown(text: str) -> list[tuple[str, str, str]]:
    """(group, prompt, line) for each note line of the Markdown."""
    group = prompt = None
    found = []
    for line in text.splitlines():
        if line.startswith("### "):
            group = line[4:]
        elif line.startswith("**") and line.endswith("**"):
            prompt = line[2:-2]
        elif line.startswith("- "):
            found.append((group, prompt, line[2:]))
        elif line.startswith("## "):
            group = prompt = None
    return found


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            # WeasyPrint writes its own identity CMap when a font lacks a glyph
            # (an emoji without an emoji font); pypdf reads only named ones.
            # Both map glyph codes as they are, so tell pypdf the name.
            if not isinstance(font.get("/Encoding"), NameObject):
                font[NameObject("/Encoding")] = NameObject("/Identity-H")
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """Text as a PDF keeps it: glyphs, no invisible format characters, spaces as breaks.

    A font may draw a letter with a combining mark as one glyph (a + ring as å),
    so both sides are compared composed (NFC): the same letters.
    """
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFC", visible).split())


# --- CSV ----------------------------------------------------------------------


def test_csv_has_a_row_for_each_visible_note_as_in_the_database(room):
    rows = read_csv(export(room.workshop, "csv"))

    assert list(rows[0]) == list(summary.CSV_COLUMNS)
    by_id = {int(row["id"]): row for row in rows}
    notes = notes_in_db(room.workshop)
    assert set(by_id) == {note.pk for note in notes}
    for note in notes:
        row = by_id[note.pk]
        assert row["group"] == note.group.name
        assert row["agenda_number"] == "1"
        assert row["prompt"] == note.prompt.title
        assert row["topic"] == (note.topic.name if note.topic else "")
        assert row["text"] == note.text
        assert row["votes"] == "0"
        assert row["hidden"] == "false"
        assert row["highlighted"] == ("true" if note.highlighted else "false")
        assert datetime.fromisoformat(row["created_at"]) == note.created_at


def test_csv_leaves_hidden_notes_out(room):
    ids = {int(row["id"]) for row in read_csv(export(room.workshop, "csv"))}

    assert room.notes.hidden.pk not in ids


def test_csv_includes_hidden_notes_marked_when_asked(room):
    rows = read_csv(export(room.workshop, "csv", include_hidden=True))

    by_id = {int(row["id"]): row for row in rows}
    assert set(by_id) == {note.pk for note in notes_in_db(room.workshop, include_hidden=True)}
    assert by_id[room.notes.hidden.pk]["hidden"] == "true"
    assert by_id[room.notes.hidden.pk]["text"] == room.notes.hidden.text


def test_csv_neutralises_cells_a_spreadsheet_would_run(room):
    use_cases = room.round.prompts.first()
    formulas = ["=SUM(A1:A9)", "+47 22 00 00 00", "-1 for dette", "@bruker sa det"]
    notes = [write(room.phones[3], use_cases, text) for text in formulas]
    group_rename(group=room.phones[3].group, name='=HYPERLINK("http://x","klikk")')

    by_id = {int(row["id"]): row for row in read_csv(export(room.workshop, "csv"))}

    for note in notes:
        assert by_id[note.pk]["text"] == "'" + note.text
        assert by_id[note.pk]["group"] == "'" + '=HYPERLINK("http://x","klikk")'
    assert by_id[room.notes.use_case.pk]["text"] == room.notes.use_case.text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_quotes_every_formula_start(start):
    assert summary.neutralise(start + "1+1") == "'" + start + "1+1"


def test_neutralise_leaves_ordinary_text_alone():
    assert summary.neutralise("Vanlig tekst = greit") == "Vanlig tekst = greit"


# --- JSON ---------------------------------------------------------------------


def test_json_has_the_documented_shape(room):
    document = json.loads(export(room.workshop, "json"))

    assert list(document) == [
        "workshop",
        "agenda",
        "groups",
        "notes",
        "ranking",
        "topic_rankings",
        "themes",
    ]
    assert set(document["workshop"]) == {"title", "join_code", "language", "date"}
    assert {tuple(item) for item in document["agenda"]} == {
        ("number", "title", "planned_minutes", "actual_minutes")
    }
    assert {tuple(group) for group in document["groups"]} == {("name", "participants", "notes")}
    assert {tuple(note) for note in document["notes"]} == {
        (
            "id",
            "group",
            "agenda_number",
            "prompt",
            "topic",
            "text",
            "votes",
            "hidden",
            "highlighted",
            "created_at",
            "theme",
            "approved",
        )
    }
    assert document["ranking"] == []
    assert document["themes"] == []


def test_json_describes_the_workshop(room):
    workshop = room.workshop
    document = json.loads(export(workshop, "json"))

    assert document["workshop"] == {
        "title": workshop.title,
        "join_code": workshop.join_code,
        "language": "en",
        "date": timezone.localdate(workshop.started_at).isoformat(),
    }
    assert [item["number"] for item in document["agenda"]] == [1, 2, 3, 4, 5]
    assert document["agenda"][0]["title"] == workshop.items.get(number=1).title


def test_json_notes_are_the_notes_in_the_database(room):
    document = json.loads(export(room.workshop, "json"))

    by_id = {note["id"]: note for note in document["notes"]}
    notes = notes_in_db(room.workshop)
    assert set(by_id) == {note.pk for note in notes}
    for note in notes:
        assert by_id[note.pk] == {
            "id": note.pk,
            "group": note.group.name,
            "agenda_number": 1,
            "prompt": note.prompt.title,
            "topic": note.topic.name if note.topic else None,
            "text": note.text,
            "votes": 0,
            "hidden": False,
            "highlighted": note.highlighted,
            "created_at": timezone.localtime(note.created_at).isoformat(),
            "theme": None,
            "approved": True,
        }


def test_json_includes_hidden_notes_marked_when_asked(room):
    document = json.loads(export(room.workshop, "json", include_hidden=True))

    hidden = [note for note in document["notes"] if note["hidden"]]
    assert [note["id"] for note in hidden] == [room.notes.hidden.pk]


def test_notes_come_by_group_and_prompt_with_highlighted_ones_first(room):
    document = json.loads(export(room.workshop, "json"))

    order = [note["id"] for note in document["notes"]]
    n = room.notes
    # Group 1: its use case, then its challenge; group 2: the starred note
    # before the earlier one of the same prompt.
    assert order == [n.use_case.pk, n.challenge.pk, n.starred.pk, n.early.pk]


def test_groups_count_participants_and_notes(room):
    document = json.loads(export(room.workshop, "json"))

    assert document["groups"] == [
        {"name": "Group 1", "participants": 1, "notes": 2},
        {"name": "Group 2", "participants": 1, "notes": 2},
        {"name": "Group 3", "participants": 1, "notes": 0},
        {"name": "Group 4", "participants": 1, "notes": 0},
    ]
    with_hidden = json.loads(export(room.workshop, "json", include_hidden=True))
    assert with_hidden["groups"][2]["notes"] == 1


def test_agenda_has_planned_and_actual_minutes(room):
    AgendaItem.objects.filter(workshop=room.workshop, number=2).update(
        planned_minutes=15, actual_seconds=754
    )

    agenda = json.loads(export(room.workshop, "json"))["agenda"]

    assert agenda[1] == {
        "number": 2,
        "title": room.workshop.items.get(number=2).title,
        "planned_minutes": 15,
        "actual_minutes": 13,
    }
    assert agenda[2]["planned_minutes"] is None
    assert agenda[2]["actual_minutes"] == 0


# --- Votes --------------------------------------------------------------------


def test_no_votes_means_an_empty_ranking(room):
    assert summary.vote_counts(room.workshop) == {}
    assert json.loads(export(room.workshop, "json"))["ranking"] == []
    assert "## Ranking" not in export(room.workshop, "md")


def test_votes_show_on_notes_and_in_the_ranking(room, monkeypatch):
    n = room.notes
    votes = {n.use_case.pk: 5, n.early.pk: 3, n.challenge.pk: 3, n.hidden.pk: 9}
    monkeypatch.setattr(summary.reading, "vote_counts", lambda workshop: votes)

    document = json.loads(export(room.workshop, "json"))

    assert {note["id"]: note["votes"] for note in document["notes"]} == {
        n.use_case.pk: 5,
        n.challenge.pk: 3,
        n.early.pk: 3,
        n.starred.pk: 0,
    }
    assert [(line["rank"], line["id"], line["votes"]) for line in document["ranking"]] == [
        (1, n.use_case.pk, 5),
        (2, n.challenge.pk, 3),
        (2, n.early.pk, 3),
    ]
    markdown = export(room.workshop, "md")
    assert "## Ranking" in markdown
    assert f"1. {n.use_case.text} — Group 1 — 5 votes" in markdown
    rows = read_csv(export(room.workshop, "csv"))
    assert {int(row["id"]): row["votes"] for row in rows}[n.use_case.pk] == "5"
    assert "5 votes" in export(room.workshop, "html")


def test_hidden_notes_are_ranked_only_when_included(room, monkeypatch):
    monkeypatch.setattr(summary.reading, "vote_counts", lambda workshop: {room.notes.hidden.pk: 9})

    ranking = json.loads(export(room.workshop, "json", include_hidden=True))["ranking"]

    assert [line["id"] for line in ranking] == [room.notes.hidden.pk]


# --- Markdown -----------------------------------------------------------------


def test_markdown_lists_each_note_under_its_group_and_prompt(room):
    lines = read_markdown(export(room.workshop, "md"))

    n = room.notes
    assert lines == [
        ("Group 1", "Use cases", n.use_case.text),
        ("Group 1", "Challenges", n.challenge.text),
        ("Group 2", "Use cases", f"★ {n.starred.text}"),
        ("Group 2", "Use cases", f"{n.early.text} — _{room.topic.name}_"),
    ]


def test_markdown_marks_hidden_notes_when_asked(room):
    lines = read_markdown(export(room.workshop, "md", include_hidden=True))

    assert ("Group 3", "Challenges", f"{room.notes.hidden.text} — (hidden)") in lines


def test_markdown_has_the_agenda_and_the_groups(room):
    text = export(room.workshop, "md")

    assert text.startswith(f"# {room.workshop.title}\n")
    assert f"Join code: {room.workshop.join_code}" in text
    assert "| 1 | Sosiale mediers fellestrekk og egenart | – | 0 min |" in text
    assert "| Group 1 | 1 | 2 |" in text
    assert "| **Total** | 4 | 4 |" in text


def test_markdown_keeps_a_note_with_several_lines_in_its_list_item(room):
    note = write(room.phones[0], room.round.prompts.first(), "Første linje\nAndre linje")

    text = export(room.workshop, "md")

    assert f"- {note.text.splitlines()[0]}  \n  Andre linje\n" in text


# --- HTML ---------------------------------------------------------------------


def test_html_page_shows_each_visible_note(room):
    page = read_html(export(room.workshop, "html"))

    assert sorted(page.texts) == sorted(note.text for note in notes_in_db(room.workshop))
    assert all(attrs["dir"] == "auto" for attrs in page.attrs)


def test_html_page_is_in_the_workshop_language_and_stands_alone(facilitator, demo_program):
    workshop = workshop_create(owner=facilitator, program=demo_program, language="nb")

    text = export(workshop, "html")

    assert '<html lang="nb">' in text
    assert "norsk (bokmål)" in text
    assert "<style>" in text and "@page" in text


def test_html_page_of_an_english_workshop_says_so(facilitator, demo_program):
    workshop = workshop_create(owner=facilitator, program=demo_program, language="en")

    text = export(workshop, "html")

    assert '<html lang="en">' in text
    assert "Language: English" in text


def test_labels_follow_the_workshop_language_not_the_readers(facilitator, demo_program):
    norwegian = workshop_create(owner=facilitator, program=demo_program, language="nb")
    english = workshop_create(owner=facilitator, program=demo_program, language="en")

    with translation.override("en"):
        assert "· Oppsummering</title>" in export(norwegian, "html")
        assert translation.get_language() == "en"
    with translation.override("nb"):
        assert "· Summary</title>" in export(english, "html")
        assert translation.get_language() == "nb"


def test_html_page_escapes_what_people_wrote(awkward):
    text = export(awkward["script"].workshop, "html")

    assert "<script" not in text
    assert "<img" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text


def test_html_page_marks_right_to_left_notes_for_the_pdf(awkward):
    page = read_html(export(awkward["arabic"].workshop, "html"))

    classes = dict(zip(page.texts, (attrs["class"] for attrs in page.attrs), strict=True))
    assert classes[AWKWARD["arabic"]] == "text rtl"
    assert classes[AWKWARD["hebrew"]] == "text rtl"
    assert classes[AWKWARD["nordic"]] == "text"


# --- Awkward characters, every format -------------------------------------------


def test_awkward_characters_survive_csv_exactly(awkward):
    rows = read_csv(export(awkward["nordic"].workshop, "csv"))

    texts = {int(row["id"]): row["text"] for row in rows}
    for note in awkward.values():
        assert texts[note.pk] == note.text


def test_awkward_characters_survive_json_exactly(awkward):
    text = export(awkward["nordic"].workshop, "json")

    texts = {note["id"]: note["text"] for note in json.loads(text)["notes"]}
    for note in awkward.values():
        assert texts[note.pk] == note.text
        # Written as they are, not as \u escapes.
        assert json.dumps(note.text, ensure_ascii=False) in text


def test_awkward_characters_survive_markdown_exactly(awkward):
    shown = rendered_markdown(export(awkward["nordic"].workshop, "md"))

    for note in awkward.values():
        assert note.text in shown.items


MARKUP = {
    "script": "<script>alert(1)</script>",
    "emphasis": "*very* important and __bold__ and `code`",
    "link": "[click](https://evil.example) ![img](x.png) <https://evil.example>",
    "html": '<img src=x onerror="alert(1)"> &amp; &copy; <b>bold</b>',
    "list": "1. not a list",
    "dash": "- not a bullet",
    "heading": "# not a heading",
    "rule": "---",
    "lines": "first line\n# second line\n    indented\n=====",
    "table": "a | b | c",
    "backslash": "C:\\path\\*.txt ends with \\",
    "quote": "> not a quote",
}


class RenderedMarkdown(HTMLParser):
    """What a reader sees of rendered Markdown: each list item's text, and the tags used."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.tags: list[str] = []
        self.item_tags: list[str] = []  # tags inside a note's list item
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if self._depth:
            self.item_tags.append(tag)
        if tag == "li":
            self._depth += 1
            if self._depth == 1:
                self.items.append("")

    def handle_endtag(self, tag):
        if tag == "li":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.items[-1] += data


def rendered_markdown(text: str) -> RenderedMarkdown:
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML allowed: the strictest test of the escaping.
    html = MarkdownIt("commonmark", {"html": True}).render(text)
    page = RenderedMarkdown()
    page.feed(html)
    page.items = [item.strip() for item in page.items]
    return page


def test_markdown_renders_as_exactly_what_people_wrote(room):
    use_cases = room.round.prompts.first()
    notes = {kind: write(room.phones[0], use_cases, text) for kind, text in MARKUP.items()}
    group_rename(group=room.phones[0].group, name="<b>Gruppe</b> *1*")

    shown = rendered_markdown(export(room.workshop, "md"))

    for kind, note in notes.items():
        lines = [line.strip() for line in note.text.splitlines()]
        assert "\n".join(lines) in shown.items, kind
    for tag in ("script", "img", "a", "code", "pre", "hr", "blockquote", "b", "ol", "h2", "h3"):
        assert tag not in shown.item_tags, tag
    # Inside the notes: line breaks, and the one topic in italics.
    assert set(shown.item_tags) == {"br", "em"}
    assert shown.item_tags.count("em") == 1
    assert shown.tags.count("h1") == 1


def test_awkward_characters_survive_html_exactly(awkward):
    page = read_html(export(awkward["nordic"].workshop, "html"))

    for note in awkward.values():
        assert note.text in page.texts


def test_awkward_characters_survive_the_bytes_of_a_download(client, facilitator, awkward):
    client.force_login(facilitator)
    workshop = awkward["nordic"].workshop

    written = {
        # Markdown escapes markup (a backslash before < > & and the like).
        "md": summary.markdown_text,
        "csv": lambda text: text.replace('"', '""'),
        "json": lambda text: json.dumps(text, ensure_ascii=False),
    }
    for fmt, as_written in written.items():
        body = b"".join(client.get(download_url(workshop, fmt)).streaming_content)
        for note in awkward.values():
            assert as_written(note.text).encode() in body, (fmt, note.text)


def test_pdf_keeps_the_awkward_characters_a_pdf_can_keep(awkward):
    text = pdf_text(export(awkward["nordic"].workshop, "pdf"))

    # A PDF holds glyphs: æøå, Arabic and Hebrew come back as written, letters
    # with combining marks as the same letters. Invisible format characters
    # (the zero-width joiner, the right-to-left override) are not glyphs and
    # need not come back, and the override shows, as it should, the letters
    # after it reversed.
    for kind in ("nordic", "combining", "arabic", "hebrew", "script", "img", "zwj"):
        assert squeeze(AWKWARD[kind]) in squeeze(text), kind
    assert "Før rette" in squeeze(text)


# --- PDF ----------------------------------------------------------------------


def test_pdf_is_a4_with_page_numbers_and_every_visible_note(room):
    data = export(room.workshop, "pdf")

    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pdf_text(data)
    assert f"1 / {len(reader.pages)}" in text
    for note in notes_in_db(room.workshop):
        assert squeeze(note.text) in squeeze(text)
    assert room.notes.hidden.text not in text
    assert room.workshop.title in text


def test_pdf_includes_hidden_notes_when_asked(room):
    text = pdf_text(export(room.workshop, "pdf", include_hidden=True))

    assert squeeze(room.notes.hidden.text) in squeeze(text)


# --- The command ----------------------------------------------------------------


def test_command_writes_a_file(room, tmp_path):
    path = tmp_path / "summary.csv"

    call_command(
        "export_summary", room.workshop.join_code.lower(), "--format", "csv", "-o", str(path)
    )

    rows = read_csv(path.read_text(encoding="utf-8"))
    assert {int(row["id"]) for row in rows} == {note.pk for note in notes_in_db(room.workshop)}
    assert list(tmp_path.iterdir()) == [path]


def test_command_prints_to_standard_output(room):
    out = io.StringIO()

    call_command(
        "export_summary",
        room.workshop.join_code,
        "--format",
        "json",
        "--include-hidden",
        stdout=out,
    )

    document = json.loads(out.getvalue())
    assert {note["id"] for note in document["notes"]} == {
        note.pk for note in notes_in_db(room.workshop, include_hidden=True)
    }


def test_command_writes_markdown_by_default(room):
    out = io.StringIO()

    call_command("export_summary", room.workshop.join_code, stdout=out)

    assert out.getvalue() == export(room.workshop, "md")


def test_command_writes_a_pdf_to_a_file(room, tmp_path):
    path = tmp_path / "summary.pdf"

    call_command("export_summary", room.workshop.join_code, "--format", "pdf", "-o", str(path))

    assert squeeze(room.notes.use_case.text) in squeeze(pdf_text(path.read_bytes()))


def test_command_wants_a_file_for_a_pdf(room):
    with pytest.raises(CommandError, match="-o FILE"):
        call_command("export_summary", room.workshop.join_code, "--format", "pdf")


def test_command_says_so_when_no_workshop_has_the_code(db):
    with pytest.raises(CommandError, match="No workshop has the join code 'NOSUCH'"):
        call_command("export_summary", "NOSUCH")


def test_command_says_so_when_it_cannot_write(room, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_summary", room.workshop.join_code, "-o", str(tmp_path / "no" / "such.md")
        )


# --- The download view ------------------------------------------------------------


def download_url(workshop, fmt: str) -> str:
    return reverse("buzzgroups:summary_download", args=[workshop.join_code, fmt])


@pytest.mark.parametrize("fmt", summary.FORMATS)
def test_anonymous_visitors_are_sent_to_the_login(client, room, fmt):
    url = download_url(room.workshop, fmt)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("fmt", summary.FORMATS)
def test_a_participant_is_sent_to_the_login(client, room, fmt):
    session = client.session
    session[PARTICIPANTS_SESSION_KEY] = {str(room.workshop.pk): room.phones[0].pk}
    session.save()

    assert client.get(download_url(room.workshop, fmt)).status_code == 302


@pytest.mark.parametrize("fmt", summary.FORMATS)
def test_another_facilitator_gets_a_404(client, room, other_facilitator, fmt):
    client.force_login(other_facilitator)

    assert client.get(download_url(room.workshop, fmt)).status_code == 404


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_the_facilitator_downloads_a_text_format(client, facilitator, room, fmt):
    client.force_login(facilitator)

    response = client.get(download_url(room.workshop, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == summary.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="summa-{room.workshop.join_code}.{fmt}"'
    )
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).decode() == export(room.workshop, fmt)


def test_the_facilitator_opens_the_printable_page(client, facilitator, room):
    client.force_login(facilitator)

    response = client.get(download_url(room.workshop, "html"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'inline; filename="summa-{room.workshop.join_code}.html"'
    )
    body = b"".join(response.streaming_content).decode()
    # Served by the site, the page links its stylesheet: no inline style under the CSP.
    assert '<link rel="stylesheet" href="/static/summa/summary.css">' in body
    assert "<style>" not in body
    assert sorted(read_html(body).texts) == sorted(n.text for n in notes_in_db(room.workshop))


def test_the_facilitator_downloads_the_pdf(client, facilitator, room):
    client.force_login(facilitator)

    response = client.get(download_url(room.workshop, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="summa-{room.workshop.join_code}.pdf"'
    )
    assert squeeze(room.notes.use_case.text) in squeeze(pdf_text(response.content))


def test_hidden_notes_download_only_when_asked(client, facilitator, room):
    client.force_login(facilitator)
    url = download_url(room.workshop, "json")

    without = json.loads(b"".join(client.get(url).streaming_content))
    with_hidden = json.loads(b"".join(client.get(url + "?include_hidden=1").streaming_content))

    assert room.notes.hidden.pk not in {note["id"] for note in without["notes"]}
    assert room.notes.hidden.pk in {note["id"] for note in with_hidden["notes"]}


def test_an_unknown_format_is_a_404(client, facilitator, room):
    client.force_login(facilitator)

    assert client.get(download_url(room.workshop, "docx")).status_code == 404


def test_a_post_is_refused(client, facilitator, room):
    client.force_login(facilitator)

    assert client.post(download_url(room.workshop, "csv")).status_code == 405


def test_under_asgi_the_download_streams_without_reading_it_all_first(facilitator, room):
    async def download():
        client = AsyncClient()
        await client.aforce_login(facilitator)
        response = await client.get(download_url(room.workshop, "csv"))
        assert response.is_async  # Django would otherwise read it all into a list
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, body = async_to_sync(download)()

    assert response.status_code == 200
    assert body.decode() == export(room.workshop, "csv")


def test_the_console_links_every_format(client, facilitator, room):
    from django.template.loader import render_to_string

    html = render_to_string("buzzgroups/_summary_downloads.html", {"workshop": room.workshop})

    for fmt in summary.FORMATS:
        assert f'href="{download_url(room.workshop, fmt)}"' in html
