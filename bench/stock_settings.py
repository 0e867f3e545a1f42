"""Summa's settings with Channels' stock in-memory layer: `bench/run.py --stock-layer`.

For measuring what workshop/layers.py changed; not for use.
"""

from workshop.settings import *  # noqa: F403

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer",
        "CONFIG": {"capacity": 100, "expiry": 60},
    }
}
