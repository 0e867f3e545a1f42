"""The facilitator runs a buzz round: a laptop console, a projector wall and phones."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buzzgroups.models import Note
from sessions.models import BuzzRound
from tests.browser.conftest import join, open_console_and_wall, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def test_a_whole_buzz_round_runs_from_console_to_wall_and_phones(
    live_server_url, laptop, projector, phone_context, workshop
):
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    expect(wall.locator(".join-panel__code")).to_have_text(workshop.join_code)
    expect(wall.locator(".join-panel__qr svg")).to_have_count(1)

    ada, bo, cy = (phone_context().new_page() for _ in range(3))
    for page, name in ((ada, "Ada"), (bo, "Bo"), (cy, "")):
        join(page, live_server_url, workshop.join_code, nickname=name)
    expect(wall.locator("#online")).to_contain_text("3")

    console.click(
        "#console-agenda form.show-controls button, #console-agenda .show-controls button"
    )
    expect(ada.locator("#stage-title")).to_contain_text("Sosiale mediers fellestrekk")
    console.locator("#console-agenda form.round-start").first.locator("button").click()
    for page in (ada, bo, cy):
        expect(page.locator("#note-form")).to_be_visible()

    write(ada, "Rekruttering: vis fram ildsjelene")
    write(bo, "Kundekontakt der kundene er")
    write(cy, "Læring: del kunnskap internt")
    expect(wall.locator(".wall-note")).to_have_count(3)
    expect(console.locator(".console-note")).to_have_count(3)
    screenshot(wall, "wall-round")
    screenshot(console, "console-round")

    hidden = Note.objects.get(text__startswith="Kundekontakt")
    console.locator(f"#note-{hidden.pk} .moderation button").first.click()
    expect(wall.locator(f"#note-{hidden.pk}")).to_have_count(0)
    # Its author's phone keeps it, and says why; nobody else's shows it.
    expect(bo.locator(f"#note-{hidden.pk}.note--hidden")).to_be_visible()
    expect(bo.locator(f"#note-{hidden.pk}")).to_contain_text("Kundekontakt der kundene er")
    expect(bo.locator(f"#note-{hidden.pk}")).to_contain_text("Skjult av fasilitatoren")
    for other in (ada, cy):
        expect(other.locator(f"#note-{hidden.pk}")).not_to_be_visible()
    expect(console.locator(f"#note-{hidden.pk}.note--hidden")).to_have_count(1)
    hidden.refresh_from_db()
    assert hidden.hidden

    console.click("#console-round >> text=/End buzz groups now|Avslutt summegruppene nå/")
    for page in (ada, bo, cy):
        expect(page.locator("#note-form")).to_have_count(0)
    expect(wall.locator(".timer--over")).to_have_count(1)
    # Ending the round sent the stage without the notes: the ones shown stay where they are.
    expect(wall.locator(".wall-note")).to_have_count(2)
    expect(console.locator(".console-note")).to_have_count(3)
    assert BuzzRound.objects.get(item__number=1).state == BuzzRound.State.CLOSED


def test_when_the_timer_runs_out_the_round_closes_on_every_screen(
    live_server_url, laptop, projector, phone_context, workshop, first_round
):
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    phone = phone_context().new_page()
    join(phone, live_server_url, workshop.join_code)
    console.locator("#console-agenda form.round-start").first.locator("button").click()
    expect(phone.locator("#note-form")).to_be_visible()

    # Nine minutes later: the wall shows a timer two seconds from its end.
    BuzzRound.objects.filter(pk=first_round.pk).update(
        closes_at=timezone.now() + timedelta(seconds=2)
    )
    wall.reload()
    expect(phone.locator("#note-form")).to_have_count(0, timeout=10000)
    expect(wall.locator(".timer--over")).to_have_count(1)
    assert BuzzRound.objects.get(pk=first_round.pk).state == BuzzRound.State.CLOSED
