"""Plain 404 and 500 pages in the room's language: never Django's debug pages."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_mistyped_url_gets_the_plain_404_page_in_the_readers_language(settings):
    settings.DEBUG = False
    norwegian = Client().get("/j/no/such/page/")
    assert norwegian.status_code == 404
    assert "Fant ikke siden" in norwegian.content.decode()
    assert "URLconf" not in norwegian.content.decode()

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page not found" in english.get("/j/no/such/page/").content.decode()


@pytest.mark.django_db
def test_a_server_error_gets_the_plain_500_page(settings, monkeypatch):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("secret details")

    monkeypatch.setattr("buzzgroups.phone_views.render", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Noe gikk galt" in page
    assert "secret details" not in page and "Traceback" not in page
    assert "<script" not in page
