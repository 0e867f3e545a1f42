"""A room, in the order a room does things.

Six phones join and wait on the welcome screen; the facilitator, whose laptop
speaks English while the workshop is Norwegian, sets the groups (moving a
waiting phone), starts the show and opens the buzz round; every phone writes
three notes while its groupmates' notes arrive; one phone loses the network and
comes back; mid-round the facilitator adds a group and moves two phones into it;
the round ends and a dot vote on its notes opens without a reload.

At the end every note is on the wall exactly once, in its group's column, and
nothing went wrong that nobody caused: no console error, no HTTP 4xx or 5xx, no
traceback in the server's log.
"""

import re

import pytest
from playwright.sync_api import expect

from buzzgroups.models import BuzzGroup, Note, Participant
from sessions.models import BuzzRound
from tests.browser.conftest import join, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONES = 6


class Trouble:
    """Everything a page says went wrong: console errors and failed HTTP answers."""

    def __init__(self):
        self.seen: list[str] = []

    def watch(self, page, name: str):
        page.on(
            "console",
            lambda message: (
                message.type == "error" and self.seen.append(f"{name} console: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: self.seen.append(f"{name} script: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.seen.append(f"{name} HTTP {response.status} {response.url}")
            ),
        )
        return page


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def wall_column(round_id: int, group_id: int) -> str:
    return f"#col-r{round_id}-g{group_id}"


def test_a_room_runs_a_buzz_round_in_the_order_a_room_does(
    live_server_url, browser, phone_context, workshop, first_round, server_log
):
    trouble = Trouble()
    code = workshop.join_code

    # The facilitator's laptop speaks English; the workshop is Norwegian.
    laptop = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    console = trouble.watch(laptop.new_page(), "console")
    log_in(console, live_server_url)
    console.goto(f"{live_server_url}/w/{code}/")
    console.wait_for_selector("body.is-online")
    expect(console.locator("html")).to_have_attribute("lang", "en")
    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    projector.add_cookies(laptop.cookies())
    wall = trouble.watch(projector.new_page(), "wall")
    wall.goto(f"{live_server_url}/w/{code}/wall/")
    wall.wait_for_selector("body.is-online")
    expect(wall.locator("html")).to_have_attribute("lang", "nb")

    # Phones join and wait: nothing is open yet.
    contexts = [phone_context() for _ in range(PHONES)]
    phones = []
    for number, context in enumerate(contexts, start=1):
        page = trouble.watch(context.new_page(), f"phone {number}")
        join(page, live_server_url, code, nickname=f"Deltaker {number}")
        phones.append(page)
    expect(wall.locator("#online")).to_contain_text(str(PHONES))
    people = {p.nickname: p for p in Participant.objects.filter(workshop=workshop)}
    me = [people[f"Deltaker {n}"] for n in range(1, PHONES + 1)]

    # The facilitator sets three groups while the phones wait: group 4 goes, and
    # its phone follows its new group without a reload.
    groups_tab = trouble.watch(laptop.new_page(), "groups page")
    groups_tab.goto(f"{live_server_url}/w/{code}/groups/")
    groups_tab.fill("#count", "3")
    groups_tab.click("text=Set the groups")
    expect(groups_tab.locator(".message--success")).to_have_count(1)
    for page, person in zip(phones, me, strict=True):
        person.refresh_from_db()
        expect(page.locator("#my-group")).to_have_attribute("data-group-id", str(person.group_id))

    # The show starts and the round opens, from the English console.
    console.click("text=Start the workshop")
    expect(console.locator("#console-agenda")).to_contain_text("Next")
    console.locator("#console-agenda form.round-start").first.locator("button").click()
    expect(console.locator("#console-round")).to_contain_text("End buzz groups now")
    for page in phones:
        expect(page.locator("#note-text")).to_be_visible()
        # Pushed into a Norwegian page: Norwegian all through.
        expect(page.locator("#note-form")).to_contain_text("Ingen")
        expect(page.locator("#note-form")).not_to_contain_text("None")

    # Three notes each, round after round, so groupmates' notes arrive in between.
    written = []
    for turn in range(1, 4):
        for number, page in enumerate(phones, start=1):
            text = f"Deltaker {number}, lapp {turn}"
            write(page, text)
            written.append(text)
        for page in phones:
            expect(page.locator(".note.pending")).to_have_count(0)
    expect(wall.locator(".wall-note")).to_have_count(len(written))

    # One phone loses the network, writes, and comes back: the note goes out then.
    contexts[0].set_offline(True)
    write(phones[0], "Skrevet uten nett")
    expect(phones[0].locator(".note.pending")).to_have_count(1)
    contexts[0].set_offline(False)

    written.append("Skrevet uten nett")
    expect(phones[0].locator(".note.pending")).to_have_count(0, timeout=15000)
    expect(wall.locator(".wall-note")).to_have_count(len(written))

    # Mid-round the facilitator adds a fourth group and moves two phones into it.
    groups_tab.goto(f"{live_server_url}/w/{code}/groups/")
    groups_tab.fill("#count", "4")
    groups_tab.click("text=Set the groups")
    expect(groups_tab.locator(".message--success")).to_have_count(1)
    fourth = BuzzGroup.objects.get(workshop=workshop, number=4)
    for person in (me[1], me[2]):
        groups_tab.select_option(f"#move-{person.pk}", str(fourth.pk))
        groups_tab.locator(f"#move-{person.pk}").locator("xpath=..").locator("button").click()
        groups_tab.wait_for_load_state()
    for page in (phones[1], phones[2]):
        expect(page.locator("#my-group")).to_have_attribute("data-group-id", str(fourth.pk))
        expect(page.locator("#group-notes .note")).to_have_count(0)
    write(phones[1], "Første lapp i gruppe 4")
    written.append("Første lapp i gruppe 4")
    expect(phones[2].locator("#group-notes")).to_contain_text("Første lapp i gruppe 4")
    expect(phones[2].locator("#group-notes .note")).to_have_count(1)
    write(phones[2], "Svar fra gruppe 4")
    written.append("Svar fra gruppe 4")
    expect(phones[1].locator("#group-notes .note")).to_have_count(2)

    # Every note exactly once on the wall, in its group's column; nothing lost.
    buzz_round = BuzzRound.objects.get(pk=first_round.pk)
    notes = list(Note.objects.filter(round=buzz_round))
    assert sorted(n.text for n in notes) == sorted(written)
    expect(wall.locator(".wall-note")).to_have_count(len(written))
    for note in notes:
        expect(wall.locator(f"#note-{note.pk}")).to_have_count(1)
        expect(
            wall.locator(f"{wall_column(buzz_round.pk, note.group_id)} #note-{note.pk}")
        ).to_have_count(1)
    screenshot(wall, "room-wall-1920x1080")
    screenshot(console, "room-console-en-1366x768")

    # The round ends; a dot vote on its notes opens without a reload.
    console.click("text=End buzz groups now")
    for page in phones:
        expect(page.locator("#note-form")).to_have_count(0)
    console.select_option("#vote-target", f"round-{buzz_round.pk}")
    console.click("text=Open the vote")
    expect(wall.locator("#vote-wall")).to_be_visible()
    for page in phones:
        expect(page.locator(".vote-card").first).to_be_visible()
    expect(console.locator("#vote-console")).to_contain_text("Close the vote")
    expect(console.locator("#console-agenda")).not_to_contain_text("Neste")

    # The offline phone's browser said it had no network: that the person caused.
    caused = [t for t in trouble.seen if t.startswith("phone 1 ") and "INTERNET_DISCONNECTED" in t]
    unexpected = [t for t in trouble.seen if t not in caused]
    assert unexpected == [], "\n".join(unexpected)
    log = server_log.read_text() if server_log.exists() else ""
    assert "Traceback" not in log, log
    assert not re.search(r"^ERROR", log, re.M), log
    laptop.close()
    projector.close()
