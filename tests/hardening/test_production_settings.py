"""Production settings: check --deploy clean, a Content Security Policy without
inline script, no framing of facilitator pages, and participant data purged."""

import os
import re
import secrets
import string
import subprocess
import sys
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from buzzgroups.models import Note, Participant
from buzzgroups.services import note_create, participants_purge
from sessions.models import Workshop
from sessions.services import round_open, show_start, workshop_create
from tests.hardening.conftest import join, logged_in

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "HTTPS", "DJANGO_SETTINGS_MODULE")
    }
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="summa.example",
        DJANGO_SETTINGS_MODULE="workshop.settings",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_httponly_and_samesite():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ("
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'X_FRAME_OPTIONS')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- Content Security Policy -------------------------------------------------


@pytest.fixture
def pages(workshop, first_round, facilitator):
    show_start(workshop=workshop)
    round_open(buzz_round=first_round, minutes=10)
    phone = join(workshop, nickname="Ada")
    owner = logged_in(facilitator)
    code = workshop.join_code
    from django.test import Client

    return {
        "participant": {
            "home": Client().get("/"),
            "join": Client().get(f"/j/{code}/"),
            "phone": phone.get(f"/p/{code}/"),
            "login": Client().get("/accounts/login/"),
        },
        "facilitator": {
            "workshops": owner.get("/w/"),
            "new workshop": owner.get("/w/new/"),
            "console": owner.get(f"/w/{code}/"),
            "wall": owner.get(f"/w/{code}/wall/"),
            "groups": owner.get(f"/w/{code}/groups/"),
            "table cards": owner.get(f"/w/{code}/cards/"),
            "summary": owner.get(f"/w/{code}/summary.html"),
        },
    }


def directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.django_db
def test_every_page_has_a_csp_without_inline_script(pages):
    for group in pages.values():
        for name, response in group.items():
            assert response.status_code == 200, name
            policy = directives(response)
            assert policy.get("script-src") == "'self'", name
            assert policy.get("default-src") == "'self'", name
            assert policy.get("object-src") == "'none'", name
            assert policy.get("base-uri") == "'none'", name
            header = response.headers["Content-Security-Policy"]
            assert "unsafe-inline" not in header and "unsafe-eval" not in header, name


@pytest.mark.django_db
def test_facilitator_pages_cannot_be_framed(pages):
    for name, response in pages["facilitator"].items():
        assert directives(response).get("frame-ancestors") == "'none'", name
        assert response.headers["X-Frame-Options"] == "DENY", name


class ScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


@pytest.mark.django_db
def test_no_page_as_served_has_an_inline_script_or_event_handler(pages):
    for group in pages.values():
        for name, response in group.items():
            body = b"".join(response.streaming_content) if response.streaming else response.content
            finder = ScriptFinder()
            finder.feed(body.decode())
            assert finder.problems == [], name


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    templates = sorted({p for folder in TEMPLATE_DIRS for p in folder.rglob("*.html")})
    assert len(templates) > 10
    problems = []
    for path in templates:
        text = path.read_text()
        for match in SCRIPT_TAG.finditer(text):
            if "src=" not in match.group(1):
                problems.append(f"{path.relative_to(ROOT)}: inline <script{match.group(1)}>")
        for match in EVENT_ATTRIBUTE.finditer(text):
            problems.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert problems == []


# --- Participant data is kept only so long ----------------------------------


@pytest.fixture
def ended_workshops(facilitator, demo_program):
    """Three workshops, each with a nicknamed phone and a note: ended 40 days ago,
    ended 5 days ago, and still running."""
    made = {}
    for name, ended_days_ago in (("old", 40), ("recent", 5), ("running", None)):
        workshop = workshop_create(owner=facilitator, program=demo_program)
        show_start(workshop=workshop)
        buzz_round = round_open(
            buzz_round=workshop.items.get(number=1).buzz_rounds.get(), minutes=10
        )
        from buzzgroups.services import participant_join

        phone = participant_join(workshop=workshop, nickname=f"Ada-{name}")
        note_create(
            author=phone,
            text=f"Lapp fra {name}",
            prompt_id=buzz_round.prompts.first().pk,
            client_id=uuid.uuid4(),
        )
        if ended_days_ago is not None:
            Workshop.objects.filter(pk=workshop.pk).update(
                state=Workshop.State.ENDED,
                ended_at=timezone.now() - timedelta(days=ended_days_ago),
            )
        made[name] = workshop
    return made


@pytest.mark.django_db
def test_purge_forgets_participants_of_workshops_ended_longer_ago_and_keeps_notes(
    ended_workshops, settings
):
    settings.SUMMA_RETENTION_DAYS = 30
    out = StringIO()
    call_command("purge_participants", stdout=out)
    assert "1" in out.getvalue()
    assert not Participant.objects.filter(workshop=ended_workshops["old"]).exists()
    assert not Participant.objects.filter(nickname="Ada-old").exists()
    old_note = Note.objects.get(workshop=ended_workshops["old"])
    assert old_note.text == "Lapp fra old"
    assert old_note.author_id is None
    assert "Ada-old" not in old_note.byline
    # Within the retention time, and still running: untouched.
    assert Participant.objects.filter(nickname="Ada-recent").exists()
    assert Participant.objects.filter(nickname="Ada-running").exists()
    assert Note.objects.count() == 3


@pytest.mark.django_db
def test_purge_with_days_and_dry_run(ended_workshops):
    out = StringIO()
    call_command("purge_participants", "--days", "1", "--dry-run", stdout=out)
    assert "2" in out.getvalue()
    assert Participant.objects.count() == 3
    call_command("purge_participants", "--days", "1", stdout=StringIO())
    assert list(Participant.objects.values_list("nickname", flat=True)) == ["Ada-running"]
    assert Note.objects.count() == 3


@pytest.mark.django_db
def test_the_purged_workshops_summary_names_no_participant(ended_workshops, facilitator):
    participants_purge(days=30)
    code = ended_workshops["old"].join_code
    response = logged_in(facilitator).get(f"/w/{code}/summary.json")
    body = b"".join(response.streaming_content).decode()
    assert "Lapp fra old" in body
    assert "Ada-old" not in body


def printed_by_a_fresh_process(script: str, env: dict) -> str:
    """The last line ``manage.py shell -c script`` prints in a process of its own."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_without_a_setting_people_are_forgotten_30_days_after_the_end():
    """The default, as an operator meets it: a fresh process with no SUMMA_RETENTION_DAYS."""
    env = {k: v for k, v in os.environ.items() if k != "SUMMA_RETENTION_DAYS"}
    script = "from django.conf import settings; print(settings.SUMMA_RETENTION_DAYS)"
    assert printed_by_a_fresh_process(script, env) == "30"


def test_sqlite_chosen_by_url_runs_in_wal_with_immediate_writes_and_a_long_wait(tmp_path):
    """DATABASE_URL=sqlite:///path is SQLite too: the same settings as the default file."""
    script = (
        "from django.db import connection;"
        "cursor = connection.cursor();"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA busy_timeout').fetchone()[0],"
        " connection.settings_dict['OPTIONS'].get('transaction_mode'))"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert printed_by_a_fresh_process(script, env) == "wal 20000 IMMEDIATE"
