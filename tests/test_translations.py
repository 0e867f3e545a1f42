"""Every string a person can see is translated: Norwegian Bokmål and English.

makemessages runs on a copy of the source tree (so the real catalogues are never
touched) and the merged catalogues are checked with gettext's msgattrib: an
empty or fuzzy msgstr in nb or en fails, naming the string. English is the
source language; scripts/translations fills its msgstr with the msgid.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nb", "en")
DOMAINS = ("django", "djangojs")
# The same arguments as scripts/translations.
MAKEMESSAGES = {
    "django": ["--ignore=.venv", "--ignore=staticfiles", "--ignore=docs", "--ignore=bench"],
    "djangojs": [
        "-d",
        "djangojs",
        "--ignore=.venv",
        "--ignore=static/vendor",
        "--ignore=staticfiles",
        "--ignore=docs",
        "--ignore=bench",
    ],
}
NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "staticfiles", "var", "docs", "bench", "node_modules", "vendor",
    "__pycache__", "*.pyc", "*.mo", "*.egg-info", ".pytest_cache", ".ruff_cache", "test-results",
)  # fmt: skip


def untranslated(tree: Path) -> dict[str, list[str]]:
    """Run makemessages in `tree` and return the msgids left without a translation."""
    if not shutil.which("msgattrib"):
        pytest.fail("gettext is not installed (apt-get install gettext); scripts/setup installs it")
    for args in MAKEMESSAGES.values():
        languages = [arg for language in LANGUAGES for arg in ("-l", language)]
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-v0", *languages, *args],
            cwd=tree,
            check=True,
            capture_output=True,
        )
    missing = {}
    for language in LANGUAGES:
        for domain in DOMAINS:
            po = tree / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            msgids = []
            for which in ("--untranslated", "--only-fuzzy"):
                out = subprocess.run(
                    ["msgattrib", "--no-obsolete", "--no-wrap", which, str(po)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                msgids += [
                    line.removeprefix("msgid ")
                    for line in out.splitlines()
                    if line.startswith("msgid ") and line != 'msgid ""'
                ]
            if msgids:
                missing[f"{language}/{domain}"] = msgids
    return missing


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory):
    tree = tmp_path_factory.mktemp("source") / "summa"
    shutil.copytree(ROOT, tree, ignore=NOT_COPIED)
    return tree


def test_every_string_has_norwegian_and_english(source_copy):
    missing = untranslated(source_copy)
    assert not missing, (
        "Strings without a translation (run ./scripts/translations, translate what it lists "
        f"in locale/nb/LC_MESSAGES/*.po, and run it again): {missing}"
    )


def test_it_catches_a_string_added_without_a_translation(source_copy):
    (source_copy / "templates" / "zz_probe.html").write_text(
        '{% load i18n %}<p>{% translate "A string nobody has translated" %}</p>'
    )
    (source_copy / "static" / "summa" / "zz_probe.js").write_text(
        'gettext("A script string nobody has translated");\n'
    )
    missing = untranslated(source_copy)
    assert '"A string nobody has translated"' in missing["nb/django"]
    assert '"A string nobody has translated"' in missing["en/django"]
    assert '"A script string nobody has translated"' in missing["nb/djangojs"]


def test_a_norwegian_workshop_gets_norwegian_prompts():
    from sessions.services import default_prompt_titles

    assert default_prompt_titles("nb") == ["Bruksområder", "Utfordringer"]
    assert default_prompt_titles("en") == ["Use cases", "Challenges"]


@pytest.mark.django_db
def test_the_demo_workshop_in_norwegian_asks_for_use_cases_and_challenges(workshop):
    assert workshop.language == "nb"
    titles = list(
        workshop.items.get(number=1).buzz_rounds.get().prompts.values_list("title", flat=True)
    )
    assert titles == ["Bruksområder", "Utfordringer"]


@pytest.mark.django_db
def test_the_front_page_speaks_norwegian_by_default_and_english_on_request():
    client = Client()
    page = client.get("/").content.decode()
    assert 'lang="nb"' in page
    assert "Bli med" in page
    assert "skriv inn koden" in page

    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "enter the code on the screen" in page


@pytest.mark.django_db
def test_the_javascript_catalogue_has_norwegian():
    client = Client(headers={"cookie": "django_language=nb"})
    catalogue = client.get("/jsi18n/").content.decode()
    assert "Ikke sendt" in catalogue
    assert "Ett minutt igjen." in catalogue


def test_dates_and_numbers_follow_the_language():
    import datetime

    moment = datetime.datetime(2026, 3, 5, 14, 7)
    with translation.override("nb"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "05.03.2026 14:07"
        assert formats.number_format(1234.5, 1) == "1234,5"
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "03/05/2026 2:07 p.m."
        assert formats.number_format(1234.5, 1) == "1234.5"


@pytest.mark.django_db
def test_my_workshops_shows_the_date_in_the_norwegian_way(client, facilitator, workshop):
    client.force_login(facilitator)
    page = client.get("/w/").content.decode()
    local = workshop.created_at.astimezone(datetime_zone())
    assert local.strftime("%d.%m.%Y %H:%M") in page


def datetime_zone():
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


@pytest.mark.django_db
def test_the_wall_speaks_the_workshops_language_whatever_the_facilitator_reads(
    client, facilitator, workshop
):
    workshop.language = "en"
    workshop.save()
    client.force_login(facilitator)
    client.cookies["django_language"] = "nb"
    wall = client.get(f"/w/{workshop.join_code}/wall/").content.decode()
    assert 'lang="en"' in wall
    assert "Join on your phone" in wall
    console = client.get(f"/w/{workshop.join_code}/").content.decode()
    assert 'lang="nb"' in console


@pytest.mark.django_db
def test_a_participant_can_choose_english_in_a_norwegian_workshop(client, workshop):
    client.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    assert "Gruppens innspill" in client.get(f"/p/{workshop.join_code}/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Your group's notes" in client.get(f"/p/{workshop.join_code}/").content.decode()
