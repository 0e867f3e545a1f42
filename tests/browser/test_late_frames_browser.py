"""Frames that come late: several server processes send them, so a phone can hear a
groupmate's second note before the first. It must show both, in the browser."""

import json

import pytest
from playwright.sync_api import expect

from buzzgroups import services
from buzzgroups.models import Participant
from tests.browser.conftest import join

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_phone_shows_a_note_whose_frame_came_after_a_later_one(
    live_server_url, phone_context, workshop, open_first_round
):
    ada = phone_context().new_page()
    join(ada, live_server_url, workshop.join_code, nickname="Ada")
    held = []

    def reorder(route):
        """Between server and page: hold the first note's frame until the second has passed."""
        server = route.connect_to_server()
        route.on_message(server.send)

        def from_server(message):
            frame = json.loads(message)
            if frame["type"] == "note.added" and not held:
                held.append(message)
                return
            route.send(message)
            if frame["type"] == "note.added" and held:
                route.send(held.pop())
                held.append(None)  # done: pass everything else as it comes

        server.on_message(from_server)

    bo = phone_context().new_page()
    bo.route_web_socket("**/ws/p/**", reorder)
    join(bo, live_server_url, workshop.join_code, nickname="Bo")
    people = {p.nickname: p for p in Participant.objects.select_related("workshop")}
    services.participant_move(participant=people["Bo"], group=people["Ada"].group)
    bo.reload()
    bo.wait_for_selector("body.is-online")

    # The notes are written in the test's process, so their frames must come from the
    # server's: post them from Ada's phone, as a person would.
    ada.reload()
    for text in ("Først", "Så"):
        ada.fill("#note-text", text)
        ada.click("#note-form button[type=submit]")
        expect(ada.locator("#group-notes")).to_contain_text(text)
    expect(bo.locator("#group-notes .note")).to_have_count(2)
    expect(bo.locator("#group-notes")).to_contain_text("Først")
    assert held == [None], "the frames did come out of order"
