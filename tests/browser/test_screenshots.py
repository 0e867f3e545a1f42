"""Screenshots of the main pages for docs/screenshots/: a phone in nb and en, the
console on a laptop and the wall on a projector. Look at them after a change to
the templates or CSS; the test only fails if a page does not render."""

import pytest

from sessions.models import BuzzRound, Workshop
from tests.browser.conftest import join, log_in, screenshot
from tests.browser.test_accessibility import seed_notes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_screenshots_of_the_main_pages(live_server_url, browser, workshop, phones, language):
    from sessions.services import round_open, show_start

    base, code = live_server_url, workshop.join_code
    Workshop.objects.filter(pk=workshop.pk).update(language=language)
    cookie = [{"name": "django_language", "value": language, "url": base}]

    # Reduced motion: a note caught halfway through its arrival would look faded.
    still = {"reduced_motion": "reduce"}
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, **still)
    laptop.add_cookies(cookie)
    console = laptop.new_page()
    log_in(console, base)
    screenshot(console, f"laptop-my-workshops-{language}")
    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, **still)
    projector.add_cookies(laptop.cookies() + cookie)
    wall = projector.new_page()
    wall.goto(f"{base}/w/{code}/wall/")
    wall.wait_for_selector(".join-panel__qr svg")
    screenshot(wall, f"projector-wall-welcome-{language}")

    phone_context = browser.new_context(**browser.devices["iPhone SE"], **still)
    phone_context.add_cookies(cookie)
    phone = phone_context.new_page()
    phone.goto(f"{base}/")
    screenshot(phone, f"phone-front-page-{language}")
    phone.goto(f"{base}/j/{code}/")
    screenshot(phone, f"phone-join-{language}")
    join(phone, base, code, nickname="Ada")

    show_start(workshop=workshop)
    round_open(buzz_round=workshop.items.get(number=1).buzz_rounds.get(), minutes=10)
    seed_notes(workshop, phones)
    phone.reload()
    phone.wait_for_selector("#note-form")
    phone.fill("#note-text", "Rekruttering: vis fram ildsjelene i kanalene de unge bruker")
    phone.click("#note-form button[type=submit]")
    phone.wait_for_selector("#group-notes .note.mine:not(.pending)")
    screenshot(phone, f"phone-note-form-{language}")

    console.goto(f"{base}/w/{code}/")
    console.wait_for_selector("body.is-online")
    screenshot(console, f"laptop-console-{language}")
    wall.reload()
    wall.wait_for_selector("body.is-online")
    screenshot(wall, f"projector-wall-round-{language}")
    console.goto(f"{base}/w/{code}/groups/")
    screenshot(console, f"laptop-groups-{language}")

    from sessions.services import round_close

    round_close(buzz_round=BuzzRound.objects.get(item__workshop=workshop, item__number=1))
    phone.reload()
    screenshot(phone, f"phone-round-over-{language}")
    for context in (laptop, projector, phone_context):
        context.close()
