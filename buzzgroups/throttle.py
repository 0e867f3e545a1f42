"""Slowing down what no person does: guessing join codes, posting notes by the hundred."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger("summa.throttle")

WINDOW_SECONDS = 60


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _key(request: HttpRequest) -> str:
    return f"summa:wrong-codes:{_client_address(request)}"


def wrong_codes_exceeded(request: HttpRequest) -> bool:
    try:
        return cache.get(_key(request), 0) >= settings.SUMMA_JOIN_ATTEMPTS_PER_MINUTE
    except Exception:
        # The cache (Redis) is away: let people join rather than lock the room out.
        log.warning("join throttle unavailable: the cache did not answer", exc_info=True)
        return False


def record_wrong_code(request: HttpRequest) -> None:
    key = _key(request)
    try:
        if cache.add(key, 1, WINDOW_SECONDS):
            return
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
    except Exception:
        log.warning("join throttle unavailable: the cache did not answer", exc_info=True)
