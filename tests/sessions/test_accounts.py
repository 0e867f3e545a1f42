"""A new facilitator gets an account without the admin, and looks after its password."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client


def logs_in(client: Client, username: str, password: str) -> bool:
    """Log in through the login page, as a person does (django-axes watches it)."""
    answer = client.post("/accounts/login/", {"username": username, "password": password})
    return answer.status_code == 302


@pytest.mark.django_db
def test_add_facilitator_makes_an_account_that_logs_in_and_is_no_admin(capsys):
    call_command("add_facilitator", "siri", "--email", "siri@example.no", "--generate")
    out = capsys.readouterr().out
    password = re.search(r"Passord: (\S+)|Password: (\S+)", out)
    password = password.group(1) or password.group(2)
    siri = get_user_model().objects.get(username="siri")
    assert siri.email == "siri@example.no"
    assert not siri.is_staff and not siri.is_superuser
    client = Client()
    assert logs_in(client, "siri", password)
    assert client.get("/w/").status_code == 200


@pytest.mark.django_db
def test_add_facilitator_refuses_a_name_that_is_taken_and_a_bad_email(facilitator):
    with pytest.raises(CommandError):
        call_command("add_facilitator", "kari", "--generate")
    with pytest.raises(CommandError):
        call_command("add_facilitator", "siri", "--email", "not-an-address", "--generate")
    assert not get_user_model().objects.filter(username="siri").exists()


@pytest.mark.django_db
def test_add_facilitator_asks_for_the_password_twice_on_a_terminal(monkeypatch, capsys):
    answers = iter(["Lang-og-god-2026", "Lang-og-god-2026"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("add_facilitator", "siri")
    assert "Lang-og-god-2026" not in capsys.readouterr().out
    assert logs_in(Client(), "siri", "Lang-og-god-2026")


@pytest.mark.django_db
def test_a_facilitator_changes_their_password(facilitator):
    client = Client()
    client.force_login(facilitator)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "kari-secret-123",
            "new_password1": "Nytt-passord-2026",
            "new_password2": "Nytt-passord-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert logs_in(Client(), "kari", "Nytt-passord-2026")


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_a_mailed_link(facilitator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    facilitator.email = "kari@example.no"
    facilitator.save()
    client = Client()
    assert "/accounts/password_reset/" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": "kari@example.no"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Nytt-passord-2026", "new_password2": "Nytt-passord-2026"},
    )
    assert response.status_code == 302
    assert logs_in(Client(), "kari", "Nytt-passord-2026")


def email_backend(**env) -> str:
    """The backend the settings pick from the environment (read in a fresh process)."""
    root = Path(__file__).resolve().parents[2]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    environ.update(env, DJANGO_SETTINGS_MODULE="workshop.settings")
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=environ, capture_output=True, text=True
    )
    return result.stdout.strip()


def test_reset_mails_go_to_the_console_unless_an_smtp_host_is_set():
    assert email_backend() == "django.core.mail.backends.console.EmailBackend"
    assert (
        email_backend(EMAIL_HOST="smtp.example.no") == "django.core.mail.backends.smtp.EmailBackend"
    )
