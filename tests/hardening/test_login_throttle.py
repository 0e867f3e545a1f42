"""Guessing a facilitator's password: after a few wrong ones, that account and that
address are locked out for a while (django-axes, counted in the database)."""

import pytest
from django.conf import settings
from django.test import Client

LOGIN = "/accounts/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_out_even_from_another_address(facilitator):
    guesser = Client()
    answers = [login(guesser, "kari", f"guess-{n}").status_code for n in range(LIMIT)]
    assert answers[: LIMIT - 1] == [200] * (LIMIT - 1)  # the form again, with its error

    # The account is locked: the right password from a new address does not get in.
    owner = Client()
    response = login(owner, "kari", "kari-secret-123", address="10.0.0.2")
    assert response.status_code == 429
    assert "sessionid" not in owner.cookies
    assert "_auth_user_id" not in owner.session


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked_out(facilitator):
    guesser = Client()
    for n in range(LIMIT):
        login(guesser, f"someone-{n}", "password")

    assert login(guesser, "kari", "kari-secret-123").status_code == 429
    # Another address, and the account itself, are not affected.
    other = Client()
    assert login(other, "kari", "kari-secret-123", address="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_the_lockout_page_says_so_in_the_readers_language(facilitator):
    for n in range(LIMIT):
        login(Client(), "kari", f"guess-{n}")

    norwegian = login(Client(), "kari", "kari-secret-123").content.decode()
    assert "For mange mislykkede innlogginger" in norwegian
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = login(english, "kari", "kari-secret-123")
    assert page.status_code == 429
    assert "Too many failed logins" in page.content.decode()
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page.content.decode()


@pytest.mark.django_db
def test_a_right_password_before_the_limit_gets_in_and_forgets_the_failures(facilitator):
    client = Client()
    for n in range(LIMIT - 1):
        login(client, "kari", f"guess-{n}")
    assert login(client, "kari", "kari-secret-123").status_code == 302

    for n in range(LIMIT - 1):
        assert login(Client(), "kari", f"again-{n}").status_code == 200
    assert login(Client(), "kari", "kari-secret-123").status_code == 302


@pytest.mark.django_db
def test_the_failures_are_counted_in_the_database_so_every_server_process_sees_them(
    facilitator,
):
    from axes.models import AccessAttempt

    login(Client(), "kari", "wrong")
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert AccessAttempt.objects.filter(username="kari", failures_since_start=1).exists()


@pytest.mark.django_db
def test_force_login_in_tests_is_not_throttled(facilitator):
    for n in range(LIMIT):
        login(Client(), "kari", f"guess-{n}")
    client = Client()
    client.force_login(facilitator)
    assert client.get("/w/").status_code == 200
