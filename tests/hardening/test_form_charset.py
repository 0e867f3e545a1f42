"""A form posted in a charset other than UTF-8 gets a 400 with a reason, on any URL."""

import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.hardening.conftest import join, logged_in

CHARSETS = ["utf-16", "latin-1", "iso-8859-1", "utf8", "no-such-charset"]


def form_post(client: Client, path: str, charset: str, body: str):
    encoding = charset if charset not in ("no-such-charset",) else "ascii"
    return client.generic(
        "POST",
        path,
        body.encode(encoding),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("charset", CHARSETS)
def test_a_form_in_another_charset_gets_a_400_with_a_reason_on_any_url(
    workshop, open_first_round, facilitator, charset
):
    phone = join(workshop)
    code = workshop.join_code
    for client, path in (
        (Client(), "/"),
        (Client(), "/accounts/login/"),
        (Client(), f"/j/{code}/"),
        (phone, f"/p/{code}/notes/new/"),
        (logged_in(facilitator), f"/w/{code}/wall/reveal/"),
        (Client(), "/no/such/page/"),
    ):
        response = form_post(client, path, charset, "text=hei&code=ABC&username=x")
        assert response.status_code == 400, (path, response.status_code)
        assert "UTF-8" in response.content.decode(), path


@pytest.mark.django_db
def test_a_form_in_utf8_goes_through(workshop, open_first_round):
    phone = join(workshop)
    prompt = open_first_round.prompts.first()
    for charset in ("utf-8", "UTF-8"):
        response = phone.generic(
            "POST",
            f"/p/{workshop.join_code}/notes/new/",
            urlencode(
                {"text": f"Blåbær ({charset})", "prompt": prompt.pk, "client_id": uuid.uuid4()}
            ).encode(),
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 201, response.content
