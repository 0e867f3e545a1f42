"""Classic RedisChannelLayer or RedisPubSubChannelLayer: which one fans out better?

One ``group_send`` of a frame the size Summa sends (two languages of rendered
HTML) goes to a group of N members spread over P worker processes, as on a
server with P Daphne processes. We time from the send to each member's receipt
and count CPU seconds spent by the workers, the sender and Redis itself.

    .venv/bin/python bench/redis_layers.py                       # redis://127.0.0.1:6379/15
    .venv/bin/python bench/redis_layers.py --members 10 100 1000 --processes 2 --sends 50

It uses its own Redis database (15 unless REDIS_URL says otherwise) and flushes it.
"""

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import time

import redis

LAYERS = {
    "classic": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
# A note card as the wall gets it, in nb and en: about 1.5 kB of HTML each.
FRAME_HTML = '<article class="note" id="note-123"><p>' + "Kundene vil ha svar i kanalen. " * 45


def make_layer(kind: str, url: str):
    from importlib import import_module

    module, _, name = LAYERS[kind].rpartition(".")
    cls = getattr(import_module(module), name)
    if kind == "classic":
        return cls(
            hosts=[{"address": url, "socket_timeout": 15}],
            capacity=5000,
            expiry=60,
            group_expiry=7 * 24 * 3600,
        )
    return cls(hosts=[url])


def worker(kind, url, group, members, ready, results, sends):
    """One server process: ``members`` sockets in the group, recording receipt times."""

    async def main():
        layer = make_layer(kind, url)
        channels = [await layer.new_channel() for _ in range(members)]
        for channel in channels:
            await layer.group_add(group, channel)
        latencies = []

        async def member(channel):
            for _ in range(sends):
                message = await layer.receive(channel)
                latencies.append(time.time() - message["sent"])

        tasks = [asyncio.create_task(member(c)) for c in channels]
        await asyncio.sleep(0.3)  # let pub/sub subscriptions settle
        ready.put(1)
        cpu = time.process_time()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
        results.put((latencies, time.process_time() - cpu))
        for channel in channels:
            await layer.group_discard(group, channel)
        await layer.flush() if kind == "pubsub" else None

    asyncio.run(main())


def redis_cpu(client) -> float:
    info = client.info("cpu")
    return info["used_cpu_sys"] + info["used_cpu_user"]


def run(kind: str, url: str, members: int, processes: int, sends: int) -> dict:
    group = f"bench.{kind}.{members}"
    context = mp.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    per = [members // processes + (1 if i < members % processes else 0) for i in range(processes)]
    workers = [
        context.Process(target=worker, args=(kind, url, group, n, ready, results, sends))
        for n in per
    ]
    for process in workers:
        process.start()
    for _ in workers:
        ready.get(timeout=60)

    client = redis.Redis.from_url(url)
    redis_before = redis_cpu(client)

    async def send_all():
        layer = make_layer(kind, url)
        cpu = time.process_time()
        for _ in range(sends):
            await layer.group_send(
                group,
                {
                    "type": "summa.frame",
                    "texts": {"nb": FRAME_HTML, "en": FRAME_HTML},
                    "sent": time.time(),
                },
            )
            await asyncio.sleep(0.02)  # notes arrive one by one, not in a burst
        spent = time.process_time() - cpu
        if kind == "pubsub":
            await layer.flush()
        return spent

    sender_cpu = asyncio.run(send_all())
    latencies, worker_cpu = [], 0.0
    for _ in workers:
        got, cpu = results.get(timeout=180)
        latencies += got
        worker_cpu += cpu
    for process in workers:
        process.join()
    redis_spent = redis_cpu(client) - redis_before
    latencies.sort()
    return {
        "layer": kind,
        "members": members,
        "processes": processes,
        "received": f"{len(latencies)}/{members * sends}",
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "cpu_ms_per_send": 1000 * (sender_cpu + worker_cpu + redis_spent) / sends,
        "redis_cpu_ms_per_send": 1000 * redis_spent / sends,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--members", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sends", type=int, default=50)
    args = parser.parse_args()
    redis.Redis.from_url(args.url).flushdb()
    header = (
        f"{'layer':8} {'members':>7} {'procs':>5} {'received':>12} {'median ms':>10} "
        f"{'p95 ms':>8} {'CPU ms/send':>12} {'Redis ms/send':>14}"
    )
    print(header)
    try:
        for members in args.members:
            for kind in LAYERS:
                r = run(kind, args.url, members, args.processes, args.sends)
                print(
                    f"{r['layer']:8} {r['members']:>7} {r['processes']:>5} {r['received']:>12} "
                    f"{r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['cpu_ms_per_send']:>12.1f} "
                    f"{r['redis_cpu_ms_per_send']:>14.2f}",
                    flush=True,
                )
    finally:
        redis.Redis.from_url(args.url).flushdb()


if __name__ == "__main__":
    main()
