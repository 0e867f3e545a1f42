"""The room ranks the four use areas of the demo program: a console, a wall and two phones."""

import pytest
from playwright.sync_api import expect

from buzzgroups.models import Dot, DotVote
from tests.browser.conftest import join, open_console_and_wall, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def tap(phone, topic, *, take_back=False):
    card = phone.locator(f"#vote-card-{topic.pk}")
    button = card.locator(".vote-card__remove" if take_back else ".vote-card__add")
    button.click()


def test_two_phones_rank_the_use_areas_and_the_wall_chart_moves_live(
    live_server_url, laptop, projector, phone_context, workshop
):
    recruiting, society, learning, customers = workshop.items.get(number=2).topics.order_by(
        "position"
    )
    console, wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    ada, bo = (phone_context().new_page() for _ in range(2))
    join(ada, live_server_url, workshop.join_code, nickname="Ada")
    join(bo, live_server_url, workshop.join_code, nickname="Bo")

    # The facilitator starts, goes to the use areas and opens a vote on them.
    console.locator("#console-agenda .show-controls button").click()
    expect(ada.locator("#stage-title")).to_contain_text("Sosiale mediers fellestrekk")
    console.locator("#console-agenda form[action$='/show/goto/2/'] button").click()
    expect(ada.locator("#stage-title")).to_contain_text("Hvilken nytte")
    expect(console.locator("#vote-target")).to_have_value(f"item-{customers.item_id}")
    console.locator("#vote-console form.vote-open button[type=submit]").click()

    for phone in (ada, bo):
        expect(phone.locator("#vote-phone .vote-card")).to_have_count(4)
    expect(wall.locator("#vote-wall .vote-chart__row")).to_have_count(4)

    tap(ada, customers)
    expect(ada.locator(f"#vote-card-{customers.pk} .vote-card__mine")).to_contain_text("1")
    tap(ada, customers)
    expect(ada.locator(f"#vote-card-{customers.pk} .vote-card__mine")).to_contain_text("2")
    tap(bo, customers)
    expect(bo.locator(f"#vote-card-{customers.pk}.vote-card--chosen")).to_have_count(1)
    tap(bo, learning)
    expect(bo.locator(f"#vote-card-{learning.pk}.vote-card--chosen")).to_have_count(1)
    tap(ada, recruiting)
    expect(ada.locator(".vote-card__add:disabled")).to_have_count(4)  # no dots left
    tap(ada, recruiting, take_back=True)
    expect(ada.locator(f"#vote-card-{recruiting.pk}.vote-card--chosen")).to_have_count(0)

    # The wall's bars grew as the dots arrived; the phones see no counts yet.
    expect(wall.locator(f"#vote-bar-{customers.pk}")).to_have_attribute("data-count", "3")
    expect(wall.locator(f"#vote-bar-{learning.pk}")).to_have_attribute("data-count", "1")
    expect(wall.locator(f"#vote-bar-{recruiting.pk}")).to_have_attribute("data-count", "0")
    for phone in (ada, bo):
        expect(phone.locator("#vote-results .vote-chart")).to_have_count(0)
    screenshot(wall, "wall-vote")
    screenshot(ada, "phone-vote")

    # Closing keeps the ranking (console and wall); revealing shows it on the phones.
    console.locator("#vote-console form[action$='/close/'] button").click()
    expect(wall.locator("#vote-wall .vote-chart__row").first).to_contain_text("Kundekontakt")
    expect(
        console.locator("#vote-console .vote-chart--ranked .vote-chart__row").first
    ).to_contain_text("Kundekontakt")
    for phone in (ada, bo):
        expect(phone.locator(".vote-card__add")).to_have_count(0)
    console.locator("#vote-console form[action$='/reveal/'] button").click()
    for phone in (ada, bo):
        expect(phone.locator("#vote-results .vote-chart__row")).to_have_count(4)
        expect(phone.locator("#vote-results .vote-chart__row").first).to_contain_text(
            "Kundekontakt"
        )
    screenshot(console, "console-vote-ranking")

    vote = DotVote.objects.get(workshop=workshop)
    assert vote.state == DotVote.State.CLOSED and vote.results_revealed
    assert Dot.objects.filter(vote=vote).count() == 4


def test_the_facilitators_vote_choices_survive_a_live_redraw_of_the_panel(
    live_server_url, laptop, projector, workshop
):
    use_areas = workshop.items.get(number=2)
    assert use_areas.topics.exists()
    console, _wall = open_console_and_wall(laptop, projector, live_server_url, workshop)
    # The facilitator sets up a vote on the use areas: 5 dots, at most 2 on one, per group.
    console.select_option("#vote-target", f"item-{use_areas.pk}")
    console.fill("#vote-dots", "5")
    console.fill("#vote-max", "2")
    console.check("#vote-console input[name=voters][value=group]")
    console.evaluate("document.getElementById('vote-console').dataset.before = 'yes'")

    # Meanwhile a co-facilitator's tab starts the show: every console's panel is redrawn.
    other_tab = laptop.new_page()
    other_tab.goto(f"{live_server_url}/w/{workshop.join_code}/")
    other_tab.locator("#console-agenda .show-controls button").click()
    expect(console.locator("#vote-console[data-before]")).to_have_count(0)

    # What the facilitator chose is still there, and it is what the vote opens with.
    expect(console.locator("#vote-target")).to_have_value(f"item-{use_areas.pk}")
    expect(console.locator("#vote-dots")).to_have_value("5")
    expect(console.locator("#vote-max")).to_have_value("2")
    expect(console.locator("#vote-console input[name=voters][value=group]")).to_be_checked()
    console.locator("#vote-console form.vote-open button[type=submit]").click()
    expect(console.locator("#vote-console form[action$='/close/']")).to_have_count(1)
    vote = DotVote.objects.get(workshop=workshop)
    assert (vote.item_id, vote.dots_per_voter, vote.max_per_option, vote.voters) == (
        use_areas.pk,
        5,
        2,
        DotVote.Voters.GROUP,
    )
