"""A full room: twelve groups of buzzing people, eight notes a group, on real screen sizes.

The wall on a 1280x720 projector and a 1920x1080 screen shows every note of the
round at once (per group and per prompt), the newest included, with the group,
author and tags at a readable share of the note's type; a dot vote on twenty
notes fits too. A phone that waited opens on the writing when the round opens;
the console keeps the current item, the round's controls and the newest notes
above the fold. The room is made through the services before the pages load, as
the other browser tests do. Screenshots go to docs/screenshots/ when
SUMMA_SCREENSHOTS=1 (else to a temporary folder).
"""

import uuid

import pytest
from playwright.sync_api import expect

from buzzgroups.models import Note
from sessions.models import BuzzRound, Workshop
from tests.browser.conftest import SCREENSHOTS, join, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

GROUPS = 12
NOTES_PER_GROUP = 8

IDEAS = [
    "Vis fram ildsjelene",
    "Svar kundene der de er, også på kvelden",
    "Læring på tvers av kontorene med korte videoer fra kolleger",
    "Én tone i alle kanaler",
    "Rask avklaring av hva vi kan svare på i åpne kanaler og hva som må tas på e-post",
    "Bruk ansatte som ambassadører",
    "Faste svartider",
    "Del historier fra lokalsamfunnet: idrettslag, frivillige og små bedrifter vi støtter",
]
SIZES = {"1280x720": (1280, 720), "1920x1080": (1920, 1080)}


def fill_the_room(workshop: Workshop, buzz_round: BuzzRound) -> list[Note]:
    """Twelve groups of two; each person writes four notes, groups take turns."""
    from buzzgroups.services import groups_set_count, note_create, participant_join

    groups = groups_set_count(workshop=workshop, count=GROUPS)
    people = [
        participant_join(workshop=workshop, nickname=f"{name} {group.number}", group=group)
        for group in groups
        for name in ("Ada", "Bo")
    ]
    prompts = list(buzz_round.prompts.all())
    notes = []
    for turn in range(NOTES_PER_GROUP):
        for number, _group in enumerate(groups):
            author = people[2 * number + turn % 2]
            note, _ = note_create(
                author=author,
                text=IDEAS[(turn + number) % len(IDEAS)],
                prompt_id=prompts[(turn + number) % len(prompts)].pk,
                client_id=str(uuid.uuid4()),
            )
            notes.append(note)
    return notes


@pytest.fixture
def full_room(workshop):
    from sessions.services import round_open, show_start

    show_start(workshop=workshop)
    buzz_round = round_open(buzz_round=workshop.items.get(number=1).buzz_rounds.get(), minutes=15)
    notes = fill_the_room(workshop, buzz_round)
    return buzz_round, notes


def still_context(browser, width, height, cookies=()):
    context = browser.new_context(
        viewport={"width": width, "height": height}, reduced_motion="reduce", locale="nb-NO"
    )
    context.add_cookies(list(cookies))
    return context


GEOMETRY = """() => {
  const box = (el) => el.getBoundingClientRect();
  const notes = [...document.querySelectorAll(".wall-note")].map((note) => {
    const b = box(note), column = box(note.closest(".column__notes"));
    const text = parseFloat(getComputedStyle(note.querySelector(".note__text")).fontSize);
    const metas = [...note.querySelectorAll(".note__meta .tag, .note__meta .byline")]
      .map((m) => parseFloat(getComputedStyle(m).fontSize));
    return {id: note.id, top: b.top, left: b.left, bottom: b.bottom, right: b.right,
            clipped: b.top < column.top - 0.5 || b.bottom > column.bottom + 0.5 ||
                     b.left < column.left - 0.5 || b.right > column.right + 0.5,
            text, meta: Math.min(...metas)};
  });
  const heads = [...document.querySelectorAll(".column__title")].map((h) =>
    parseFloat(getComputedStyle(h.querySelector(".group-head__name, span[dir]")).fontSize));
  const title = document.querySelector(".wall-round .wall-title");
  return {notes, heads, width: innerWidth, height: innerHeight,
          scroll: document.documentElement.scrollHeight,
          titleHeight: title ? box(title).height : 0,
          titleLine: title ? parseFloat(getComputedStyle(title).lineHeight) : 0,
          qr: !!document.querySelector(".wall-join__qr svg"),
          qrBox: document.querySelector(".wall-join__qr svg") ?
            box(document.querySelector(".wall-join__qr svg")).bottom : null};
}"""


def assert_every_note_fits(geometry, count):
    notes = geometry["notes"]
    assert len(notes) == count
    width, height = geometry["width"], geometry["height"]
    assert geometry["scroll"] <= height, "the wall scrolls"
    outside = [
        n["id"]
        for n in notes
        if n["left"] < 0 or n["top"] < 0 or n["right"] > width or n["bottom"] > height
    ]
    assert outside == [], f"{len(outside)} of {count} notes outside the screen"
    clipped = [n["id"] for n in notes if n["clipped"]]
    assert clipped == [], f"{len(clipped)} of {count} notes cut off by their column"
    boxes = sorted(notes, key=lambda n: (n["top"], n["left"]))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b["top"] >= a["bottom"]:
                break
            overlap = min(a["right"], b["right"]) - max(a["left"], b["left"])
            assert overlap <= 0 or b["top"] >= a["bottom"] - 0.5, f"{a['id']} overlaps {b['id']}"
    for note in notes:
        assert note["meta"] >= 0.6 * note["text"] - 0.01, note
    assert all(head >= 0.6 * notes[0]["text"] for head in geometry["heads"])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("layout", ["groups", "prompts"])
def test_every_note_of_a_full_room_is_on_the_wall(
    live_server_url, browser, workshop, full_room, size, layout
):
    from sessions.services import wall_set

    _round, notes = full_room
    wall_set(workshop=workshop, layout=layout)
    width, height = SIZES[size]
    laptop = still_context(browser, 1366, 768)
    log_in(laptop.new_page(), live_server_url)
    projector = still_context(browser, width, height, laptop.cookies())
    wall = projector.new_page()
    wall.goto(f"{live_server_url}/w/{workshop.join_code}/wall/")
    wall.wait_for_selector("body.is-online[data-wall-fitted]")
    wall.wait_for_selector(".wall-join__qr svg")

    screenshot(wall, f"full-room-wall-{layout}-{size}")
    geometry = wall.evaluate(GEOMETRY)
    assert_every_note_fits(geometry, len(notes))
    newest = next(n for n in geometry["notes"] if n["id"] == f"note-{notes[-1].pk}")
    assert newest["top"] >= 0 and newest["bottom"] <= height
    # The item's title is one line; the QR code and the join code stay on the wall.
    assert geometry["titleHeight"] <= geometry["titleLine"] * 1.1
    assert geometry["qr"] and geometry["qrBox"] <= height
    expect(wall.locator(".wall-join__code")).to_contain_text(workshop.join_code)
    laptop.close()
    projector.close()


def screenshot_viewport(page, name):
    """What the person sees without scrolling (the helper in conftest takes the full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def in_view(page, selector) -> bool:
    return page.evaluate(
        """(selector) => { const b = document.querySelector(selector).getBoundingClientRect();
             return b.top >= 0 && b.left >= 0 && b.bottom <= innerHeight && b.right <= innerWidth
                    && b.height > 0; }""",
        selector,
    )


def test_a_waiting_phone_opens_on_the_writing_and_the_console_keeps_the_run_in_view(
    live_server_url, browser, workshop, full_room
):
    from sessions.services import round_close

    buzz_round, notes = full_room
    round_close(buzz_round=buzz_round)
    base, code = live_server_url, workshop.join_code

    # A latecomer's phone joins group 12 (from its table card) and waits; the round has ended for now.
    phone_context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
        locale="nb-NO",
    )
    phone = phone_context.new_page()
    join(phone, base, code, nickname="Eva", group=GROUPS)
    expect(phone.locator("#note-text")).to_have_count(0)

    laptop = still_context(browser, 1366, 768)
    console = laptop.new_page()
    log_in(console, base)
    console.goto(f"{base}/w/{code}/")
    console.wait_for_selector("body.is-online")
    projector = still_context(browser, 1280, 720, laptop.cookies())
    wall = projector.new_page()
    wall.goto(f"{base}/w/{code}/wall/")
    wall.wait_for_selector("body.is-online[data-wall-fitted]")

    # The facilitator runs the buzz groups again from the console.
    console.locator(f"form[action$='/rounds/{buzz_round.pk}/open/'] button").click()
    phone.wait_for_selector("#note-text")
    phone.wait_for_timeout(300)  # the stage settles (the notes list refreshes)
    screenshot_viewport(phone, "full-room-phone-round-opens-360x740")
    assert phone.evaluate("scrollY") == 0
    assert in_view(phone, "#note-text"), "the text box is below the screen"
    assert in_view(phone, "#note-form button[type=submit]"), "the send button is below the screen"
    assert phone.locator(".item-points").get_attribute("open") is None
    assert phone.locator("#note-form input[name=prompt]").count() >= 2
    expect(phone.locator("#group-notes-title")).to_be_visible()

    # Her note is the newest on the wall, in view there, and on top of the console's
    # feed of the newest notes (group 12's column is far below the fold).
    phone.fill("#note-text", "Sosiale medier er samtale, ikke reklame")
    phone.click("#note-form button[type=submit]")
    phone.wait_for_selector("#group-notes .note.mine:not(.pending)")
    newest = Note.objects.filter(round=buzz_round).latest("created_at")
    assert newest.text.startswith("Sosiale medier er samtale")
    # The wall refits as the note arrives (a frame later).
    wall.wait_for_function(
        """(id) => { const note = document.getElementById(id);
             if (!note) { return false; }
             const b = note.getBoundingClientRect();
             const c = note.parentElement.getBoundingClientRect();
             return b.bottom <= c.bottom + 0.5 && b.right <= c.right + 0.5; }""",
        arg=f"note-{newest.pk}",
        timeout=5000,
    )
    screenshot_viewport(wall, "full-room-wall-a-note-arrives-1280x720")
    geometry = wall.evaluate(GEOMETRY)
    assert_every_note_fits(geometry, len(notes) + 1)
    console.wait_for_selector(f"#note-{newest.pk}")
    console.wait_for_timeout(300)
    screenshot_viewport(console, "full-room-console-mid-round-1366x768")
    assert in_view(console, "#console-round .timer"), "the round's timer is below the fold"
    assert in_view(console, "#console-round [action$='/close/'] button"), "End is below the fold"
    assert in_view(console, ".agenda__item--current"), "the current item is below the fold"
    assert in_view(console, f"#newest-note-{newest.pk}"), "the newest note is below the fold"
    feed = console.locator(f"#newest-notes-r{buzz_round.pk} > .newest-note")
    expect(feed).to_have_count(4)
    expect(feed.first).to_have_id(f"newest-note-{newest.pk}")
    expect(feed.first).to_contain_text("Gruppe 12 · Eva")
    expect(
        console.locator(f"#col-r{buzz_round.pk}-g{newest.group_id} #note-{newest.pk}")
    ).to_have_count(1)
    for context in (phone_context, laptop, projector):
        context.close()


VOTE_GEOMETRY = """() => {
  const rows = [...document.querySelectorAll("#vote-wall .vote-chart__row")].map((row) => {
    const b = row.getBoundingClientRect();
    return {top: b.top, bottom: b.bottom, left: b.left, right: b.right,
            size: parseFloat(getComputedStyle(row).fontSize)};
  });
  return {rows, width: innerWidth, height: innerHeight,
          scroll: document.documentElement.scrollHeight};
}"""


@pytest.mark.parametrize("size", SIZES)
def test_a_dot_vote_on_twenty_notes_fits_the_wall(live_server_url, browser, workshop, size):
    from buzzgroups.services import groups_set_count, note_create, participant_join
    from buzzgroups.voting import vote_open
    from sessions.services import round_close, round_open, show_start

    show_start(workshop=workshop)
    buzz_round = round_open(buzz_round=workshop.items.get(number=1).buzz_rounds.get(), minutes=9)
    groups = groups_set_count(workshop=workshop, count=5)
    prompts = list(buzz_round.prompts.all())
    for number in range(20):
        author = participant_join(workshop=workshop, group=groups[number % 5])
        note_create(
            author=author,
            text=IDEAS[number % len(IDEAS)],
            prompt_id=prompts[number % len(prompts)].pk,
            client_id=str(uuid.uuid4()),
        )
    round_close(buzz_round=buzz_round)
    vote_open(workshop=workshop, buzz_round=buzz_round, dots=3)

    width, height = SIZES[size]
    laptop = still_context(browser, 1366, 768)
    log_in(laptop.new_page(), live_server_url)
    projector = still_context(browser, width, height, laptop.cookies())
    wall = projector.new_page()
    wall.goto(f"{live_server_url}/w/{workshop.join_code}/wall/")
    wall.wait_for_selector("body.is-online[data-wall-fitted]")
    screenshot_viewport(wall, f"full-room-wall-vote-20-options-{size}")
    geometry = wall.evaluate(VOTE_GEOMETRY)
    rows = geometry["rows"]
    assert len(rows) == 20
    assert geometry["scroll"] <= height, "the wall scrolls"
    outside = [r for r in rows if r["top"] < 0 or r["bottom"] > height or r["right"] > width]
    assert outside == [], f"{len(outside)} of 20 options below the screen"
    for above, below in zip(rows, rows[1:], strict=False):
        assert below["top"] >= above["bottom"] - 0.5
    assert min(r["size"] for r in rows) >= 12, "too small to read from the back"
    laptop.close()
    projector.close()


def test_planned_minutes_live_in_one_folded_list_that_stays_open_while_planning(
    live_server_url, laptop, workshop
):
    console = laptop.new_page()
    log_in(console, live_server_url)
    console.goto(f"{live_server_url}/w/{workshop.join_code}/")
    console.wait_for_selector("body.is-online")
    # No agenda row carries a planning field during the run.
    expect(console.locator(".agenda__item input[name=minutes][id^=plan-]")).to_have_count(0)
    expect(console.locator("#plan-2")).not_to_be_visible()

    console.locator("#console-planning summary").click()
    console.fill("#plan-2", "20")
    console.locator("#console-planning form[action$='/items/2/plan/'] button").click()
    expect(console.locator(".agenda__item").nth(1).locator(".agenda__time")).to_contain_text("20")
    expect(console.locator("#plan-3")).to_be_visible()  # still open for the next item
    console.fill("#plan-3", "15")
    console.locator("#console-planning form[action$='/items/3/plan/'] button").click()
    expect(console.locator(".agenda__item").nth(2).locator(".agenda__time")).to_contain_text("15")
    assert list(workshop.items.order_by("number").values_list("planned_minutes", flat=True))[
        1:3
    ] == [20, 15]
