"""python manage.py import_program: a workshop from a program file."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from sessions.models import AgendaItem, BuzzRound, Workshop
from sessions.services import default_prompt_titles

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sessions/programs/sosiale-medier-bank-finans.txt"
BAD = "Heading\n1. First\n3. Third\n"


@pytest.fixture(autouse=True)
def _english():
    """Messages are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", password="admin-secret-123")


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(BAD, encoding="utf-8")
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_program", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_imports_the_demo_program(admin):
    run(DEMO)
    workshop = Workshop.objects.get()
    assert workshop.owner == admin
    assert workshop.title == "Program"
    assert workshop.language == "nb"
    assert list(workshop.items.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    item_2 = workshop.items.get(number=2)
    assert list(item_2.topics.values_list("name", flat=True)) == [
        "Rekruttering",
        "Samfunnskommunikasjon",
        "Læring",
        "Kundekontakt",
    ]
    assert len(item_2.body) == 2
    item_4 = workshop.items.get(number=4)
    assert [point["label"] for point in item_4.points] == [
        "Privat vs. offentlig",
        "Lojalitet vs. ytringsfrihet",
        "Muntlig vs skriftlig",
        "Redaktøransvar",
    ]


@pytest.mark.django_db
def test_it_gives_items_1_and_3_a_buzz_round_with_the_two_default_prompts(admin):
    run(DEMO)
    rounds = BuzzRound.objects.filter(item__workshop__owner=admin).order_by("item__number")
    assert [buzz_round.item.number for buzz_round in rounds] == [1, 3]
    # The nb catalogue may not be compiled yet (then the prompts come out in English),
    # so compare with what the services give for nb rather than with literal strings;
    # once compiled, default_prompt_titles("nb") == ["Bruksområder", "Utfordringer"].
    for buzz_round in rounds:
        titles = list(buzz_round.prompts.values_list("title", flat=True))
        assert titles == default_prompt_titles("nb")
        assert len(titles) == 2


@pytest.mark.django_db
def test_it_gives_an_english_workshop_english_prompts(admin):
    run(DEMO, "--language", "en")
    workshop = Workshop.objects.get()
    assert workshop.language == "en"
    buzz_round = BuzzRound.objects.filter(item__workshop=workshop).first()
    assert list(buzz_round.prompts.values_list("title", flat=True)) == ["Use cases", "Challenges"]


@pytest.mark.django_db
def test_it_prints_the_join_code_and_both_urls(admin, settings):
    settings.PUBLIC_URL = ""
    out, _err = run(DEMO)
    code = Workshop.objects.get().join_code
    assert code in out
    assert f"http://127.0.0.1:8000/w/{code}/" in out
    assert f"http://127.0.0.1:8000/j/{code}/" in out


@pytest.mark.django_db
def test_it_builds_the_urls_from_public_url(admin, settings):
    settings.PUBLIC_URL = "https://summa.example.org"
    out, _err = run(DEMO, "--json")
    result = json.loads(out)
    code = result["join_code"]
    assert result["facilitator_url"] == f"https://summa.example.org/w/{code}/"
    assert result["participant_url"] == f"https://summa.example.org/j/{code}/"


@pytest.mark.django_db
def test_it_prints_one_json_object_with_json(admin, settings):
    settings.PUBLIC_URL = ""
    out, err = run(DEMO, "--json")
    result = json.loads(out)  # nothing else on stdout
    workshop = Workshop.objects.get()
    assert {"join_code", "facilitator_url", "participant_url"} <= set(result)
    assert result["join_code"] == workshop.join_code
    assert result["workshop_id"] == workshop.pk
    assert result["facilitator_url"] == f"http://127.0.0.1:8000/w/{workshop.join_code}/"
    assert result["participant_url"] == f"http://127.0.0.1:8000/j/{workshop.join_code}/"
    assert err == ""


@pytest.mark.django_db
def test_it_overrides_the_heading_with_title(admin):
    run(DEMO, "--title", "Sosiale medier i bank og finans")
    assert Workshop.objects.get().title == "Sosiale medier i bank og finans"


@pytest.mark.django_db
def test_it_gives_the_workshop_to_the_owner_named(admin, facilitator):
    run(DEMO, "--owner", "kari")
    assert Workshop.objects.get().owner == facilitator


@pytest.mark.django_db
def test_it_rejects_an_unknown_owner_and_creates_nothing(admin):
    with pytest.raises(CommandError, match="no user named nobody"):
        run(DEMO, "--owner", "nobody")
    assert not Workshop.objects.exists()


@pytest.mark.django_db
def test_it_chooses_the_first_superuser_without_owner(admin, django_user_model, facilitator):
    django_user_model.objects.create_superuser("second", password="second-secret-123")
    run(DEMO)
    assert Workshop.objects.get().owner == admin


@pytest.mark.django_db
def test_it_asks_for_owner_when_there_is_no_superuser(facilitator):
    with pytest.raises(CommandError, match="--owner"):
        run(DEMO)
    assert not Workshop.objects.exists()


@pytest.mark.django_db
def test_it_saves_nothing_and_prints_the_program_with_dry_run(admin, demo_program):
    out, _err = run(DEMO, "--dry-run")
    assert not Workshop.objects.exists()
    assert not AgendaItem.objects.exists()
    data = json.loads(out)
    assert data == demo_program.as_dict()
    assert set(data) == {"title", "items"}
    assert len(data["items"]) == 5
    item = data["items"][3]
    assert set(item) == {"number", "title", "body", "points", "topics", "buzz_groups"}
    assert item["points"][0]["label"] == "Privat vs. offentlig"
    assert data["items"][2]["points"][0]["label"] == "Personlig"
    assert data["items"][0]["points"][0] == {"label": None, "text": "Mediebruk i endring"}
    assert data["items"][1]["topics"][0]["name"] == "Rekruttering"
    assert [item["buzz_groups"] for item in data["items"]] == [True, False, True, False, False]
    assert "Læring" in out  # not escaped to \u00e6


@pytest.mark.django_db
def test_it_needs_no_owner_for_a_dry_run():
    out, _err = run(DEMO, "--dry-run")
    assert json.loads(out)["title"] == "Program"


@pytest.mark.django_db
def test_it_rejects_a_bad_file_with_its_line_and_creates_nothing(admin, bad_file):
    with pytest.raises(CommandError) as caught:
        run(bad_file)
    assert str(caught.value) == "line 3: expected agenda item 2, found item 3"
    assert not Workshop.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_bad_file_in_a_dry_run_too(bad_file):
    with pytest.raises(CommandError, match=r"^line 3: "):
        run(bad_file, "--dry-run")


@pytest.mark.django_db
def test_it_rejects_a_file_that_is_not_utf8(admin, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Heading\n1. Første\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"^line 2: .*UTF-8"):
        run(path)
    assert not Workshop.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_missing_file(admin, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.txt")
    assert not Workshop.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_directory(admin, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path)


def test_it_exits_non_zero_without_a_traceback_on_a_bad_file(bad_file):
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_program", "bad.txt"],
        cwd=bad_file.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "3" in result.stderr  # the line, in whichever language is active
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["import_program", "purge_participants"])
def test_the_help_of_a_command_with_translated_help_prints_without_a_traceback(command):
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"usage: manage.py {command}" in result.stdout
    assert "--dry-run" in result.stdout
