"""Two, then three server processes on PostgreSQL and Redis at a fixed note rate: what each costs.

    .venv/bin/python bench/cluster_check.py                      # 2 then 3 processes
    .venv/bin/python bench/cluster_check.py --processes 3 --phones 200 --rate 20

The figures behind the capacity model in docs/deploy.md. Each run makes a fresh
PostgreSQL database (dropped afterwards) with the demo workshop, starts N Daphne
processes on it and on Redis (DEBUG off), and drives one workshop:

- phones join over HTTP, spread over the processes in turn, groups of ten; two
  walls (on processes 1 and 2) count every frame they get;
- notes: a fixed rate for a fixed time, each from the next phone, POSTed to
  that phone's process (``--rate``, ``--seconds``);
- burst: notes with 30 POSTs in flight, as fast as the processes answer
  (``--burst``): the notes a second a process can take;
- sync: every phone asks once to resume after its page's ``seq``, as the
  periodic sync of a phone does in a round (it gets its group's snapshot);
- idle: the sockets stay open, nothing happens.

Per phase and process it prints CPU (user + system from /proc), notes
answered a second, frames its sockets got a second; and for the phase Redis'
commands (INFO commandstats) and CPU, and PostgreSQL's transactions and rows
(pg_stat_database: pg_stat_statements is not loaded here; with autocommit a
query outside a transaction counts as one) and the CPU of its processes. The
load client's own CPU is printed too: near 100 % of a core, it set the pace.

Needs PostgreSQL at SUMMA_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres) and Redis at SUMMA_BENCH_REDIS_URL
(default redis://127.0.0.1:6379/13).
"""

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from buzzgroups.rehearsal import Swarm  # noqa: E402

POSTGRES_URL = os.environ.get(
    "SUMMA_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SUMMA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PASSWORD = "bench-facilitator-secret"
GROUP_SIZE = 10
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def postgres_cpu() -> float:
    """CPU seconds of every postgres process on this machine (the server and its backends)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def redis_info(client) -> dict:
    commands = {
        name.removeprefix("cmdstat_"): stats["calls"]
        for name, stats in client.info("commandstats").items()
    }
    cpu = client.info("cpu")
    return {"commands": commands, "cpu": cpu["used_cpu_sys"] + cpu["used_cpu_user"]}


def database_stats(admin, database: str) -> dict:
    row = admin.execute(
        "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, "
        "tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = %s",
        [database],
    ).fetchone()
    return dict(
        zip(("transactions", "rows_scanned", "rows_fetched", "rows_written"), row, strict=True)
    )


class Cluster:
    def __init__(self, processes: int, workdir: Path):
        import psycopg

        self.database = f"summa_capacity_{uuid.uuid4().hex[:8]}"
        parts = urlsplit(POSTGRES_URL)
        self.admin = psycopg.connect(POSTGRES_URL, autocommit=True)
        self.admin.execute(f'CREATE DATABASE "{self.database}"')
        redis_url = urlsplit(REDIS_URL)
        self.env = {
            **os.environ,
            "DATABASE_URL": urlunsplit(parts._replace(path=f"/{self.database}")),
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": f"summa-capacity-{uuid.uuid4().hex[:8]}",
            "SUMMA_DATA_DIR": str(workdir),
            "SUMMA_USER": "facilitator",
            "SUMMA_PASSWORD": PASSWORD,
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            "SUMMA_NOTES_PER_MINUTE": "100000",
            "SUMMA_JOINS_PER_ADDRESS_PER_MINUTE": "100000",
            "SUMMA_SOCKET_RATE_PER_MINUTE": "100000",
            "SUMMA_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "workshop.settings",
        }
        import redis

        self.redis = redis.Redis(host=redis_url.hostname, port=redis_url.port or 6379)
        manage = [sys.executable, str(ROOT / "manage.py")]
        run = {"env": self.env, "cwd": ROOT, "check": True}
        subprocess.run([*manage, "migrate", "-v0", "--no-input"], **run)
        subprocess.run([*manage, "collectstatic", "-v0", "--no-input"], **run)
        out = subprocess.run([*manage, "demo_workshop"], **run, capture_output=True, text=True)
        self.code = re.search(r"/j/([A-Z0-9]+)/", out.stdout).group(1)
        self.ports = [free_port() for _ in range(processes)]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "daphne", "-p", str(port), "workshop.asgi:application"],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in self.ports
        ]
        for port in self.ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no server on port {port}") from None
                    time.sleep(0.1)

    def measure(self) -> dict:
        return {
            "time": time.monotonic(),
            "client": time.process_time(),
            "cpu": [cpu_of(p.pid) for p in self.processes],
            "postgres_cpu": postgres_cpu(),
            "redis": redis_info(self.redis),
            "database": database_stats(self.admin, self.database),
            "connections": self.admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
            ).fetchone()[0],
        }

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin.close()


class Load:
    """One swarm per process; phone i on process i % N; frames counted per process."""

    def __init__(self, cluster: Cluster, phones: int):
        self.cluster, self.count = cluster, phones
        self.groups = max(1, phones // GROUP_SIZE)
        self.swarms = [
            Swarm(f"http://127.0.0.1:{port}", cluster.code, user="facilitator", password=PASSWORD)
            for port in cluster.ports
        ]
        self.frames = [0] * len(self.swarms)
        self.snapshots = 0
        for n, swarm in enumerate(self.swarms):
            swarm.on_phone_frame = self._counter(n)
        self.wall_tasks: list[asyncio.Task] = []

    def _counter(self, n: int):
        def count(phone, kind, frame, now):
            self.frames[n] += 1
            self.snapshots += kind == "snapshot"

        return count

    async def _wall(self, n: int) -> None:
        swarm = self.swarms[n]
        wall = await swarm._ws_connect(swarm.facilitator, f"/ws/w/{swarm.code}/wall/")
        swarm.walls.append(wall)
        async for message in wall:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            self.frames[n] += 1

    async def setup(self) -> None:
        first = self.swarms[0]
        for swarm in self.swarms:
            await swarm.log_in()
        page = await first.console_page()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        async with first.facilitator.post(
            f"{first.base}/w/{first.code}/groups/count/",
            data={"count": str(self.groups)},
            headers={"X-CSRFToken": token, "Referer": first.base},
        ) as response:
            assert response.status < 400, response.status
        round_id, already_open = await first.round_to_use()
        if not already_open:
            await first.console_action("round.open", round=round_id, minutes=120)
        for n in range(min(2, len(self.swarms))):
            self.wall_tasks.append(asyncio.create_task(self._wall(n)))
        gate = asyncio.Semaphore(10)
        self.phones = [None] * self.count

        async def join(i: int):
            async with gate:
                swarm = self.swarms[i % len(self.swarms)]
                phone = await swarm.join(i, i % self.groups + 1)
                await swarm.connect(phone)
                self.phones[i] = (swarm, phone)

        await asyncio.gather(*(join(i) for i in range(self.count)))

    async def notes(self, rate: float, seconds: float) -> list[int]:
        """Notes at ``rate`` a second; how many each process answered."""
        answered = [0] * len(self.swarms)
        start = time.monotonic()

        async def one(k: int):
            await asyncio.sleep(max(0, start + k / rate - time.monotonic()))
            swarm, phone = self.phones[k % self.count]
            before = len(swarm.tally.acked)
            await swarm.post(phone, f"Notat {k}")
            answered[self.swarms.index(swarm)] += len(swarm.tally.acked) > before

        await asyncio.gather(*(one(k) for k in range(int(rate * seconds))))
        return answered

    async def burst(self, count: int, in_flight: int) -> list[int]:
        """``count`` notes with ``in_flight`` POSTs at once: how many each process answered."""
        answered = [0] * len(self.swarms)
        gate = asyncio.Semaphore(in_flight)

        async def one(k: int):
            async with gate:
                swarm, phone = self.phones[k % self.count]
                before = len(swarm.tally.acked)
                await swarm.post(phone, f"Skur {k}")
                answered[self.swarms.index(swarm)] += len(swarm.tally.acked) > before

        await asyncio.gather(*(one(k) for k in range(count)))
        return answered

    async def sync(self, seconds: float) -> None:
        """Every phone resumes once after its page's seq, spread over ``seconds``."""
        start = time.monotonic()

        async def one(i: int):
            await asyncio.sleep(max(0, start + i * seconds / self.count - time.monotonic()))
            _swarm, phone = self.phones[i]
            await phone.socket.send_str(json.dumps({"type": "resume", "after": phone.seq}))

        await asyncio.gather(*(one(i) for i in range(self.count)))

    async def close(self) -> None:
        for task in self.wall_tasks:
            task.cancel()
        for swarm in self.swarms:
            await swarm.aclose()


def report(name: str, before: dict, after: dict, frames: list[int], extra: dict) -> dict:
    seconds = after["time"] - before["time"]
    cpu = [(a - b) / seconds for a, b in zip(after["cpu"], before["cpu"], strict=True)]
    commands = {
        key: (value - before["redis"]["commands"].get(key, 0)) / seconds
        for key, value in after["redis"]["commands"].items()
        if value - before["redis"]["commands"].get(key, 0) > 0
    }
    database = {
        key: (after["database"][key] - before["database"][key]) / seconds
        for key in after["database"]
    }
    row = {
        "phase": name,
        "seconds": round(seconds, 1),
        "process_cpu_percent": [round(100 * c, 1) for c in cpu],
        "frames_per_second": [round(f / seconds, 1) for f in frames],
        "client_cpu_percent": round(100 * (after["client"] - before["client"]) / seconds, 1),
        "redis_cpu_percent": round(
            100 * (after["redis"]["cpu"] - before["redis"]["cpu"]) / seconds, 2
        ),
        "redis_commands_per_second": {k: round(v, 1) for k, v in sorted(commands.items())},
        "postgres_cpu_percent": round(
            100 * (after["postgres_cpu"] - before["postgres_cpu"]) / seconds, 1
        ),
        "postgres_per_second": {k: round(v, 1) for k, v in database.items()},
        "postgres_connections_at_end": after["connections"],
        **extra,
    }
    events = extra.get("notes_answered") or extra.get("snapshots")
    if events:
        # What one note (or one resume) cost, everything in the phase divided by it.
        row["per_event"] = {
            "process_cpu_ms": round(1000 * sum(cpu) * seconds / events, 2),
            "frames": round(sum(frames) / events, 1),
            "redis_commands": round(sum(commands.values()) * seconds / events, 2),
            "postgres_transactions": round(database["transactions"] * seconds / events, 2),
            "postgres_rows_read": round(
                (database["rows_scanned"] + database["rows_fetched"]) * seconds / events, 1
            ),
            "postgres_cpu_ms": round(
                1000 * (after["postgres_cpu"] - before["postgres_cpu"]) / events, 2
            ),
        }
    print(json.dumps(row))
    return row


async def run(
    processes: int, phones: int, rate: float, seconds: float, burst_notes: int
) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="summa-capacity-") as workdir:
        cluster = Cluster(processes, Path(workdir))
        load = Load(cluster, phones)
        rows = []
        try:
            await load.setup()
            await asyncio.sleep(3)  # the joins' presence announcements settle

            async def phase(name: str, work) -> dict:
                frames_before = list(load.frames)
                before = cluster.measure()
                extra = await work()
                await asyncio.sleep(2)  # the last frames arrive; pg_stat_database is flushed
                after = cluster.measure()
                frames = [a - b for a, b in zip(load.frames, frames_before, strict=True)]
                return report(name, before, after, frames, extra or {})

            async def notes():
                answered = await load.notes(rate, seconds)
                return {
                    "notes_answered": sum(answered),
                    "notes_per_second_per_process": [round(a / seconds, 1) for a in answered],
                    "post_p50_ms": _ms(
                        _median(sum((s.tally.post_seconds for s in load.swarms), []))
                    ),
                }

            async def burst():
                start = time.monotonic()
                answered = await load.burst(burst_notes, in_flight=30)
                took = time.monotonic() - start
                return {
                    "notes_answered": sum(answered),
                    "burst_seconds": round(took, 1),
                    "notes_per_second_per_process": [round(a / took, 1) for a in answered],
                }

            async def sync():
                before, start = load.snapshots, time.monotonic()
                await load.sync(2)
                while load.snapshots - before < phones and time.monotonic() - start < 60:
                    await asyncio.sleep(0.1)
                took = time.monotonic() - start
                return {
                    "resumes": phones,
                    "snapshots": load.snapshots - before,
                    "resumes_per_second": round((load.snapshots - before) / took, 1),
                }

            async def idle():
                await asyncio.sleep(10)

            header = {"processes": processes, "phones": phones, "walls": 2, "rate": rate}
            print(json.dumps(header))
            rows.append(await phase("notes", notes))
            rows.append(await phase("burst", burst))
            rows.append(await phase("sync", sync))
            await asyncio.sleep(5)
            rows.append(await phase("idle", idle))
            for row in rows:
                row.update(header)
        finally:
            await load.close()
            cluster.close()
    return rows


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    return values[len(values) // 2] if values else None


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--phones", type=int, default=150)
    parser.add_argument("--rate", type=float, default=10, help="notes a second, in all")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--burst", type=int, default=300, help="notes, 30 POSTs at once")
    parser.add_argument("--out", type=Path, help="also write the rows here as JSON")
    options = parser.parse_args()
    rows = []
    for processes in options.processes:
        rows += asyncio.run(
            run(processes, options.phones, options.rate, options.seconds, options.burst)
        )
    if options.out:
        options.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
