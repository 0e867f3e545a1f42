"""Summa against a bare `websockets` server doing the same fan-out.

    .venv/bin/python bench/run.py            # 100, 300 and 1000 phones, 3 rounds (about 25 min)
    .venv/bin/python bench/run.py --quick    # 100 phones, 2 rounds (under 3 min)

Each round runs every Summa row named by --server (daphne: Daphne on a fresh
copy of a SQLite database with the demo workshop, DEBUG off; uvicorn; redis2:
two Daphnes sharing Redis; daphne-sync: an experiment) and then the baseline
(bench/baseline.py), A B A B, each server pinned to core 0 and this load
client to core 1. Per phone count, scenario and row the medians over the
rounds are written to bench/results/latest.json (and run-<time>.json) and as
a table into docs/performance.md.

S4 idle hold  phones open their sockets, 2,000 a second offered, at most 100
              at once (connects per second, memory per connection), then hold
              them with pings (idle CPU, drops).
S1 notes      notes posted one after another at a steady rate: post to every
              wall and to the group's phones, POST round trip, CPU per delivery.
S2 burst      300 notes offered within 0.5 s, at most 150 posts in flight: all
              delivered, and when.
S3 show       the facilitator moves on (next, back, ...): when the last phone
              has the new item, CPU per delivery.

Summa's phones post over HTTP as real phones do; the baseline's notes come in
over its console socket (it has no HTTP), so its "POST" is a socket round trip.
A scenario is marked invalid when this load client used more than 90 % of its
core: then the client, not the server, set the pace.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from buzzgroups.rehearsal import CSRF_INPUT, Swarm, Tally, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
PASSWORD = "bench-facilitator-secret"
SERVER_CORE, CLIENT_CORE = 0, 1
SATURATED = 0.90
GROUP_SIZE = 10  # buzz groups of ten, as the facilitator would set for a big room
TICK = os.sysconf("SC_CLK_TCK")


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """Server processes pinned to one core; their CPU time and memory (summed) from /proc.

    Usually one process; the Redis row runs two Daphnes sharing a channel layer.
    """

    def __init__(self, argv: list[str], env: dict, port: int, label: str = ""):
        self.specs = [(argv, env, port)]
        self.label = label
        self.processes: list[subprocess.Popen] = []
        self.profilers: list[subprocess.Popen] = []

    def add(self, argv: list[str], env: dict, port: int):
        self.specs.append((argv, env, port))

    @property
    def port(self) -> int:
        return self.specs[0][2]

    @property
    def ports(self) -> list[int]:
        return [port for _argv, _env, port in self.specs]

    @property
    def process(self) -> subprocess.Popen | None:
        return self.processes[0] if self.processes else None

    def start(self):
        pin = (lambda: os.sched_setaffinity(0, {SERVER_CORE})) if PINNED else None
        for argv, env, _port in self.specs:
            self.processes.append(
                subprocess.Popen(
                    argv,
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    preexec_fn=pin,
                )
            )
        deadline = time.monotonic() + 30
        for port in self.ports:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    dead = any(p.poll() is not None for p in self.processes)
                    if time.monotonic() > deadline or dead:
                        self.stop()
                        raise RuntimeError(f"{self.specs} did not start") from None
                    time.sleep(0.1)

    def cpu(self) -> float:
        total = 0
        for process in self.processes:
            stat = Path(f"/proc/{process.pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / TICK

    def rss(self) -> int:
        total = 0
        for process in self.processes:
            status = Path(f"/proc/{process.pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024
        return total

    def profile(self, name: str | None):
        """Sample every process with py-spy while a scenario runs (None: stop sampling)."""
        for profiler in self.profilers:
            profiler.send_signal(signal.SIGINT)
            try:
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()
        self.profilers = []
        if name is None or PROFILE_DIR is None:
            return
        spy = shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy"))
        for number, process in enumerate(self.processes):
            out = PROFILE_DIR / f"{name}-p{number}.txt"
            self.profilers.append(
                subprocess.Popen(
                    [spy, "record", "--pid", str(process.pid), "--format", "raw"]
                    + ["--threads", "--nonblocking", "--rate", "200", "--output", str(out)]
                    + (["--gil"] if PROFILE_GIL else []),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(0.5)  # py-spy attaches

    def stop(self):
        self.profile(None)
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- The two targets, seen the same way by the scenarios ----------------------------------
class Target:
    """N phones in groups of GROUP_SIZE, two walls and a console on one server."""

    name = ""

    def __init__(self, server: Server, phones: int):
        self.server = server
        self.count = phones
        self.groups = max(1, min(100, phones // GROUP_SIZE))
        self.tally = Tally()
        self.note_pad = 600  # frame sizes the baseline copies from Summa's
        self.show_pad = 2000
        # show frames: phone index -> arrival time, while a move is being timed
        self.show_seen: dict[int, float] = {}
        self.show_mark = 0.0

    def on_frame(self, phone_index: int, kind: str, client_id: str | None, now: float):
        if kind == "note.added" and client_id in self.tally.sent:
            self.tally.phone_deliveries += 1
            self.tally.phone_seconds.append(now - self.tally.sent[client_id])
        elif kind == "show.changed" and self.show_mark and phone_index not in self.show_seen:
            self.show_seen[phone_index] = now

    def group_of(self, index: int) -> int:
        return index % self.groups + 1

    def group_size(self, group: int) -> int:
        return sum(1 for i in range(self.count) if self.group_of(i) == group)


class SpreadSwarm(Swarm):
    """A swarm over several server processes: phone i and wall i use process i mod n.

    Every phone joins through the first process (its session cookie is good on all:
    one database, one secret key); its socket and its posts go to its own process.
    """

    def __init__(self, bases: list[str], code: str, **kwargs):
        super().__init__(bases[0], code, **kwargs)
        self.bases = bases

    def base_of(self, index: int) -> str:
        return self.bases[index % len(self.bases)]

    async def watch_wall(self) -> None:
        first_base, self.ws_base = self.ws_base, self.ws_base_of(len(self.walls))
        try:
            await super().watch_wall()
        finally:
            self.ws_base = first_base


class SummaTarget(Target):
    name = "summa"

    def __init__(self, server, phones, code):
        super().__init__(server, phones)
        bases = [f"http://127.0.0.1:{port}" for port in server.ports]
        self.swarm = SpreadSwarm(bases, code, user="facilitator", password=PASSWORD)
        self.swarm.on_phone_frame = self._phone_frame
        self.round_id = None
        self.sizes = {"note": [], "show": []}

    def _phone_frame(self, phone, kind, frame, now):
        note = (frame.get("data") or {}).get("note") or {}
        sizes = self.sizes.get(kind.split(".")[0])
        if sizes is not None and len(sizes) < 50:
            cards = frame.get("cards") or []
            sizes.append(len(frame.get("html", "")) + sum(len(c.get("html", "")) for c in cards))
        self.on_frame(phone.index, kind, note.get("client_id"), now)

    async def setup(self):
        swarm = self.swarm
        await swarm.log_in()
        page = await swarm.console_page()
        token = CSRF_INPUT.search(page).group(1)
        async with swarm.facilitator.post(
            f"{swarm.base}/w/{swarm.code}/groups/count/",
            data={"count": str(self.groups)},
            headers={"X-CSRFToken": token, "Referer": swarm.base},
        ) as response:
            assert response.status < 400, response.status
        for _wall in range(2):
            await swarm.watch_wall()
        self.tally = swarm.tally
        await swarm.open_console()
        self.round_id, already_open = await swarm.round_to_use()
        if not already_open:
            await swarm.console_action("round.open", round=self.round_id, minutes=120)
        await swarm.join_all(self.count, concurrency=20, connect=False, groups=self.groups)

    async def connect(self, index: int):
        await self.swarm.connect(self.swarm.phones[index])

    async def ping(self, index: int):
        socket_ = self.swarm.phones[index].socket
        if socket_ is not None and not socket_.closed:  # else counted as dropped
            await socket_.send_str('{"type": "ping"}')

    def dropped(self) -> int:
        return sum(1 for phone in self.swarm.phones if phone.socket is None or phone.socket.closed)

    async def post(self, index: int, text: str):
        await self.swarm.post(self.swarm.phones[index], text)

    async def move(self, forward: bool):
        await self.swarm.console_action("show.next" if forward else "show.back")

    async def close(self):
        await self.swarm.aclose()


FRAME_KIND = re.compile(r'"type": "([a-z.]+)"')
CLIENT_ID = re.compile(r'"client_id": "([^"]+)"')


class BareTarget(Target):
    name = "baseline"

    def __init__(self, server, phones, note_pad, show_pad):
        super().__init__(server, phones)
        self.note_pad, self.show_pad = note_pad, show_pad
        self.base = f"ws://127.0.0.1:{server.port}"
        self.http: aiohttp.ClientSession | None = None
        self.phones: list = [None] * phones
        self.sockets: list = []
        self.tasks: list = []
        self.done: asyncio.Queue = asyncio.Queue()
        self.waiting: dict[str, asyncio.Future] = {}

    async def setup(self):
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        for _wall in range(2):
            seen: dict[str, float] = {}
            self.tally.walls.append(seen)
            wall = await self.http.ws_connect(f"{self.base}/ws/w/", max_msg_size=0)
            self.tasks.append(asyncio.create_task(self._read_wall(wall, seen)))
        self.console = await self.http.ws_connect(f"{self.base}/ws/c/", max_msg_size=0)
        self.tasks.append(asyncio.create_task(self._read_console()))

    async def _read_wall(self, wall, seen):
        async for message in wall:
            now = time.monotonic()
            if '"note.added"' in message.data[:40]:
                seen.setdefault(CLIENT_ID.search(message.data).group(1), now)

    async def _read_console(self):
        async for message in self.console:
            now = time.monotonic()
            answer = json.loads(message.data)
            if answer["type"] == "ack":
                self.tally.acked[answer["id"]] = now
                self.tally.post_seconds.append(now - self.tally.sent[answer["id"]])
                self.waiting.pop(answer["id"]).set_result(None)
            elif answer["type"] == "done":
                await self.done.put(now)

    async def connect(self, index: int):
        socket_ = await self.http.ws_connect(
            f"{self.base}/ws/p/{self.group_of(index)}/", max_msg_size=0
        )
        self.phones[index] = socket_
        self.tasks.append(asyncio.create_task(self._read_phone(index, socket_)))

    async def _read_phone(self, index, socket_):
        # Lean: the kind and the client id by a search, not by parsing the padded frame.
        async for message in socket_:
            now = time.monotonic()
            kind = FRAME_KIND.search(message.data)
            client_id = CLIENT_ID.search(message.data)
            self.on_frame(
                index,
                kind.group(1) if kind else "",
                client_id.group(1) if client_id else None,
                now,
            )

    async def ping(self, index: int):
        socket_ = self.phones[index]
        if socket_ is not None and not socket_.closed:  # else counted as dropped
            await socket_.send_str('{"type": "ping"}')

    def dropped(self) -> int:
        return sum(1 for s in self.phones if s is None or s.closed)

    async def post(self, index: int, text: str):
        client_id = str(uuid.uuid4())
        self.tally.sent[client_id] = time.monotonic()
        message = {"type": "note", "id": client_id, "group": self.group_of(index)}
        message["pad"] = self.note_pad
        self.waiting[client_id] = asyncio.get_running_loop().create_future()
        await self.console.send_str(json.dumps(message))
        await asyncio.wait_for(self.waiting[client_id], timeout=60)

    async def move(self, forward: bool):
        await self.console.send_str(json.dumps({"type": "show", "pad": self.show_pad}))
        await asyncio.wait_for(self.done.get(), timeout=30)

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.http.close()


# --- Scenarios ----------------------------------------------------------------------------
class Clock:
    """Wall time, this client's CPU and the server's CPU over one scenario."""

    def __init__(self, target: Target):
        self.target = target

    def __enter__(self):
        self.wall, self.mine = time.monotonic(), time.process_time()
        self.server = self.target.server.cpu()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.wall
        self.client_load = (time.process_time() - self.mine) / max(self.seconds, 1e-9)
        self.server_cpu = self.target.server.cpu() - self.server


async def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def s4_idle(target: Target, hold: float, connect_rate: float) -> dict:
    rss_before = target.server.rss()
    latencies = []

    failures = []

    async def connect(index):
        started = time.monotonic()
        for attempt in range(8):
            try:
                await target.connect(index)
                break
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                # A refused, reset or timed-out handshake: counted, then tried again
                # as a phone would (live.js backs off up to 30 s; here up to 4 s).
                failures.append(f"{type(error).__name__}: {error}")
                await asyncio.sleep(min(4.0, 0.5 * (attempt + 1)))
        latencies.append(time.monotonic() - started)

    # Open loop: connects are offered at `connect_rate` a second (above the 1,500
    # target), at most 100 opening at once. A server that keeps up is not made to
    # wait for this client, and this client is not the bottleneck of a fast one.
    # (200 at once made handshakes queue past Daphne's 5 s connect timeout when
    # the shared machine was busy: retried and counted, but the retries add load.)
    gate = asyncio.Semaphore(100)

    async def gated(index):
        try:
            await connect(index)
        finally:
            gate.release()

    with Clock(target) as connecting:
        start, tasks = time.monotonic(), []
        for index in range(target.count):
            delay = start + index / connect_rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await gate.acquire()
            tasks.append(asyncio.create_task(gated(index)))
        await asyncio.gather(*tasks)
    await asyncio.sleep(1)
    per_connection = (target.server.rss() - rss_before) / target.count
    with Clock(target) as holding:
        end = time.monotonic() + hold
        while time.monotonic() < end:
            for index in range(target.count):
                await target.ping(index)
            await asyncio.sleep(min(5.0, max(0.0, end - time.monotonic())))
    return {
        "p50_ms": ms(percentile(latencies, 0.5)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "connects_per_s": round(target.count / connecting.seconds, 1),
        "connects_offered_per_s": connect_rate,
        "kb_per_connection": round(per_connection / 1024, 1),
        "idle_cpu_pct": round(100 * holding.server_cpu / hold, 2) if hold else None,
        "dropped": target.dropped(),
        "connect_failures": len(failures),
        "delivered_ratio": round(1 - target.dropped() / target.count, 4),
        "client_load": round(max(connecting.client_load, holding.client_load if hold else 0), 2),
    }


def expected_phone_deliveries(target: Target, indexes: list[int]) -> int:
    sizes = {g: target.group_size(g) for g in range(1, target.groups + 1)}
    return sum(sizes[target.group_of(i)] for i in indexes)


def reset(tally: Tally):
    """Start counting afresh (in place: the socket readers hold on to these)."""
    for wall in tally.walls:
        wall.clear()
    for part in (tally.sent, tally.acked, tally.post_seconds, tally.phone_seconds):
        part.clear()
    tally.refused.clear()
    tally.failed.clear()
    tally.phone_deliveries = 0


async def s1_notes(target: Target, notes: int, rate: float) -> dict:
    reset(target.tally)
    posters = [i % target.count for i in range(notes)]
    with Clock(target) as clock:
        start = time.monotonic()
        tasks = []
        for number, index in enumerate(posters):
            delay = start + number / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(target.post(index, f"Bench note {number}")))
        await asyncio.gather(*tasks)
        expected = len(target.tally.walls) * notes + expected_phone_deliveries(target, posters)
        await wait_until(lambda: delivered(target) >= expected, 15)
    return note_result(target, clock, expected)


def delivered(target: Target) -> int:
    return sum(len(wall) for wall in target.tally.walls) + target.tally.phone_deliveries


def note_result(target: Target, clock: Clock, expected: int) -> dict:
    tally = target.tally
    got = delivered(target)
    return {
        "p50_ms": ms(percentile(tally.wall_seconds(), 0.5)),
        "p99_ms": ms(percentile(tally.wall_seconds(), 0.99)),
        "phones_p50_ms": ms(percentile(tally.phone_seconds, 0.5)),
        "phones_p99_ms": ms(percentile(tally.phone_seconds, 0.99)),
        "post_p50_ms": ms(percentile(tally.post_seconds, 0.5)),
        "post_p99_ms": ms(percentile(tally.post_seconds, 0.99)),
        "sent": len(tally.sent),
        "acked": len(tally.acked),
        "refused": len(tally.refused) + len(tally.failed),
        "deliveries": got,
        "expected": expected,
        "delivered_ratio": round(got / expected, 4) if expected else None,
        "cpu_ms_per_delivery": round(1000 * clock.server_cpu / max(got, 1), 4),
        "client_load": round(clock.client_load, 2),
        "seconds": round(clock.seconds, 2),
    }


async def s2_burst(target: Target, notes: int, in_flight: int, spread: float) -> dict:
    """`notes` posts offered within `spread` seconds, at most `in_flight` at once.

    Offered rather than fired all at once: the bare server takes them faster than
    one Python client can send and read them, so at once it timed this client.
    """
    reset(target.tally)
    posters = [i % target.count for i in range(notes)]
    gate = asyncio.Semaphore(in_flight)

    async def one(number, index):
        try:
            await target.post(index, f"Burst note {number}")
        finally:
            gate.release()

    expected = len(target.tally.walls) * notes + expected_phone_deliveries(target, posters)
    with Clock(target) as clock:
        start, tasks = time.monotonic(), []
        for number, index in enumerate(posters):
            delay = start + number * spread / notes - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await gate.acquire()
            tasks.append(asyncio.create_task(one(number, index)))
        await asyncio.gather(*tasks)
        complete = await wait_until(lambda: delivered(target) >= expected, 15)
        all_in = time.monotonic() - start
    result = note_result(target, clock, expected)
    result["all_delivered_ms"] = ms(all_in) if complete else None
    return result


async def s3_show(target: Target, moves: int) -> dict:
    lasts, arrivals = [], []
    with Clock(target) as clock:
        for number in range(moves):
            target.show_seen = {}
            target.show_mark = time.monotonic()
            await target.move(forward=number % 2 == 0)
            await wait_until(lambda: len(target.show_seen) >= target.count, 15)
            times = [t - target.show_mark for t in target.show_seen.values()]
            arrivals += times
            lasts.append(max(times) if len(times) >= target.count else None)
            target.show_mark = 0.0
            await asyncio.sleep(0.2)
    got = len(arrivals)
    expected = moves * target.count
    complete = [last for last in lasts if last is not None]
    return {
        "p50_ms": ms(percentile(arrivals, 0.5)),
        "p99_ms": ms(percentile(arrivals, 0.99)),
        "last_phone_ms": ms(statistics.median(complete)) if complete else None,
        "deliveries": got,
        "expected": expected,
        "delivered_ratio": round(got / expected, 4),
        # Phones only: the walls' and console's frames ride along in both servers.
        "cpu_ms_per_delivery": round(1000 * clock.server_cpu / max(got, 1), 4),
        "client_load": round(clock.client_load, 2),
    }


async def run_target(target: Target, plan, scenarios=("S4", "S1", "S2", "S3"), profile="") -> dict:
    """The scenarios in order (S4 first: it opens the phones' sockets the others use)."""
    await target.setup()
    server = target.server
    results = {}
    try:
        for key in scenarios:
            server.profile(f"{profile}-{key.rstrip('-')}" if profile else None)
            if key == "S4":
                results[key] = await s4_idle(target, plan.hold, plan.connect_rate)
            elif key == "S4-":
                results["S4"] = await s4_idle(target, 0, plan.connect_rate)
            elif key == "S1":
                results[key] = await s1_notes(target, plan.notes, plan.rate)
            elif key == "S2":
                results[key] = await s2_burst(target, plan.burst, plan.in_flight, plan.spread)
            elif key == "S3":
                results[key] = await s3_show(target, plan.moves)
        server.profile(None)
    finally:
        await target.close()
    for result in results.values():
        result["valid"] = result["client_load"] < SATURATED
    return results


# --- Servers --------------------------------------------------------------------------
def prepare_summa(workdir: Path) -> tuple[dict, str]:
    """A migrated database with the demo workshop, copied fresh for every round."""
    template = workdir / "template"
    template.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        SUMMA_DATA_DIR=str(template),
        SUMMA_USER="facilitator",
        SUMMA_PASSWORD=PASSWORD,
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="bench-" + uuid.uuid4().hex * 2,
        SUMMA_NOTES_PER_MINUTE="100000",
        # Every bench phone joins from this one machine, as fast as it can.
        SUMMA_JOINS_PER_ADDRESS_PER_MINUTE="100000",
        SUMMA_LOG_LEVEL="WARNING",
    )
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--no-input"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "-v0", "--no-input"], env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [*manage, "demo_workshop"], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout
    return env, re.search(r"/j/([A-Z0-9]+)/", out).group(1)


# The Summa rows a run can measure: a label for the table and the scenarios it runs.
VARIANTS = {
    "daphne": ("Daphne", ("S4", "S1", "S2", "S3")),
    "uvicorn": ("uvicorn", ("S4", "S1", "S2", "S3")),
    # Two processes sharing Redis: S4 only opens the sockets (no idle hold: "S4-").
    "redis2": ("2 Daphne + Redis", ("S4-", "S1", "S3")),
    # An experiment: Django's middleware chain run in one thread (bench/sync_chain_settings.py).
    "daphne-sync": ("Daphne, sync middleware", ("S4", "S1", "S2", "S3")),
}
# The Redis row's database: not 0 (the default), flushed before every round.
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


def summa_server(env: dict, workdir: Path, round_number: int, server: str) -> Server:
    """Daphne, uvicorn, or two Daphnes and Redis, on a fresh copy of the template database."""
    data = workdir / f"round-{round_number}-{server}"
    shutil.copytree(Path(env["SUMMA_DATA_DIR"]), data)
    env = {**env, "SUMMA_DATA_DIR": str(data)}
    port = free_port()
    label = VARIANTS[server][0]
    if server == "uvicorn":
        argv = [PYTHON, "-m", "uvicorn", "--port", str(port), "--log-level", "warning"]
        argv += ["--lifespan", "off", "workshop.asgi:application"]
        return Server(argv, env, port, label)
    daphne = [PYTHON, "-m", "daphne", "workshop.asgi:application", "-p"]
    if server == "daphne":
        return Server([*daphne, str(port)], env, port, label)
    if server == "daphne-sync":
        env["DJANGO_SETTINGS_MODULE"] = "bench.sync_chain_settings"
        return Server([*daphne, str(port)], env, port, label)
    # redis2: both processes on one SQLite file (WAL), frames through Redis pub/sub.
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()
    env.update(REDIS_URL=BENCH_REDIS_URL, REDIS_PREFIX=f"summa-bench-{uuid.uuid4().hex[:8]}")
    pair = Server([*daphne, str(port)], env, port, label)
    second = free_port()
    while second == port:
        second = free_port()
    pair.add([*daphne, str(second)], env, second)
    return pair


def bare_server() -> Server:
    port = free_port()
    return Server([PYTHON, str(ROOT / "bench" / "baseline.py"), str(port)], dict(os.environ), port)


# --- Summary ----------------------------------------------------------------------------
def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def summarise(runs: dict, variants: list[str]) -> list[dict]:
    """Medians over the rounds, per phone count, scenario and server, beside the baseline."""
    rows = []
    names = {"S1": "S1 note to screens", "S2": "S2 burst", "S3": "S3 run of show", "S4": "S4 idle"}
    for phones, rounds in runs.items():
        for key, name in names.items():
            for variant in variants:
                ours = [r[variant][key] for r in rounds if key in r.get(variant, {})]
                bare = [r["baseline"][key] for r in rounds if "baseline" in r]
                if not ours:
                    continue

                def med(results, field):
                    return median([r.get(field) for r in results])

                ratio = None
                if med(ours, "cpu_ms_per_delivery") and med(bare, "cpu_ms_per_delivery"):
                    ratio = round(
                        med(ours, "cpu_ms_per_delivery") / med(bare, "cpu_ms_per_delivery"), 1
                    )
                row = {
                    "name": name,
                    "server": VARIANTS[variant][0],
                    "variant": variant,
                    "phones": phones,
                    "p50_ms": med(ours, "p50_ms"),
                    "p99_ms": med(ours, "p99_ms"),
                    "baseline_p50_ms": med(bare, "p50_ms"),
                    "baseline_p99_ms": med(bare, "p99_ms"),
                    "cpu_per_delivery_ratio": ratio,
                    "delivered_ratio": min((r["delivered_ratio"] or 0) for r in ours),
                    # The most this load client used of its core, with Summa and with bare.
                    "client_load": max(r["client_load"] for r in ours),
                    "baseline_client_load": max((r["client_load"] for r in bare), default=None),
                    "valid": all(r["valid"] for r in ours + bare),
                    "rounds": len(ours),
                }
                extras = [
                    "post_p50_ms",
                    "post_p99_ms",
                    "phones_p50_ms",
                    "phones_p99_ms",
                    "all_delivered_ms",
                    "last_phone_ms",
                    "connects_per_s",
                    "connects_offered_per_s",
                    "kb_per_connection",
                    "idle_cpu_pct",
                    "dropped",
                    "connect_failures",
                    "cpu_ms_per_delivery",
                ]
                for field in extras:
                    if any(field in r for r in ours):
                        row[field] = med(ours, field)
                        row["baseline_" + field] = med(bare, field)
                rows.append(row)
    return rows


TARGETS = [
    ("S1", "post to every wall p99", "p99_ms", "<=", 50, "ms"),
    ("S1", "POST round trip p50", "post_p50_ms", "<=", 20, "ms"),
    ("S2", "delivered", "delivered_ratio", ">=", 1.0, ""),
    ("S2", "all delivered within", "all_delivered_ms", "<=", 2000, "ms"),
    ("S3", "CPU per delivery vs bare", "cpu_per_delivery_ratio", "<=", 5, "x"),
    ("S3", "last phone", "last_phone_ms", "<=", 150, "ms"),
    ("S4", "memory per idle connection", "kb_per_connection", "<=", 40, "KB"),
    ("S4", "connects per second", "connects_per_s", ">=", 1500, "/s"),
]


def check_targets(rows: list[dict]) -> list[dict]:
    """Every target at the largest phone count, for every server that ran its scenario."""
    biggest = max(row["phones"] for row in rows)
    checks = []
    for server in dict.fromkeys(row["server"] for row in rows):
        for key, label, field, op, goal, unit in TARGETS:
            row = next(
                (
                    r
                    for r in rows
                    if r["name"].startswith(key)
                    and r["phones"] == biggest
                    and r["server"] == server
                ),
                None,
            )
            if row is None:
                continue
            value = row.get(field)
            met = value is not None and (value <= goal if op == "<=" else value >= goal)
            if value is None:
                off = "not measured"
            elif met:
                off = "met"
            elif op == "<=":
                off = f"missed by {value - goal:.4g}{unit} ({value / goal:.1f}x the target)"
            else:
                off = f"missed by {goal - value:.4g}{unit} ({value / goal:.0%} of the target)"
            checks.append(
                {
                    "scenario": key,
                    "server": server,
                    "phones": biggest,
                    "what": label,
                    "target": f"{op} {goal}{unit}",
                    "value": value,
                    "met": met,
                    "verdict": off,
                }
            )
    return checks


def fmt(value, unit="", pct=False):
    if value is None:
        return "–"
    if pct:
        return f"{value:.0%}"
    if isinstance(value, float) and value >= 100:
        value = round(value)
    return f"{value}{unit}"


def validity(row: dict) -> str:
    if row["valid"]:
        return f"yes ({row['client_load']:.0%} / {fmt(row['baseline_client_load'], '', pct=True)})"
    return (
        f"NO: client at {row['client_load']:.0%} (Summa) / "
        f"{fmt(row['baseline_client_load'], '', pct=True)} (bare)"
    )


def table(result: dict) -> str:
    lines = [
        f"Run {result['started']} ({result['mode']}, {result['rounds']} rounds, "
        f"servers: {', '.join(result['servers'])}; pinned: {result['pinned']}).",
        "",
        "| scenario | server | phones | p50 ms | p99 ms | bare p50 | bare p99 "
        "| CPU/delivery vs bare | delivered | notes | valid (client load Summa / bare) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in result["scenarios"]:
        if row["name"].startswith("S1"):
            note = (
                f"POST p50 {fmt(row['post_p50_ms'])} / p99 {fmt(row['post_p99_ms'])} ms; "
                f"group phones p50 {fmt(row['phones_p50_ms'])} / p99 {fmt(row['phones_p99_ms'])} "
                f"ms (bare {fmt(row['baseline_phones_p50_ms'])} / "
                f"{fmt(row['baseline_phones_p99_ms'])})"
            )
        elif row["name"].startswith("S2"):
            note = (
                f"all in {fmt(row['all_delivered_ms'])} ms "
                f"(bare {fmt(row['baseline_all_delivered_ms'])})"
            )
        elif row["name"].startswith("S3"):
            note = (
                f"last phone {fmt(row['last_phone_ms'])} ms "
                f"(bare {fmt(row['baseline_last_phone_ms'])})"
            )
        else:
            note = (
                f"{fmt(row['connects_per_s'])} connects/s of "
                f"{fmt(row['connects_offered_per_s'])} offered (bare "
                f"{fmt(row['baseline_connects_per_s'])}), {fmt(row['kb_per_connection'])} KB/conn "
                f"(bare {fmt(row['baseline_kb_per_connection'])}), idle CPU "
                f"{fmt(row['idle_cpu_pct'])} % (bare {fmt(row['baseline_idle_cpu_pct'])}), "
                f"{fmt(row['dropped'])} dropped, {fmt(row['connect_failures'])} connects "
                f"retried (bare {fmt(row['baseline_connect_failures'])}); "
                "p50/p99 = connect time"
            )
        lines.append(
            f"| {row['name']} | {row['server']} | {row['phones']} | {fmt(row['p50_ms'])} "
            f"| {fmt(row['p99_ms'])} | {fmt(row['baseline_p50_ms'])} "
            f"| {fmt(row['baseline_p99_ms'])} | {fmt(row['cpu_per_delivery_ratio'], 'x')} "
            f"| {fmt(row['delivered_ratio'])} | {note} | {validity(row)} |"
        )
    lines += [
        "",
        "| target | server | phones | goal | measured | verdict |",
        "|---|---|---:|---|---:|---|",
    ]
    for check in result["targets"]:
        lines.append(
            f"| {check['scenario']} {check['what']} | {check['server']} | {check['phones']} "
            f"| {check['target']} | {fmt(check['value'])} | {check['verdict']} |"
        )
    return "\n".join(lines)


def write_docs(text: str):
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    doc = PERFORMANCE_MD.read_text() if PERFORMANCE_MD.exists() else f"{begin}\n{end}\n"
    head, _, rest = doc.partition(begin)
    _, _, tail = rest.partition(end)
    PERFORMANCE_MD.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


# --- Main -------------------------------------------------------------------------------
PINNED = False
PROFILE_DIR: Path | None = None
PROFILE_GIL = False


def main():
    global PINNED, PROFILE_DIR, PROFILE_GIL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 phones, 2 rounds, < 3 min")
    parser.add_argument("--phones", type=int, nargs="+", help="phone counts (100 300 1000)")
    parser.add_argument("--rounds", type=int, help="A B rounds per phone count (3)")
    parser.add_argument(
        "--server",
        nargs="+",
        choices=list(VARIANTS),
        default=["daphne"],
        help="Summa rows to measure, each against the same round's baseline: daphne (the "
        "default), uvicorn, redis2 (two Daphnes sharing Redis at BENCH_REDIS_URL, S1 and S3), "
        "daphne-sync (Django's middleware in one thread: bench/sync_chain_settings.py)",
    )
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md be")
    parser.add_argument(
        "--stock-layer",
        action="store_true",
        help="Summa with Channels' InMemoryChannelLayer (capacity 100), to compare",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="sample Summa's processes with py-spy during each scenario into DIR "
        "(no baseline, docs left alone; summarise with bench/profile_summary.py)",
    )
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="with --profile: only samples holding the GIL (where Python spends CPU, "
        "rather than where threads wait)",
    )
    options = parser.parse_args()
    PROFILE_GIL = options.profile_gil
    plan = argparse.Namespace(
        phones=options.phones or ([100] if options.quick else [100, 300, 1000]),
        rounds=options.rounds or (2 if options.quick else 3),
        hold=10.0 if options.quick else 60.0,
        connect_rate=2000.0,
        notes=100 if options.quick else 300,
        rate=20.0,
        burst=300,
        in_flight=150,
        spread=0.5,
        moves=6 if options.quick else 10,
    )
    if options.profile:
        PROFILE_DIR = Path(options.profile).resolve()
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    if len(os.sched_getaffinity(0)) >= 2:
        os.sched_setaffinity(0, {CLIENT_CORE})
        PINNED = True
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    runs: dict[int, list] = {}
    with tempfile.TemporaryDirectory(prefix="summa-bench-") as tmp:
        workdir = Path(tmp)
        env, code = prepare_summa(workdir)
        if options.stock_layer:
            env["DJANGO_SETTINGS_MODULE"] = "bench.stock_settings"
        number = 0
        for phones in plan.phones:
            runs[phones] = []
            for round_number in range(plan.rounds):
                number += 1
                pair = {}
                sizes = None
                for variant in options.server:
                    server = summa_server(env, workdir, number, variant)
                    server.start()
                    try:
                        target = SummaTarget(server, phones, code)
                        pair[variant] = asyncio.run(
                            run_target(
                                target,
                                plan,
                                VARIANTS[variant][1],
                                f"{variant}-{phones}-r{round_number + 1}" if PROFILE_DIR else "",
                            )
                        )
                    finally:
                        server.stop()
                    sizes = sizes or target.sizes
                if not PROFILE_DIR:
                    # The baseline's frames are as big as Summa's were.
                    note_pad = int(median(sizes["note"]) or 600)
                    show_pad = int(median(sizes["show"]) or 2000)
                    server = bare_server()
                    server.start()
                    try:
                        target = BareTarget(server, phones, note_pad=note_pad, show_pad=show_pad)
                        pair["baseline"] = asyncio.run(run_target(target, plan))
                    finally:
                        server.stop()
                runs[phones].append(pair)
                print(
                    f"{phones} phones, round {round_number + 1}/{plan.rounds}: "
                    + "; ".join(
                        f"{name} {key} p99 {result[key].get('p99_ms')} ms"
                        for name, result in pair.items()
                        for key in result
                    ),
                    flush=True,
                )
    if PROFILE_DIR:
        (PROFILE_DIR / "runs.json").write_text(json.dumps(runs, indent=1))
        print(f"Profiles in {PROFILE_DIR}")
        return
    rows = summarise(runs, options.server)
    result = {
        "started": started,
        "mode": "quick" if options.quick else "full",
        "server": options.server[0],
        "servers": [VARIANTS[variant][0] for variant in options.server],
        "layer": "stock InMemoryChannelLayer" if options.stock_layer else "settings' default",
        "pinned": PINNED,
        "rounds": plan.rounds,
        "plan": vars(plan),
        "scenarios": rows,
        "targets": check_targets(rows),
        "raw": {str(k): v for k, v in runs.items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1)
    (RESULTS / f"run-{started.replace(':', '')}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    printed = table(result)
    print(printed)
    if not options.no_docs:
        write_docs(printed)


if __name__ == "__main__":
    main()
