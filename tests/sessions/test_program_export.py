"""The program text, both ways: a workshop's agenda written back in the import format."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sessions.program import format_program, parse_program
from sessions.program_export import program_text, workshop_program
from sessions.services import workshop_create
from tests.conftest import DEMO_PROGRAM

# Every feature of the format: a heading, labelled and unlabelled points with
# each bullet, topics, body paragraphs between them, both buzz markers, ten and
# more items, a numbered heading, and text that only looks like the markers.
EVERY_FEATURE = """12. samling: Sosiale medier
1. Velkommen
Dagens program i korte trekk.
- Praktisk: kaffe kl. 10
• Et punkt uten merkelapp
* Noe: med kolon, men mange ord før kolonet her og der
Kunder. Hva forventer de av oss?
Et avsnitt etter et tema.
Summegrupper
2. Summegrupper i praksis
– Kolon uten mellomrom:etter
Buzz groups:
3. Tre
4. Fire
5. Fem
6. Seks
7. Sju
8. Åtte
9. Ni
10. Ti
Vi snakker om summegrupper her, men dette er tekst.
11. Elleve
Tre ord tema. Med en beskrivelse.
"""


def agenda_of(workshop) -> list:
    """An agenda as plain values: what importing must give back."""
    return [
        (
            item.number,
            item.title,
            item.body,
            item.points,
            [(t.name, t.description) for t in item.topics.all()],
            item.buzz_rounds.count(),
        )
        for item in workshop.items.order_by("number")
    ]


@pytest.mark.parametrize("text", [DEMO_PROGRAM.read_text("utf-8"), EVERY_FEATURE])
def test_the_text_of_a_program_reads_back_as_the_same_program(text):
    program = parse_program(text)
    assert parse_program(format_program(program)) == program
    assert parse_program(format_program(program, language="en")) == program


@pytest.mark.django_db
@pytest.mark.parametrize("text", [DEMO_PROGRAM.read_text("utf-8"), EVERY_FEATURE])
def test_importing_an_exported_workshop_gives_the_same_agenda(facilitator, text):
    first = workshop_create(owner=facilitator, program=parse_program(text))
    again = workshop_create(owner=facilitator, program=parse_program(program_text(first)))
    assert agenda_of(again) == agenda_of(first)
    assert again.title == first.title
    assert program_text(again) == program_text(first)


@pytest.mark.django_db
def test_the_demo_is_written_with_its_heading_items_and_buzz_markers(workshop):
    text = program_text(workshop)
    assert text.startswith("Sosiale medier i bank, finans og forsikring\n\n1. ")
    assert text.count("\nSummegrupper\n") == 2
    assert workshop_program(workshop).items[3].points[0].label == "Privat vs. offentlig"


@pytest.mark.django_db
def test_export_program_writes_the_text_to_stdout_or_a_file(workshop, tmp_path, capsys):
    call_command("export_program", workshop.join_code.lower())
    assert capsys.readouterr().out == program_text(workshop)
    out = tmp_path / "program.txt"
    call_command("export_program", workshop.join_code, "-o", str(out))
    assert out.read_text("utf-8") == program_text(workshop)
    call_command("import_program", str(out), "--owner", "kari")
    with pytest.raises(CommandError):
        call_command("export_program", "ZZZZZZ")


@pytest.mark.django_db
def test_the_console_offers_the_program_text_as_a_download(workshop, facilitator):
    client = Client()
    client.force_login(facilitator)
    console = client.get(f"/w/{workshop.join_code}/").content.decode()
    assert f"/w/{workshop.join_code}/program.txt" in console
    response = client.get(f"/w/{workshop.join_code}/program.txt")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.decode() == program_text(workshop)
