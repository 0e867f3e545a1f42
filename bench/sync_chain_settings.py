"""Summa's settings with the middleware chain run in one thread: `bench/run.py --server daphne-sync`.

Under ASGI Django builds the middleware chain from the view outwards in async
mode, so every middleware that can run either way (sessions, locale, CSRF,
auth, messages, CSP, ...) runs on the event loop and hops to the request's
thread and back for each of its `process_request`, `process_view` and
`process_response`, until WhiteNoise (sync only) turns the chain synchronous.
A synchronous middleware innermost makes Django build the whole chain
synchronously: one hop into the request's thread and one back. An experiment
for docs/performance.md, not for use.
"""

from workshop.settings import *  # noqa: F403
from workshop.settings import MIDDLEWARE


class SyncOnly:
    """Does nothing; being synchronous only, it keeps the chain above it synchronous."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


MIDDLEWARE = [*MIDDLEWARE, "bench.sync_chain_settings.SyncOnly"]
