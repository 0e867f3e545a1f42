"""From sixty notes to a handful of themes: after the buzz round on the use areas
(agenda item 2 of the demo), the facilitator pulls the notes together on the
console, by mouse, by touch and by keyboard, and the wall follows live."""

import os
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from buzzgroups.models import Note, Theme
from tests.browser.conftest import SCREENSHOTS, join, open_console_and_wall
from tests.buzzgroups.test_themes import use_areas_round

pytestmark = pytest.mark.django_db(transaction=True)

NOTES = {
    "Ada": [
        "Rekruttere unge via LinkedIn",
        "Svare kunder på Facebook samme dag",
        "Vise fram ildsjelene i bedriften",
    ],
    "Bo": [
        "Instagram-kontoen viser arbeidsplassen",
        "Svare kunder på Facebook samme dag!",
        "Dele fagkunnskap internt",
    ],
    "": [
        "Kundeservice i chat på kveldstid",
        "Webinarer om sparing for unge kunder",
        "Læring på tvers av avdelinger",
    ],
}
# Notes of other tables, so the round holds a hundred, as a full room would write.
MORE_NOTES = 91


def write(page, text):
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")


def note_item(page, text):
    return page.locator("#theme-board .theme-note", has_text=text).first


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + 20 <= page.viewport_size["height"]


def note_id(page, text) -> str:
    return note_item(page, text).get_attribute("data-note")


def shoot(page, name, tmp_path):
    """Screenshots for docs/screenshots only when asked (SUMMA_SCREENSHOTS=1)."""
    folder = SCREENSHOTS if os.environ.get("SUMMA_SCREENSHOTS") == "1" else Path(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def assert_cards_fit(wall, selector):
    viewport = wall.viewport_size
    cards = wall.locator(selector)
    assert cards.count() > 0
    for index in range(cards.count()):
        box = cards.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0, (selector, index, box)
        assert box["x"] + box["width"] <= viewport["width"] + 0.5, (selector, index, box)
        assert box["y"] + box["height"] <= viewport["height"] + 0.5, (selector, index, box)


def touch_drag(page, source, target):
    """A finger on the note's handle, moved onto the target and lifted (CDP touch events)."""
    start = source.locator(".theme-note__handle").bounding_box()
    end = target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 40)
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for step in range(1, 11):
        x = x0 + (x1 - x0) * step / 10
        y = y0 + (y1 - y0) * step / 10
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_the_facilitator_themes_the_use_areas_and_the_wall_follows(
    live_server_url, laptop, projector, phone_context, workshop, browser, tmp_path
):
    buzz_round = use_areas_round(workshop)
    code = workshop.join_code
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)

    # Three phones join and wait; then the facilitator opens the round on item 2.
    phones = {name: phone_context().new_page() for name in NOTES}
    for name, page in phones.items():
        join(page, live_server_url, code, nickname=name)
    expect(wall.locator("#online")).to_contain_text("3")
    console.locator("#console-agenda .show-controls button").click()
    console.locator("#console-agenda form[action$='/show/goto/2/'] button").click()
    expect(phones["Ada"].locator("#stage-title")).to_contain_text("Hvilken nytte")
    console.locator(f"#console-agenda form[action$='/rounds/{buzz_round.pk}/open/'] button").click()
    for page in phones.values():
        expect(page.locator("#note-form")).to_be_visible()

    # Several notes each, while the others' notes arrive.
    for turn in range(3):
        for name, page in phones.items():
            write(page, NOTES[name][turn])
        for page in phones.values():
            mine = page.locator(f"#group-notes-r{buzz_round.pk} .note:not(.pending)")
            expect(mine).to_have_count(turn + 1)
        expect(wall.locator(".wall-note")).to_have_count(3 * (turn + 1))
    console.locator(f"#console-round form[action$='/rounds/{buzz_round.pk}/close/'] button").click()
    expect(wall.locator(".timer--over")).to_have_count(1)

    # The other tables' notes: a round of a hundred.
    some = Note.objects.filter(round=buzz_round).first()
    Note.objects.bulk_create(
        Note(
            workshop=workshop,
            round=buzz_round,
            prompt=some.prompt,
            group=some.group,
            text=f"Innspill {n} fra de andre bordene om sosiale medier",
            client_id=uuid.uuid4(),
        )
        for n in range(MORE_NOTES)
    )

    # The console's synthesis page; the wall switches to a card per theme.
    console.locator(f"a[href$='/rounds/{buzz_round.pk}/themes/']").click()
    console.wait_for_selector("body.is-online")
    expect(console.locator("#theme-board [data-drop-theme=''] .theme-note")).to_have_count(100)
    console.locator(".theme-wall-controls form:has(input[value=all]) button").click()
    expect(wall.locator(".theme-empty")).to_have_count(1)
    expect(console.locator("#announcer")).to_contain_text("Veggen viser alle kategoriene")

    # The same note twice is offered for merging; two notes that merely share words are not.
    suggestions = console.locator(".theme-suggestions li")
    expect(suggestions).to_have_count(1)
    expect(suggestions).to_contain_text("Svare kunder på Facebook samme dag")

    # Mouse: a note dropped on another note makes a theme of the two.
    note_item(console, "Instagram-kontoen").drag_to(note_item(console, "Rekruttere unge"))
    expect(console.locator(".theme-box")).to_have_count(1)
    expect(console.locator("#announcer")).to_contain_text("Kategori 1")
    expect(wall.locator(".theme-card")).to_have_count(1)
    expect(wall.locator(".theme-card").first).to_contain_text("Instagram-kontoen")
    # ... and a note dropped on a theme joins it; the wall follows within the fan-out time.
    first_theme = console.locator(".theme-box").first
    ildsjelene = note_item(console, "Vise fram ildsjelene")
    # Scrolled so that both are in view, as a person does before dragging: a drag
    # that starts by scrolling the page lifts whichever note is then under the mouse.
    first_theme.evaluate("box => window.scrollBy(0, box.getBoundingClientRect().top - 10)")
    assert in_viewport(console, first_theme) and in_viewport(console, ildsjelene)
    started = time.monotonic()
    ildsjelene.drag_to(first_theme)
    expect(wall.locator(".theme-card").first).to_contain_text("Vise fram ildsjelene")
    move_to_wall = time.monotonic() - started
    print(f"\nA mouse move with 100 notes in the round reached the wall in {move_to_wall:.2f} s")
    assert move_to_wall < 3
    expect(first_theme.locator(".theme-note", has_text="Vise fram ildsjelene")).to_have_count(1)
    expect(console.locator("#announcer")).to_contain_text("Kategori 1")

    # Keyboard alone: choose "new theme" in the list under a note, then Move.
    chat = note_id(console, "Kundeservice i chat")
    select = console.locator(f"#move-{chat}")
    select.focus()
    console.keyboard.press("End")  # the last choice: a new theme
    expect(select).to_have_value("new")
    console.keyboard.press("Tab")
    console.keyboard.press("Enter")
    expect(console.locator(".theme-box")).to_have_count(2)
    expect(console.locator("#announcer")).to_contain_text("ny kategori")
    expect(console.locator(f"#move-{chat}")).to_be_focused()
    # The facilitator names it, still by keyboard.
    second = console.locator(".theme-box").nth(1)
    second.locator("summary").focus()
    console.keyboard.press("Enter")
    title = second.locator("input[name=title]")
    title.focus()
    console.keyboard.press("Control+A")
    console.keyboard.type("Kundedialog på nett")
    console.keyboard.press("Enter")
    expect(console.locator(".theme-box").nth(1)).to_contain_text("Kundedialog på nett")
    expect(wall.locator(".theme-card").nth(1)).to_contain_text("Kundedialog på nett")

    # The duplicate pair merged into one theme with a click.
    console.locator(".theme-suggestions button").click()
    expect(console.locator(".theme-box")).to_have_count(3)
    expect(console.locator(".theme-suggestions")).to_have_count(0)

    # Touch: a finger drags a note by its handle onto the "Kundedialog" theme.
    touch_context = browser.new_context(
        viewport={"width": 1366, "height": 1024}, has_touch=True, locale="nb-NO"
    )
    touch_context.add_cookies(laptop.cookies())
    tablet = touch_context.new_page()
    tablet.goto(f"{live_server_url}/w/{code}/rounds/{buzz_round.pk}/themes/")
    tablet.wait_for_selector("body.is-online")
    dialog = Theme.objects.get(round=buzz_round, title="Kundedialog på nett")
    kundedialog = tablet.locator(f"#theme-{dialog.pk}")
    tablet.evaluate("() => window.scrollTo(0, 250)")
    touch_drag(tablet, note_item(tablet, "Webinarer om sparing"), kundedialog)
    expect(console.locator(f"#theme-{dialog.pk}")).to_contain_text("Webinarer om sparing")
    expect(wall.locator(".theme-card", has_text="Kundedialog på nett")).to_contain_text(
        "Webinarer om sparing"
    )
    touch_context.close()

    # Two more themes from the lists, and some of the other tables' notes into themes.
    def move(text, value):
        item = note_item(console, text)
        item.locator("select").select_option(value)
        item.locator("button").click()

    move("Dele fagkunnskap internt", "new")
    expect(console.locator(".theme-box")).to_have_count(4)
    learning = Theme.objects.filter(round=buzz_round).order_by("order").last()
    move("Læring på tvers", str(learning.pk))
    expect(console.locator(f"#theme-{learning.pk} .theme-note")).to_have_count(2)
    move("Innspill 1 fra", "new")
    expect(console.locator(".theme-box")).to_have_count(5)
    ordered = list(Theme.objects.filter(round=buzz_round).order_by("order"))
    for n in range(2, 22):
        move(f"Innspill {n} fra", str(ordered[n % 5].pk))
        expect(
            console.locator(".theme-box .theme-note", has_text=f"Innspill {n} fra")
        ).to_have_count(1)
    count = Theme.objects.filter(round=buzz_round).count()
    expect(wall.locator(".theme-card")).to_have_count(count)

    # The wall: a card per theme, every card on the screen, at both projector sizes.
    for width, height in ((1920, 1080), (1280, 720)):
        wall.set_viewport_size({"width": width, "height": height})
        wall.wait_for_timeout(300)
        assert_cards_fit(wall, ".theme-card")
        shoot(wall, f"wall-themes-{width}x{height}", tmp_path)

    # The plenary steps through the themes, one large at a time.
    console.locator(".theme-wall-controls form:has(input[value='1']) button").click()
    expect(wall.locator(".theme-step__count")).to_have_text(f"1 av {count}")
    console.locator(".theme-wall-controls form:has(input[value='2']) button").click()
    expect(wall.locator(".theme-step__count")).to_have_text(f"2 av {count}")
    second_title = Theme.objects.filter(round=buzz_round).order_by("order")[1].title
    expect(wall.locator(".theme-step__title")).to_have_text(second_title)
    for width, height in ((1920, 1080), (1280, 720)):
        wall.set_viewport_size({"width": width, "height": height})
        wall.wait_for_timeout(300)
        assert_cards_fit(wall, ".theme-step")
        shoot(wall, f"wall-theme-step-{width}x{height}", tmp_path)
    shoot(console, "console-themes", tmp_path)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_synthesis_page_and_the_theme_wall_pass_axe(
    live_server_url, browser, workshop, phones, language
):
    from buzzgroups import services, themes
    from sessions.models import Workshop
    from sessions.services import round_close, round_open, show_goto
    from tests.browser.conftest import log_in
    from tests.browser.test_accessibility import axe_violations, with_language

    Workshop.objects.filter(pk=workshop.pk).update(language=language)
    workshop.refresh_from_db()
    buzz_round = use_areas_round(workshop)
    show_goto(workshop=workshop, number=2)
    round_open(buzz_round=buzz_round, minutes=10)
    prompt_id = buzz_round.prompts.get().pk
    notes = [
        services.note_create(
            author=phones[n % 4], text=text, prompt_id=prompt_id, client_id=uuid.uuid4()
        )[0]
        for n, text in enumerate(sum(NOTES.values(), []))
    ]
    round_close(buzz_round=buzz_round)
    themes.theme_create(buzz_round=buzz_round, title="Rekruttering", notes=notes[:2])
    themes.theme_create(buzz_round=buzz_round, title="Kundedialog", notes=notes[3:5])
    services.note_hide(note=notes[4])
    base, code = live_server_url, workshop.join_code
    found = {}

    def check(page, name, url, ready="body.is-online"):
        page.goto(base + url)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        if violations := axe_violations(page):
            found[name] = violations

    laptop = with_language(
        browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True),
        base,
        language,
    )
    console = laptop.new_page()
    log_in(console, base)
    check(console, "synthesis page", f"/w/{code}/rounds/{buzz_round.pk}/themes/")
    projector = with_language(
        browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True),
        base,
        language,
    )
    projector.add_cookies(laptop.cookies())
    wall = projector.new_page()
    themes.wall_theme_step(workshop=workshop, step=None)
    check(wall, "wall: a card per theme", f"/w/{code}/wall/")
    themes.wall_theme_step(workshop=workshop, step=2)
    check(wall, "wall: one theme large", f"/w/{code}/wall/")
    laptop.close()
    projector.close()
    assert not found, found
