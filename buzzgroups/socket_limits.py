"""What one socket may make the server do.

A phone that sends a thousand ``resume`` frames a second must not keep the
server busy for minutes. Each socket gets a small token bucket for its
expensive frames (``resume``, ``timer.expired``, console actions): a burst, then
a steady rate. At most one catch-up runs per socket at a time, and it is
cancelled when the socket closes, so a socket that floods and leaves costs
little after it has gone.
"""

import asyncio
import time
from collections.abc import Callable, Coroutine

from django.conf import settings


class SocketLimits:
    def __init__(
        self,
        *,
        burst: int | None = None,
        per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.burst = settings.SUMMA_SOCKET_BURST if burst is None else burst
        self.per_second = settings.SUMMA_SOCKET_RATE if per_second is None else per_second
        self.clock = clock
        self.tokens = float(self.burst)
        self.checked = clock()
        self.task: asyncio.Task | None = None

    def allow(self) -> bool:
        """Take a token for one expensive frame; False when the socket is over its rate."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.checked) * self.per_second)
        self.checked = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    @property
    def busy(self) -> bool:
        """A catch-up of this socket is still running."""
        return self.task is not None and not self.task.done()

    def start(self, work: Coroutine) -> asyncio.Task:
        """Run the socket's one catch-up in the background."""
        self.task = asyncio.get_running_loop().create_task(work)
        return self.task

    def close(self) -> None:
        """The socket is gone: drop what it asked for."""
        if self.busy:
            self.task.cancel()
