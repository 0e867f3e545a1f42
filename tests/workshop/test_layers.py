"""The fan-out channel layer: reaches only a group's members and never drops in silence."""

import asyncio
import logging

import pytest

from workshop.layers import FanoutChannelLayer


@pytest.fixture
def layer():
    return FanoutChannelLayer(capacity=3, expiry=60)


async def test_it_delivers_a_group_send_to_members_only(layer):
    wall, phone, other = [await layer.new_channel() for _ in range(3)]
    await layer.group_add("summa.1.wall", wall)
    await layer.group_add("summa.1.group.7", phone)
    await layer.group_send("summa.1.wall", {"type": "summa.frame", "texts": {"nb": "{}"}})
    assert await layer.receive(wall) == {"type": "summa.frame", "texts": {"nb": "{}"}}
    assert phone not in layer.queues and other not in layer.queues


async def test_it_wakes_a_waiting_receiver(layer):
    channel = await layer.new_channel()
    await layer.group_add("summa.1.phones", channel)
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    await layer.group_send("summa.1.phones", {"type": "summa.frame", "n": 1})
    assert (await asyncio.wait_for(waiting, 1))["n"] == 1


async def test_it_keeps_the_order_of_messages(layer):
    channel = await layer.new_channel()
    for n in range(3):
        await layer.send(channel, {"type": "x", "n": n})
    assert [(await layer.receive(channel))["n"] for _ in range(3)] == [0, 1, 2]


async def test_it_delivers_past_capacity_and_says_so(layer, caplog):
    channel = await layer.new_channel()
    await layer.group_add("summa.1.wall", channel)
    with caplog.at_level(logging.WARNING, logger="summa.layers"):
        for n in range(10):
            await layer.group_send("summa.1.wall", {"type": "x", "n": n})
    assert [(await layer.receive(channel))["n"] for _ in range(10)] == list(range(10))
    assert layer.stats["over_capacity"] == 7
    assert len([r for r in caplog.records if "more than its capacity" in r.message]) == 1


async def test_it_drops_unread_messages_after_expiry_with_a_warning(caplog):
    layer = FanoutChannelLayer(expiry=0.01)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "old"})
    await asyncio.sleep(0.05)
    await layer.send(channel, {"type": "new"})
    with caplog.at_level(logging.WARNING, logger="summa.layers"):
        assert (await layer.receive(channel))["type"] == "new"
    assert layer.stats["expired"] == 1
    assert any("nobody read" in record.message for record in caplog.records)


async def test_it_forgets_a_channel_whose_receiver_is_cancelled(layer):
    channel = await layer.new_channel()
    await layer.group_add("summa.1.wall", channel)
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert "summa.1.wall" not in layer.groups
    assert channel not in layer.memberships and channel not in layer.waiters


async def test_group_discard_stops_deliveries(layer):
    channel = await layer.new_channel()
    await layer.group_add("summa.1.wall", channel)
    await layer.group_discard("summa.1.wall", channel)
    await layer.group_send("summa.1.wall", {"type": "x"})
    assert channel not in layer.queues and layer.groups == {}


async def test_it_refuses_bad_names(layer):
    with pytest.raises(TypeError):
        await layer.group_add("bad group name!", await layer.new_channel())


@pytest.mark.django_db(transaction=True)
async def test_a_wall_gets_a_note_through_it(settings, workshop, open_first_round, phones):
    """End to end: the layer behind a real consumer, as settings now configure it."""
    from asgiref.sync import sync_to_async
    from channels.layers import channel_layers

    from buzzgroups import services
    from tests.sockets import connect, facilitator_cookie, frames

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "workshop.layers.FanoutChannelLayer"}}
    channel_layers.backends.clear()
    cookie = await sync_to_async(facilitator_cookie)(workshop.owner)
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", cookie)
    prompt = await sync_to_async(lambda: open_first_round.prompts.first().pk)()
    await sync_to_async(services.note_create)(
        author=phones[0],
        text="Through the fan-out layer",
        prompt_id=prompt,
        client_id="6b1f0c1e-3c55-4b8f-9b1e-6f5e0c1d2a3b",
    )
    received = await frames(wall, until_type="note.added")
    assert received[-1]["data"]["note"]["text"] == "Through the fan-out layer"
    await wall.disconnect()
