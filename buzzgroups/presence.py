"""Which phones are online, kept where a crashed process cannot leave it wrong.

A phone is online while one of its sockets is open. With one server process
(no ``REDIS_URL``) the open sockets are counted in this process's memory: if the
process dies, its count dies with it. With several processes every open socket
is a member of a sorted set per workshop in Redis, scored by the moment it
expires; each process renews its own sockets every ``RENEW_SECONDS``, so the
sockets of a process that was killed drop out of the count within
``TTL_SECONDS``. Nothing is kept in the database, so a connect writes nothing.

Presence is a hint: when Redis is away the count is logged and left out, and
no socket fails because of it.
"""

import logging
import threading
import time

from django.conf import settings

log = logging.getLogger("summa.presence")

TTL_SECONDS = 60
RENEW_SECONDS = 20

# This process's open phone sockets: workshop id -> {socket id: participant id}.
_local: dict[int, dict[str, int]] = {}
_lock = threading.Lock()
_redis = None


def _key(workshop_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:presence:{workshop_id}"


def _client():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
    return _redis


def shared() -> bool:
    return bool(settings.REDIS_URL)


def arrive(workshop_id: int, participant_id: int, socket_id: str) -> None:
    """A phone's socket opened."""
    with _lock:
        _local.setdefault(workshop_id, {})[socket_id] = participant_id
    if shared():
        _safely(
            lambda: _client().zadd(
                _key(workshop_id), {f"{participant_id}:{socket_id}": time.time() + TTL_SECONDS}
            )
        )


def leave(workshop_id: int, participant_id: int, socket_id: str) -> None:
    """A phone's socket closed."""
    with _lock:
        sockets = _local.get(workshop_id, {})
        sockets.pop(socket_id, None)
        if not sockets:
            _local.pop(workshop_id, None)
    if shared():
        _safely(lambda: _client().zrem(_key(workshop_id), f"{participant_id}:{socket_id}"))


def renew() -> None:
    """Push the expiry of this process's open sockets forward (every ``RENEW_SECONDS``)."""
    if not shared():
        return
    with _lock:
        snapshot = {wid: dict(sockets) for wid, sockets in _local.items()}
    if not snapshot:
        return
    expires = time.time() + TTL_SECONDS

    def write():
        pipe = _client().pipeline(transaction=False)
        for workshop_id, sockets in snapshot.items():
            members = {f"{pid}:{sid}": expires for sid, pid in sockets.items()}
            pipe.zadd(_key(workshop_id), members)
            pipe.expire(_key(workshop_id), TTL_SECONDS * 2)
        pipe.execute()

    _safely(write)


def count(workshop_id: int) -> int:
    """How many participants have a socket open now."""
    if not shared():
        with _lock:
            return len(set(_local.get(workshop_id, {}).values()))

    def read() -> int:
        key = _key(workshop_id)
        pipe = _client().pipeline(transaction=False)
        pipe.zremrangebyscore(key, "-inf", time.time())
        pipe.zrange(key, 0, -1)
        _removed, members = pipe.execute()
        return len({member.split(b":", 1)[0] for member in members})

    result = _safely(read)
    if result is None:
        with _lock:
            return len(set(_local.get(workshop_id, {}).values()))
    return result


def forget_local() -> None:
    """Drop this process's record (tests; a process that starts over)."""
    with _lock:
        _local.clear()


def _safely(call):
    try:
        return call()
    except Exception:
        log.warning("presence is unavailable (Redis)", exc_info=True)
        return None
