"""Slowing down what no person does: guessing join codes, joining by the hundred."""

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


def _joins_key(request: HttpRequest) -> str:
    return f"summa:joins:{_client_address(request)}"


def _exceeded(key: str, limit: int) -> bool:
    try:
        return cache.get(key, 0) >= limit
    except Exception:
        # The cache (Redis) is away: let people join rather than lock the room out.
        log.warning("join throttle unavailable: the cache did not answer", exc_info=True)
        return False


def _count(key: str) -> None:
    try:
        if cache.add(key, 1, WINDOW_SECONDS):
            return
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
    except Exception:
        log.warning("join throttle unavailable: the cache did not answer", exc_info=True)


def wrong_codes_exceeded(request: HttpRequest) -> bool:
    return _exceeded(_key(request), settings.SUMMA_JOIN_ATTEMPTS_PER_MINUTE)


def record_wrong_code(request: HttpRequest) -> None:
    _count(_key(request))


def joins_exceeded(request: HttpRequest) -> bool:
    """Has this address made more participants this minute than a room of phones would?"""
    return _exceeded(_joins_key(request), settings.SUMMA_JOINS_PER_ADDRESS_PER_MINUTE)


def record_join(request: HttpRequest) -> None:
    _count(_joins_key(request))
