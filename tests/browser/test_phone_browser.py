"""A participant on a phone: join, write, survive a dead network, edit and delete."""

import pytest
from playwright.sync_api import expect

from buzzgroups.models import Note
from tests.browser.conftest import join, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def test_notes_written_offline_are_saved_exactly_once_when_the_phone_is_back(
    live_server_url, phone_context, workshop, open_first_round
):
    context = phone_context()
    page = context.new_page()
    join(page, live_server_url, workshop.join_code, nickname="Ada")

    write(page, "Rekruttering på LinkedIn")
    write(page, "Kundeservice i Facebook-chat")
    expect(page.locator("#group-notes .note:not(.pending)")).to_have_count(2)

    context.set_offline(True)
    write(page, "Læring på tvers av kontorer")
    page.wait_for_selector(".note.pending[data-state=failed]")
    assert Note.objects.count() == 2

    context.set_offline(False)
    expect(page.locator("#group-notes .note:not(.pending)")).to_have_count(3, timeout=15000)
    page.wait_for_timeout(6000)  # let every retry timer fire once more: still no duplicates

    texts = sorted(Note.objects.values_list("text", flat=True))
    assert texts == sorted(
        ["Rekruttering på LinkedIn", "Kundeservice i Facebook-chat", "Læring på tvers av kontorer"]
    )
    assert page.locator("#group-notes .note").count() == 3


def test_an_unsent_draft_survives_a_reload(
    live_server_url, phone_context, workshop, open_first_round
):
    page = phone_context().new_page()
    join(page, live_server_url, workshop.join_code)
    page.fill("#note-text", "Halvferdig tanke om")
    page.reload()
    page.wait_for_selector("#note-form")
    assert page.input_value("#note-text") == "Halvferdig tanke om"


def test_a_participant_edits_and_deletes_their_own_note(
    live_server_url, phone_context, workshop, open_first_round
):
    page = phone_context().new_page()
    join(page, live_server_url, workshop.join_code, nickname="Bo")
    write(page, "Første utkast")
    page.wait_for_selector("#group-notes .note.mine:not(.pending)")

    page.click("#group-notes .note.mine .own-actions a")
    page.fill("#group-notes textarea", "Bedre formulert")
    page.click("#group-notes button[type=submit]")
    page.wait_for_selector("#group-notes .note >> text=Bedre formulert")
    assert Note.objects.get().text == "Bedre formulert"
    screenshot(page, "phone-nb")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#group-notes .note.mine .own-actions button")
    expect(page.locator("#group-notes .note")).to_have_count(0)
    assert Note.objects.count() == 0


def test_the_phone_speaks_english_when_the_participant_switches(
    live_server_url, phone_context, workshop, open_first_round
):
    page = phone_context().new_page()
    join(page, live_server_url, workshop.join_code)
    page.click("button[name=language][value=en]")
    page.wait_for_selector("text=Send note")
    write(page, "Customer contact in social media")
    page.wait_for_selector("#group-notes .note.mine:not(.pending)")
    screenshot(page, "phone-en")


def test_an_empty_note_gets_a_message_and_nothing_is_saved(
    live_server_url, phone_context, workshop, open_first_round
):
    page = phone_context().new_page()
    join(page, live_server_url, workshop.join_code)
    write(page, "   \u200b  ")
    page.wait_for_selector("#note-error:not([hidden])")
    assert Note.objects.count() == 0
