"""A phone floods the round; the facilitator locks the room and removes it with its notes."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import join, open_console_and_wall

pytestmark = pytest.mark.django_db(transaction=True)


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def test_the_facilitator_locks_the_room_and_removes_a_flooding_phone_with_its_notes(
    live_server_url, laptop, projector, phone_context, workshop
):
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    ada, flood = (phone_context().new_page() for _ in range(2))
    join(ada, live_server_url, workshop.join_code, nickname="Ada")
    join(flood, live_server_url, workshop.join_code, nickname="Flood")

    console.click(
        "#console-agenda form.show-controls button, #console-agenda .show-controls button"
    )
    console.locator("#console-agenda form.round-start").first.locator("button").click()
    for page in (ada, flood):
        expect(page.locator("#note-form")).to_be_visible()
    write(ada, "Kundekontakt der kundene er")
    for n in range(3):
        write(flood, f"Spam {n}")
        expect(flood.locator("#note-text")).to_have_value("")
    expect(wall.locator(".wall-note")).to_have_count(4)

    groups = laptop.new_page()
    groups.goto(f"{live_server_url}/w/{workshop.join_code}/groups/")
    groups.click("#room-lock button")
    expect(groups.locator("#room-lock")).to_contain_text("Rommet er låst")

    latecomer = phone_context().new_page()
    latecomer.goto(f"{live_server_url}/j/{workshop.join_code}/")
    expect(latecomer.locator(".message--error")).to_contain_text("stengt rommet")

    groups.locator("tr", has_text="Flood").locator("button", has_text="Fjern med innspill").click()
    expect(groups.locator("tr", has_text="Flood")).to_have_count(0)

    expect(wall.locator(".wall-note")).to_have_count(1)
    expect(wall.locator(".wall-note")).to_contain_text("Kundekontakt")
    expect(console.locator(".console-note")).to_have_count(1)
    # Ada is still in, and writes on.
    write(ada, "Læring: del kunnskap internt")
    expect(wall.locator(".wall-note")).to_have_count(2)
