"""Preparing and sharing a workshop, in real browsers: the owner edits the agenda
during a round, a co-facilitator runs the show from a second laptop, a moderator
approves held notes on a phone, and a removed co-facilitator loses the console."""

import pytest
from playwright.sync_api import expect

from buzzgroups.models import Note
from buzzgroups.services import groups_set_count
from sessions import agenda_services
from sessions.models import BuzzRound, Membership
from sessions.services import membership_add, workshop_hold_notes
from tests.browser.conftest import join, log_in, open_console_and_wall, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

END_ROUND = "#console-round >> text=/End buzz groups now|Avslutt summegruppene nå/"


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def ready_to_write(page):
    """The round is on the phone: its form, and the group's notes fetched for this round
    (a note sent before that fetch lands would be swapped away on the author's phone)."""
    expect(page.locator("#note-form")).to_be_visible()
    round_id = page.locator("#phone-stage").get_attribute("data-round")
    expect(page.locator("#group-notes")).to_have_attribute("data-round", round_id)


def start_round(console, item_number: int):
    entry = console.locator("#console-agenda .agenda__item").nth(item_number - 1)
    entry.locator("form.round-start button").click()


def helper_console(browser, base_url, workshop, username, **context_options):
    context = browser.new_context(locale="nb-NO", **context_options)
    page = context.new_page()
    log_in(page, base_url, username=username, password=f"{username}-secret-123")
    page.goto(f"{base_url}/w/{workshop.join_code}/")
    page.wait_for_selector("body.is-online")
    return context, page


def test_the_owner_edits_item_2_during_a_round_and_phones_and_wall_show_it(
    live_server_url, laptop, projector, phone_context, workshop
):
    item_2 = workshop.items.get(number=2)
    agenda_services.segment_add(item=item_2, minutes=10)
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    ada, bo = (phone_context().new_page() for _ in range(2))
    join(ada, live_server_url, workshop.join_code, nickname="Ada")
    join(bo, live_server_url, workshop.join_code, nickname="Bo")

    start_round(console, 2)
    for page in (ada, bo):
        ready_to_write(page)
    write(ada, "Kundene vil ha svar på chat")
    write(bo, "Hvem svarer i helgene?")
    expect(wall.locator(".wall-note")).to_have_count(2)

    editor = laptop.new_page()
    editor.goto(f"{live_server_url}/w/{workshop.join_code}/agenda/")
    editor.fill(f"#title-{item_2.pk}", "Kundedialog i sosiale medier")
    editor.click(f"#item-{item_2.pk} form.stack button[type=submit]")
    editor.wait_for_url(f"**/agenda/#item-{item_2.pk}")

    for page in (ada, bo):
        expect(page.locator("#stage-title")).to_have_text("Kundedialog i sosiale medier")
    expect(wall.locator(".wall-title")).to_have_text("Kundedialog i sosiale medier")
    expect(console.locator("#console-agenda")).to_contain_text("2. Kundedialog i sosiale medier")
    # The round goes on: the edit took nothing from the room.
    write(ada, "Etter endringen")
    expect(wall.locator(".wall-note")).to_have_count(3)


def room_with_siri(browser, base_url, laptop, projector, phone_context, workshop):
    """Mona's console and wall, Ada's phone, and Siri, co-facilitating from her own laptop."""
    membership_add(workshop=workshop, username="siri", role=Membership.Role.COFACILITATOR)
    console, wall = open_console_and_wall(laptop, projector, base_url, workshop)
    phone = phone_context().new_page()
    join(phone, base_url, workshop.join_code, nickname="Ada")
    context, siri = helper_console(
        browser, base_url, workshop, "siri", viewport={"width": 1280, "height": 800}
    )
    return console, wall, phone, context, siri


def test_a_co_facilitator_on_a_second_laptop_ends_the_round(
    browser, live_server_url, laptop, projector, phone_context, workshop, cofacilitator
):
    console, wall, phone, context, siri = room_with_siri(
        browser, live_server_url, laptop, projector, phone_context, workshop
    )
    try:
        start_round(console, 1)
        ready_to_write(phone)
        write(phone, "Skrevet før Siri avslutter")
        expect(siri.locator(".console-note")).to_have_count(1)
        siri.click(END_ROUND)
        expect(phone.locator("#note-form")).to_have_count(0)
        expect(wall.locator(".timer--over")).to_have_count(1)
        expect(console.locator(END_ROUND)).to_have_count(0)
        assert BuzzRound.objects.get(item__number=1, item__workshop=workshop).state == "closed"
    finally:
        context.close()


def test_a_moderator_on_a_phone_approves_held_notes_and_they_reach_the_wall(
    browser, live_server_url, laptop, projector, phone_context, workshop, moderator
):
    membership_add(workshop=workshop, username="mona", role=Membership.Role.MODERATOR)
    workshop_hold_notes(workshop=workshop, hold=True)
    groups_set_count(workshop=workshop, count=1)  # Ada and Bo at one table
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    ada, bo = (phone_context().new_page() for _ in range(2))
    join(ada, live_server_url, workshop.join_code, nickname="Ada")
    join(bo, live_server_url, workshop.join_code, nickname="Bo")
    context, mona = helper_console(
        browser,
        live_server_url,
        workshop,
        "mona",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        start_round(console, 1)
        for page in (ada, bo):
            ready_to_write(page)
        write(ada, "Første lapp til godkjenning")
        expect(ada.locator(".note.mine .flag--waiting")).to_have_count(1, timeout=15000)
        write(bo, "Andre lapp til godkjenning")
        expect(bo.locator(".note.mine .flag--waiting")).to_have_count(1, timeout=15000)
        write(ada, "Tredje lapp, som skjules")
        expect(ada.locator(".note.mine .flag--waiting")).to_have_count(2, timeout=15000)
        # The others' held notes are not on a phone.
        expect(ada.locator(".note")).to_have_count(2)
        expect(mona.locator("#held-queue .held-note")).to_have_count(3)
        expect(wall.locator(".wall-note")).to_have_count(0)
        screenshot(mona, "phone-moderator-queue")

        # The moderator's console fits the phone and shows nothing of the run of the show.
        width = mona.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the console is {width}px wide on a 390px phone"
        expect(mona.locator("#console-agenda .show-controls")).to_be_hidden()
        expect(mona.locator(END_ROUND)).to_be_hidden()

        first = Note.objects.get(text__startswith="Første")
        mona.locator(f"#queue-note-{first.pk} [data-approve]").tap()
        expect(wall.locator(f"#note-{first.pk}")).to_be_visible()
        expect(bo.locator(f"#note-{first.pk}")).to_be_visible()
        expect(ada.locator(f"#note-{first.pk} .flag--waiting")).to_have_count(0)
        # By keyboard: the focus has moved on to the next note; A approves it.
        second = Note.objects.get(text__startswith="Andre")
        mona.locator(f"#queue-note-{second.pk}").focus()
        mona.keyboard.press("a")
        expect(wall.locator(f"#note-{second.pk}")).to_be_visible()
        third = Note.objects.get(text__startswith="Tredje")
        expect(mona.locator(f"#queue-note-{third.pk}")).to_be_focused()
        mona.keyboard.press("h")
        expect(mona.locator("#held-queue .held-note")).to_have_count(0)
        expect(wall.locator(".wall-note")).to_have_count(2)
        expect(bo.locator(f"#note-{third.pk}")).to_have_count(0)
        third.refresh_from_db()
        assert third.hidden and third.approval == Note.Approval.WAITING
    finally:
        context.close()


def test_a_removed_co_facilitators_console_stops_working_at_once(
    browser, live_server_url, laptop, projector, phone_context, workshop, cofacilitator
):
    console, wall, phone, context, siri = room_with_siri(
        browser, live_server_url, laptop, projector, phone_context, workshop
    )
    try:
        start_round(console, 1)
        expect(siri.locator(END_ROUND)).to_be_visible()

        people = laptop.new_page()
        people.goto(f"{live_server_url}/w/{workshop.join_code}/people/")
        people.click("form[action*='/people/'][action$='/remove/'] button")
        expect(people.locator("table")).to_have_count(0)
        assert not Membership.objects.filter(workshop=workshop).exists()

        # Siri's console reloads by itself and finds nothing; the room goes on.
        expect(siri.locator("#console-agenda")).to_have_count(0)
        expect(siri.locator(END_ROUND)).to_have_count(0)
        # And a click sent from the old console is refused by the server.
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        buzz_round = BuzzRound.objects.get(item__number=1, item__workshop=workshop)
        answer = siri.request.post(
            f"{live_server_url}/w/{workshop.join_code}/rounds/{buzz_round.pk}/close/",
            headers={"X-CSRFToken": token, "Referer": f"{live_server_url}/"},
        )
        assert answer.status == 404
        expect(phone.locator("#note-form")).to_be_visible()
        buzz_round.refresh_from_db()
        assert buzz_round.state == "open"
    finally:
        context.close()
