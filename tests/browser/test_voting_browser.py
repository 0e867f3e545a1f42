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
