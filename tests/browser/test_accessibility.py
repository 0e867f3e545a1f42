"""Usable by everyone (WCAG 2.2 AA): axe-core on every page in both languages,
the keyboard alone, live regions, reduced motion, small phones and zoomed text.

axe-core comes from the npm registry (static/vendor/axe-core-<version>/). The
pages forbid inline script (CSP), so axe runs in contexts made with
bypass_csp=True; nothing else about the pages changes.
"""

import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from buzzgroups.models import Note
from sessions.models import BuzzRound, Workshop
from tests.browser.conftest import join, log_in

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
AXE = sorted((ROOT / "static" / "vendor").glob("axe-core-*/axe.min.js"))[-1]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# scripts/check-pages asks for every impact (SUMMA_AXE_ALL=1) and keeps each page as
# served (SUMMA_PAGES_DIR) for the Nu HTML checker; the suite fails on serious and critical.
AXE_IMPACTS = (
    ["minor", "moderate", "serious", "critical"]
    if os.environ.get("SUMMA_AXE_ALL") == "1"
    else ["serious", "critical"]
)
PAGES_DIR = os.environ.get("SUMMA_PAGES_DIR")
RUN_AXE = """async ([tags, impacts]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " | " + n.failureSummary)}));
}"""


def axe_violations(page) -> list[dict]:
    # A note arriving fades in; judge its contrast once it has arrived.
    page.wait_for_function("document.getAnimations().every((a) => a.playState !== 'running')")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, [AXE_TAGS, AXE_IMPACTS])


def keep_as_served(page, url: str, name: str, language: str) -> None:
    """The page's HTML as the server sent it (with this browser's cookies), for the Nu checker."""
    if not PAGES_DIR:
        return
    folder = Path(PAGES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    (folder / f"{language}-{slug}.html").write_text(page.request.get(url).text())


def with_language(context, base_url, language):
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    return context


def seed_notes(workshop: Workshop, phones) -> list[Note]:
    """Notes from four other phones: one highlighted, one hidden, one with a topic-free prompt."""
    from buzzgroups.services import note_create, note_hide, note_highlight

    buzz_round = BuzzRound.objects.get(item__workshop=workshop, state=BuzzRound.State.OPEN)
    prompts = list(buzz_round.prompts.all())
    texts = [
        "Rekruttering: vis fram ildsjelene",
        "Kundekontakt der kundene er",
        "Læring på tvers av kontorer",
        "Samfunnskommunikasjon uten mellomledd",
    ]
    notes = [
        note_create(
            author=phone,
            text=text,
            prompt_id=prompts[i % len(prompts)].pk,
            client_id=str(uuid.uuid4()),
        )[0]
        for i, (phone, text) in enumerate(zip(phones, texts, strict=True))
    ]
    note_highlight(note=notes[0])
    note_hide(note=notes[1])
    return notes


def url_exists(name, *args) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def running_workshop(workshop, phones):
    from sessions.services import round_open, show_start

    show_start(workshop=workshop)
    round_open(buzz_round=workshop.items.get(number=1).buzz_rounds.get(), minutes=10)
    seed_notes(workshop, phones)
    workshop.refresh_from_db()
    return workshop


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_page_passes_axe(live_server_url, browser, running_workshop, language):
    base, code = live_server_url, running_workshop.join_code
    # The workshop speaks the language too: the wall, phones and summary follow it.
    Workshop.objects.filter(pk=running_workshop.pk).update(language=language)
    found = {}

    def check(page, name, url, ready=None):
        page.goto(base + url)
        if ready:
            page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == language, f"{name}: lang"
        keep_as_served(page, base + url, name, language)
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    visitor = with_language(browser.new_context(bypass_csp=True), base, language).new_page()
    check(visitor, "front page", "/")
    check(visitor, "login", "/accounts/login/")
    check(visitor, "unknown code", "/j/NOPE00/")

    phone_context = with_language(
        browser.new_context(**browser.devices["iPhone 13"], bypass_csp=True), base, language
    )
    phone = phone_context.new_page()
    check(phone, "join", f"/j/{code}/")
    join(phone, base, code, nickname="Ada")
    check(phone, "phone with the note form", f"/p/{code}/", ready="#note-form")
    phone.fill("#note-text", "Et innspill fra en skjermleser")
    phone.click("#note-form button[type=submit]")
    phone.wait_for_selector("#group-notes .note.mine:not(.pending)")
    violations = axe_violations(phone)
    if violations:
        found["phone after sending a note"] = violations
    mine = Note.objects.get(text="Et innspill fra en skjermleser")
    check(phone, "edit note", f"/p/{code}/notes/{mine.pk}/edit/")

    laptop = with_language(
        browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True),
        base,
        language,
    )
    facilitator = laptop.new_page()
    log_in(facilitator, base)
    check(facilitator, "my workshops", "/w/")
    check(facilitator, "new workshop", "/w/new/")
    check(facilitator, "console", f"/w/{code}/", ready="body.is-online")
    check(facilitator, "groups", f"/w/{code}/groups/")
    check(facilitator, "table cards", f"/w/{code}/cards/")
    check(facilitator, "summary (printable page)", f"/w/{code}/summary.html")
    projector = with_language(
        browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True),
        base,
        language,
    )
    projector.add_cookies(laptop.cookies())
    wall = projector.new_page()
    check(wall, "wall during a round", f"/w/{code}/wall/", ready="body.is-online")

    if url_exists("buzzgroups:vote_phone", code):
        from buzzgroups import voting

        buzz_round = BuzzRound.objects.get(item__workshop=running_workshop, item__number=1)
        voting.vote_open(workshop=running_workshop, buzz_round=buzz_round, dots=3)
        check(phone, "phone with a vote open", f"/p/{code}/")
        check(facilitator, "console with a vote open", f"/w/{code}/", ready="body.is-online")
        check(wall, "wall with a vote open", f"/w/{code}/wall/", ready="body.is-online")

    from sessions.services import round_close

    round_close(buzz_round=BuzzRound.objects.get(item__workshop=running_workshop, item__number=1))
    check(wall, "wall after the round", f"/w/{code}/wall/", ready="body.is-online")
    check(phone, "phone after the round", f"/p/{code}/")

    for context in (visitor.context, phone_context, laptop, projector):
        context.close()
    assert not found, f"axe found {'/'.join(AXE_IMPACTS)} violations:\n" + "\n".join(
        f"- {page}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"])
        for page, violations in found.items()
        for v in violations
    )


def tab_to(page, selector, *, limit=60, key="Tab"):
    """Press Tab until the focused element matches `selector`, checking that focus shows."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(
            """(selector) => {
              const el = document.activeElement;
              if (!el || el === document.body) return {matches: false, visible: true};
              const style = getComputedStyle(el);
              const shown = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== "none";
              return {matches: el.matches(selector), visible: shown, what: el.outerHTML.slice(0, 120)};
            }""",
            selector,
        )
        assert focused["visible"], f"focus is not visible on {focused['what']}"
        if focused["matches"]:
            return
    raise AssertionError(f"{limit} presses of {key} never reached {selector}")


def eventually(page, check, *, seconds=10):
    for _ in range(int(seconds * 10)):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError("it never happened")


def test_a_facilitator_runs_a_buzz_segment_with_the_keyboard_alone(
    live_server_url, laptop, workshop, first_round
):
    page = laptop.new_page()
    page.goto(f"{live_server_url}/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("kari")
    tab_to(page, "#id_password")
    page.keyboard.type("kari-secret-123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/w/")

    tab_to(page, f"a[href='/w/{workshop.join_code}/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("body.is-online")

    tab_to(page, "#console-agenda .show-controls button")
    page.keyboard.press("Enter")
    expect(page.locator("#console-agenda .agenda__item--current")).to_have_count(1)
    # The agenda was redrawn under the key press; focus stays in it, not back at the top.
    page.wait_for_function("document.activeElement.closest('#console-agenda') !== null")

    tab_to(page, f"#minutes-{first_round.pk}")
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    tab_to(page, "#console-agenda form.round-start button")
    page.keyboard.press("Enter")
    expect(page.locator("#console-round .timer")).to_have_count(1)
    first_round.refresh_from_db()
    assert first_round.state == BuzzRound.State.OPEN
    assert first_round.closes_at - first_round.opened_at == timedelta(minutes=7)

    closes_at = first_round.closes_at
    tab_to(page, "#console-round form[action$='/extend/'] button")
    page.keyboard.press("Enter")
    eventually(page, lambda: BuzzRound.objects.get(pk=first_round.pk).closes_at > closes_at)

    tab_to(page, "#console-round .button--danger")
    page.keyboard.press("Enter")
    expect(page.locator("#console-round .timer")).to_have_count(0)
    assert BuzzRound.objects.get(pk=first_round.pk).state == BuzzRound.State.CLOSED


def test_a_participant_writes_a_note_with_the_keyboard_alone(
    live_server_url, phone_context, workshop, open_first_round
):
    page = phone_context().new_page()
    page.goto(f"{live_server_url}/")
    tab_to(page, "#code")
    page.keyboard.type(workshop.join_code.lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/j/{workshop.join_code}/")
    tab_to(page, "#nickname")
    page.keyboard.type("Tastatur-Tone")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/p/{workshop.join_code}/")
    page.wait_for_selector("body.is-online")

    # The prompts are a radio group: Tab reaches the chosen one, arrows change it.
    tab_to(page, "input[name=prompt]:checked")
    page.keyboard.press("ArrowRight")
    tab_to(page, "#note-text")
    page.keyboard.type("Kundeservice i chat, også om kvelden")
    tab_to(page, "#note-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#group-notes .note.mine:not(.pending)")
    note = Note.objects.get()
    assert note.text == "Kundeservice i chat, også om kvelden"
    assert note.prompt.title == "Utfordringer"
    assert note.author.nickname == "Tastatur-Tone"
    expect(page.locator("#announcer")).to_have_text("Innspillet er sendt.")


def join_group(page, base_url, code, number):
    page.goto(f"{base_url}/j/{code}/{number}/")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**/p/{code}/")
    page.wait_for_selector("body.is-online")


def test_the_phone_announces_a_groupmates_note_and_the_last_minute_politely(
    live_server_url, phone_context, workshop, open_first_round
):
    me, mate = phone_context().new_page(), phone_context().new_page()
    join_group(me, live_server_url, workshop.join_code, 1)
    join_group(mate, live_server_url, workshop.join_code, 1)
    assert me.get_attribute(".timer", "aria-live") == "off"
    assert me.get_attribute("#announcer", "aria-live") == "polite"
    assert me.get_attribute("#group-notes .note-list", "aria-live") is None

    # A groupmate writes: the note is read out without moving the writer's focus.
    me.focus("#note-text")
    mate.fill("#note-text", "Kundekontakt der kundene er")
    mate.click("#note-form button[type=submit]")
    expect(me.locator("#announcer")).to_have_text(
        "Nytt innspill: Kundekontakt der kundene er", timeout=10000
    )
    assert me.evaluate("document.activeElement.id") == "note-text"

    # A minute and two seconds left: the countdown is quiet until it passes one minute.
    BuzzRound.objects.filter(pk=open_first_round.pk).update(
        closes_at=timezone.now() + timedelta(seconds=62)
    )
    me.reload()
    me.wait_for_selector("body.is-online")
    expect(me.locator("#announcer")).to_be_empty()
    expect(me.locator("#announcer")).to_have_text("Ett minutt igjen.", timeout=10000)


NO_SIDEWAYS_SCROLL = """() => {
  const root = document.scrollingElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3).map((el) => el.outerHTML.slice(0, 100));
  return {scroll: root.scrollWidth, inner: window.innerWidth, wide};
}"""


@pytest.mark.parametrize("width", [320, 375, 768])
def test_phone_pages_never_scroll_sideways(live_server_url, browser, running_workshop, width):
    code = running_workshop.join_code
    context = browser.new_context(
        viewport={"width": width, "height": 800}, is_mobile=width < 700, has_touch=True
    )
    page = context.new_page()
    pages = [("front page", "/"), ("join", f"/j/{code}/"), ("join a group", f"/j/{code}/2/")]
    for name, url in pages:
        page.goto(live_server_url + url)
        measured = page.evaluate(NO_SIDEWAYS_SCROLL)
        assert measured["scroll"] <= measured["inner"], (name, width, measured)
    join(page, live_server_url, code, nickname="Et ganske langt kallenavn uten mellomrom")
    page.fill("#note-text", "Langtordsomikkeharmellomromogsomtestersideveisrulling" * 3)
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#group-notes .note.mine:not(.pending)")
    for zoom in ("100%", "200%"):
        # Text zoom as the browser setting does it: the root font size, everything in rem.
        page.evaluate(f"document.documentElement.style.fontSize = '{zoom}'")
        measured = page.evaluate(NO_SIDEWAYS_SCROLL)
        assert measured["scroll"] <= measured["inner"], ("phone", width, zoom, measured)
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#note-text')).fontSize)"
    )
    assert size >= 32, "the note box does not grow with the text size"
    context.close()


def test_the_wall_tells_groups_apart_without_colour_and_respects_reduced_motion(
    live_server_url, laptop, projector, running_workshop
):
    code = running_workshop.join_code
    console = laptop.new_page()
    log_in(console, live_server_url)
    projector.add_cookies(laptop.cookies())
    wall = projector.new_page()
    wall.emulate_media(reduced_motion="reduce")
    wall.goto(f"{live_server_url}/w/{code}/wall/")
    wall.wait_for_selector("body.is-online")
    columns = wall.evaluate(
        """() => [...document.querySelectorAll(".column")].map((c) => ({
            marker: c.querySelector(".marker").textContent.trim(),
            border: getComputedStyle(c).borderTopStyle,
            name: c.querySelector(".column__title").textContent.trim(),
        }))"""
    )
    assert len(columns) >= 4
    # Each group has its own number and name in text, and neighbours differ in border pattern.
    assert len({c["marker"] for c in columns}) == len(columns)
    assert len({c["name"] for c in columns}) == len(columns)
    assert len({c["border"] for c in columns[:4]}) == 4
    animated = wall.evaluate(
        """() => [...document.querySelectorAll(".note")]
              .map((n) => getComputedStyle(n).animationName).filter((a) => a !== "none")"""
    )
    assert animated == []
