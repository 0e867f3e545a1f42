"""Frames published while Redis was away are lost: afterwards this process's screens catch up.

The pub/sub channel layer subscribes again by itself when Redis is back, but
what was published meanwhile never arrives. A wall or a console sees the gap
on its next frame; a phone sees only its own group's numbers and would wait for
its periodic sync (45 to 75 s) with notes of its group missing. So each server
process asks Redis once a second who it is (``INFO server``); when Redis answers
again after failing, or answers as another server (a new ``run_id``: restarted,
or failed over), every open socket of this process gets its snapshot, unasked,
as if it had resumed (docs/protocol.md), spread over a couple of seconds.
"""

import asyncio
import logging
import random
import weakref

from django.conf import settings

log = logging.getLogger("summa.sockets")

EVERY_SECONDS = 1.0
SPREAD_SECONDS = 2.0  # the catch-ups of a process start within this, not all at once
SETTLE_SECONDS = 0.5  # the layer subscribes again first

_screens: "weakref.WeakSet" = weakref.WeakSet()
_watcher: asyncio.Task | None = None


class RedisWatch:
    """What the answers say: ``seen(run_id)`` (None when Redis did not answer) is True
    when frames may have been lost since the last answer."""

    def __init__(self):
        self.run_id: str | None = None
        self.failed = False

    def seen(self, run_id: str | None) -> bool:
        if run_id is None:
            self.failed = True
            return False
        lost = self.failed or (self.run_id is not None and run_id != self.run_id)
        self.run_id, self.failed = run_id, False
        return lost


def watch(screen) -> None:
    """A socket opened: it catches up after Redis comes back (``screen.catch_up_unasked``)."""
    _screens.add(screen)
    if settings.REDIS_URL:
        _keep_watching()


def unwatch(screen) -> None:
    _screens.discard(screen)


def _keep_watching() -> None:
    global _watcher
    loop = asyncio.get_running_loop()
    if _watcher is None or _watcher.done() or _watcher.get_loop() is not loop:
        _watcher = loop.create_task(_watch_forever())


async def _watch_forever() -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(
        settings.REDIS_URL, socket_timeout=EVERY_SECONDS, socket_connect_timeout=EVERY_SECONDS
    )
    answers = RedisWatch()
    while True:
        try:
            run_id = (await client.info("server"))["run_id"]
        except (redis.RedisError, OSError, KeyError):
            run_id = None
        if answers.seen(run_id) and _screens:
            log.warning("Redis was away: %d screens catch up", len(_screens))
            for screen in list(_screens):
                delay = SETTLE_SECONDS + random.random() * SPREAD_SECONDS
                asyncio.get_running_loop().call_later(delay, _catch_up, screen)
        await asyncio.sleep(EVERY_SECONDS)


def _catch_up(screen) -> None:
    if screen in _screens:
        screen.catch_up_unasked()
