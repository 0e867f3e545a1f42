"""An in-process channel layer that fans out without scanning and never drops in silence.

Channels' ``InMemoryChannelLayer`` looks at every channel and every group member
on every receive (to expire old messages) and deep-copies each message for each
member, so one broadcast to N sockets costs O(N²); and a group send to a full
channel (capacity 100 by default) is skipped without a word. In a burst of notes
that lost most deliveries.

This layer keeps, per channel, a queue and the one waiting receiver:

- ``group_send`` touches only the group's members, O(members), and shares one
  copy of the message among them (consumers read frames, they do not change them);
- ``receive`` pops its own queue, O(1), and expires only what it pops;
- a channel past its capacity still gets the message: the layer logs a warning
  (once until the queue drains) and counts it in ``stats["over_capacity"]``;
- a message left unread past ``expiry`` seconds (its socket is gone or stuck) is
  dropped with a warning and counted in ``stats["expired"]``.

The database stays the truth: a screen that missed something asks for it by
sequence number. Like the in-memory layer, this one serves a single process;
with several server processes, use Redis (``REDIS_URL``).
"""

import asyncio
import logging
import time
import uuid
from collections import Counter, deque

from channels.layers import BaseChannelLayer

log = logging.getLogger("summa.layers")


class FanoutChannelLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(
        self, expiry=60, group_expiry=86400, capacity=100, channel_capacity=None, **kwargs
    ):
        super().__init__(
            expiry=expiry, capacity=capacity, channel_capacity=channel_capacity, **kwargs
        )
        self.group_expiry = group_expiry
        self.queues: dict[str, deque] = {}
        self.waiters: dict[str, deque[asyncio.Future]] = {}
        self.groups: dict[str, dict[str, float]] = {}
        self.memberships: dict[str, set[str]] = {}
        self.crowded: set[str] = set()
        self.stats: Counter = Counter()

    # --- Channels ----------------------------------------------------------------------
    async def new_channel(self, prefix="specific."):
        return f"{prefix}.fanout!{uuid.uuid4().hex}"

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        self._put(channel, dict(message), time.monotonic())

    def _put(self, channel: str, message: dict, now: float) -> None:
        queue = self.queues.get(channel)
        if queue is None:
            queue = self.queues[channel] = deque()
        elif queue[0][0] < now:
            self._expire(channel, queue, now)
        queue.append((now + self.expiry, message))
        self.stats["delivered"] += 1
        capacity = self.get_capacity(channel)
        if len(queue) > capacity:
            self.stats["over_capacity"] += 1
            if channel not in self.crowded:
                self.crowded.add(channel)
                log.warning(
                    "channel %s holds %d messages, more than its capacity %d: "
                    "delivering anyway (its socket is slow)",
                    channel,
                    len(queue),
                    capacity,
                )
        waiters = self.waiters.get(channel)
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break

    def _expire(self, channel: str, queue: deque, now: float) -> None:
        dropped = 0
        while queue and queue[0][0] < now:
            queue.popleft()
            dropped += 1
        if dropped:
            self.stats["expired"] += dropped
            log.warning(
                "dropped %d message(s) nobody read from channel %s in %s s",
                dropped,
                channel,
                self.expiry,
            )

    async def receive(self, channel):
        self.require_valid_channel_name(channel)
        while True:
            queue = self.queues.get(channel)
            if queue:
                self._expire(channel, queue, time.monotonic())
            if queue:
                _expires, message = queue.popleft()
                if not queue:
                    del self.queues[channel]
                    self.crowded.discard(channel)
                return message
            waiter = asyncio.get_running_loop().create_future()
            self.waiters.setdefault(channel, deque()).append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                # The consumer is gone: forget its queue and its groups.
                self._forget(channel)
                raise
            finally:
                waiters = self.waiters.get(channel)
                if waiters is not None:
                    if waiter in waiters:
                        waiters.remove(waiter)
                    if not waiters:
                        del self.waiters[channel]

    def _forget(self, channel: str) -> None:
        unread = len(self.queues.pop(channel, ()))
        if unread:
            self.stats["unread_at_close"] += unread
        self.crowded.discard(channel)
        for group in self.memberships.pop(channel, set()):
            members = self.groups.get(group)
            if members is not None:
                members.pop(channel, None)
                if not members:
                    del self.groups[group]

    # --- Groups ------------------------------------------------------------------------
    async def group_add(self, group, channel):
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        self.groups.setdefault(group, {})[channel] = time.monotonic() + self.group_expiry
        self.memberships.setdefault(channel, set()).add(group)

    async def group_discard(self, group, channel):
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        members = self.groups.get(group)
        if members is not None:
            members.pop(channel, None)
            if not members:
                del self.groups[group]
        groups = self.memberships.get(channel)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.memberships[channel]

    async def group_send(self, group, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        members = self.groups.get(group)
        if not members:
            return
        now = time.monotonic()
        shared = dict(message)
        for channel, until in list(members.items()):
            if until < now:
                # Channels' group expiry: a member that never left; say so.
                self.stats["group_expired"] += 1
                log.warning(
                    "channel %s left group %s after %s s", channel, group, self.group_expiry
                )
                await self.group_discard(group, channel)
                continue
            self._put(channel, shared, now)

    # --- Flush -------------------------------------------------------------------------
    async def flush(self):
        self.queues.clear()
        self.groups.clear()
        self.memberships.clear()
        self.crowded.clear()
        for waiters in self.waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.cancel()
        self.waiters.clear()

    async def close(self):
        pass
