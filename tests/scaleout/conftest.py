"""Real Daphne processes (two, or as many as a test asks) on a fresh PostgreSQL database and Redis.

The services are found at SUMMA_TEST_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/test, any database the role may connect to
and create others from) and SUMMA_TEST_REDIS_URL (default redis://127.0.0.1:6379).
Absent, the tests skip and say which one; with SUMMA_REQUIRE_ALL=1 (CI) a skip fails the run.
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("SUMMA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SUMMA_TEST_REDIS_URL", "redis://127.0.0.1:6379")
# A database number of its own; channel names are kept apart by a prefix per run.
REDIS_DB = int(os.environ.get("SUMMA_TEST_REDIS_DB", "12"))
# How this machine and CI start Redis (no persistence: a restart forgets everything).
REDIS_START = os.environ.get(
    "SUMMA_TEST_REDIS_START",
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log",
)
USER, PASSWORD = "scaleout", "scaleout-secret-123"
DAPHNE = Path(sys.executable).with_name("daphne")


def _postgres_problem() -> str | None:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}".strip()


def _redis_client(db: int = 0):
    import redis

    return redis.Redis.from_url(REDIS_URL, db=db, socket_timeout=3, socket_connect_timeout=3)


def _redis_problem() -> str | None:
    import redis

    try:
        _redis_client().ping()
        return None
    except redis.RedisError as error:
        return f"Redis is not reachable at {REDIS_URL}: {error}"


@pytest.fixture(scope="session")
def services_up():
    for problem in (_postgres_problem(), _redis_problem()):
        if problem:
            pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def redis_running() -> bool:
    with suppress(Exception):
        return bool(_redis_client().ping())
    return False


def redis_start() -> None:
    """Start Redis as the machine does, unless it already answers."""
    if redis_running():
        return
    subprocess.run(shlex.split(REDIS_START), check=False, timeout=20)
    for _ in range(100):
        if redis_running():
            return
        time.sleep(0.1)
    raise RuntimeError(f"Redis did not come back with: {REDIS_START}")


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-u", REDIS_URL, "shutdown", "nosave"], check=False, timeout=20)
    for _ in range(100):
        if not redis_running():
            return
        time.sleep(0.1)
    raise RuntimeError("Redis did not stop")


class Server:
    """One Daphne process of the cluster; stop() and start() it at will.

    ``command`` starts it some other way (``scripts/demo``, say), given the port;
    it must end by exec-ing Daphne, so that stopping the process stops the server.
    """

    def __init__(
        self,
        name: str,
        env: dict,
        logs: Path,
        command: Callable[[int], list[str]] | None = None,
        startup_seconds: float = 30,
    ):
        self.name, self.env, self.logs = name, env, logs
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.command = command
        self.startup_seconds = startup_seconds

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.logs / f"{self.name}.log").open("a")
        command = (
            self.command(self.port)
            if self.command
            else [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), "workshop.asgi:application"]
        )
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            with suppress(requests.RequestException):
                requests.get(self.url + "/", timeout=1)
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} did not answer in {self.startup_seconds} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no goodbye to its sockets, its database connections or Redis."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        path = self.logs / f"{self.name}.log"
        return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""


class Cluster:
    def __init__(self, servers: list[Server], database: str, code: str):
        self.servers, self.database, self.code = servers, database, code

    def ensure_running(self) -> None:
        for server in self.servers:
            if not server.running:
                server.start()

    def terminate_connections(self) -> int:
        """Kill every server connection to the cluster's database, as an admin might."""
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchall()
        return len(rows)


@contextmanager
def running_cluster(tmp_path_factory, processes: int = 2):
    """``processes`` Daphne processes on a database of their own and Redis; gone afterwards."""
    import psycopg

    run = uuid.uuid4().hex[:10]
    database = f"summa_scaleout_{run}"
    data_dir = tmp_path_factory.mktemp("scaleout")
    env = {
        **os.environ,
        "DATABASE_URL": _with_database(POSTGRES_URL, database),
        "REDIS_URL": f"{REDIS_URL.rstrip('/')}/{REDIS_DB}",
        "REDIS_PREFIX": f"summa-test-{run}",
        "SUMMA_DATA_DIR": str(data_dir),
        "SUMMA_USER": USER,
        "SUMMA_PASSWORD": PASSWORD,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "workshop.settings",
        "PYTHONUNBUFFERED": "1",
        "SUMMA_NOTES_PER_MINUTE": "1000",
    }
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    servers = [Server(f"daphne-{n}", env, data_dir) for n in range(1, processes + 1)]
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0", "--no-input"], cwd=ROOT, env=env, check=True)
        demo = subprocess.run(
            [*manage, "demo_workshop"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        code = re.search(r"/j/([A-Za-z0-9]+)/", demo.stdout).group(1)
        for server in servers:
            server.start()
        yield Cluster(servers, database, code)
    finally:
        for server in servers:
            server.stop()
        redis_start()  # whatever a test did to it
        with suppress(Exception):
            _redis_client(REDIS_DB).flushdb()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def cluster(services_up, tmp_path_factory):
    with running_cluster(tmp_path_factory, processes=2) as running:
        yield running


@pytest.fixture
def redis_restorer():
    """Whatever the test does to Redis, it answers again afterwards."""
    yield
    redis_start()


# --- HTTP clients: a facilitator and phones, each a requests.Session ---------------


def _csrf(session: requests.Session, url: str) -> str:
    session.get(url, timeout=10).raise_for_status()
    return session.cookies["csrftoken"]


def facilitator_login(base: str) -> requests.Session:
    session = requests.Session()
    token = _csrf(session, base + "/accounts/login/")
    answer = session.post(
        base + "/accounts/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
        timeout=10,
    )
    answer.raise_for_status()
    assert "sessionid" in session.cookies, "the facilitator could not log in"
    return session


def open_first_round(base: str, session: requests.Session, code: str) -> None:
    console = session.get(f"{base}/w/{code}/", timeout=10)
    console.raise_for_status()
    round_id = re.search(rf"/w/{code}/rounds/(\d+)/open/", console.text).group(1)
    answer = session.post(
        f"{base}/w/{code}/rounds/{round_id}/open/",
        data={"minutes": "30", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/w/{code}/"},
        timeout=10,
    )
    answer.raise_for_status()


class Phone:
    """A participant's phone: joins a group (1 unless told) over HTTP and posts notes as
    phone.js does. ``page`` is the phone page the join led to."""

    def __init__(self, base: str, code: str, nickname: str, group: int = 1):
        self.code, self.http = code, requests.Session()
        join = f"{base}/j/{code}/{group}/"
        token = _csrf(self.http, join)
        answer = self.http.post(
            join,
            data={"nickname": nickname, "csrfmiddlewaretoken": token},
            headers={"Referer": join},
            timeout=10,
        )
        answer.raise_for_status()
        self.page = answer.text
        self.prompt = re.search(r'name="prompt" value="(\d+)"', answer.text)

    def prompt_id(self, base: str) -> str:
        if self.prompt is None:
            page = self.http.get(f"{base}/p/{self.code}/", timeout=10)
            self.prompt = re.search(r'name="prompt" value="(\d+)"', page.text)
            assert self.prompt, "the phone shows no open round"
        return self.prompt.group(1)

    def post_note(self, base: str, text: str, client_id: str | None = None) -> requests.Response:
        return self.http.post(
            f"{base}/p/{self.code}/notes/new/",
            data={
                "text": text,
                "prompt": self.prompt_id(base),
                "client_id": client_id or str(uuid.uuid4()),
                "csrfmiddlewaretoken": self.http.cookies["csrftoken"],
            },
            headers={"Accept": "application/json", "Referer": f"{base}/p/{self.code}/"},
            timeout=10,
        )

    def cookie_header(self) -> str:
        return cookie_header(self.http)


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


# --- A live screen over a real WebSocket, resuming like static/summa/live.js ----


class Screen:
    """Applies every frame whatever its order, asks to resume after a reconnect or a gap
    that does not close, and collects the note ids it shows (as live.js does)."""

    def __init__(self, path: str, cookies: str, strict: bool):
        self.path, self.cookies, self.strict = path, cookies, strict
        self.seq = 0  # complete up to here
        self.seen: set[int] = set()  # numbers seen past it (wall and console)
        self.notes: set[int] = set()
        self.socket = None
        self.resuming = False
        self.pending_gap = False
        self.closes = 0

    async def connect(self, server: Server, attempts: int = 8) -> None:
        """Open the socket, retrying with backoff as the htmx extension does, then resume."""
        import asyncio

        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        for attempt in range(attempts):
            try:
                self.socket = await connect(
                    server.ws + self.path,
                    origin=server.url,
                    additional_headers={"Cookie": self.cookies},
                    open_timeout=10,
                )
                break
            except (InvalidStatus, OSError):
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(min(2.0, 0.25 * 2**attempt))
        self.resuming = self.pending_gap = False
        await self.resume()

    async def resume(self) -> None:
        self.resuming = True
        await self.socket.send(json.dumps({"type": "resume", "after": self.seq}))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def read(self, seconds: float) -> bool:
        """Handle frames for up to ``seconds``; False if the socket closed."""
        import asyncio

        from websockets.exceptions import ConnectionClosed

        deadline = asyncio.get_running_loop().time() + seconds
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                text = await asyncio.wait_for(self.socket.recv(), timeout=left)
            except TimeoutError:
                return True
            except ConnectionClosed:
                self.closes += 1
                return False
            await self.handle(json.loads(text))
        return True

    async def handle(self, frame: dict) -> None:
        if frame["type"] == "resumed":
            self.resuming = False
            self.seq = max(self.seq, frame["upto"])
            self.seen = {seq for seq in self.seen if seq > self.seq}
            if self.pending_gap:
                self.pending_gap = False
                await self.resume()
            return
        if frame["type"] == "snapshot":
            self.notes.update(frame["data"].get("note_ids", []))
            return
        seq = frame.get("seq")
        if not isinstance(seq, int):
            return
        note = (frame.get("data") or {}).get("note")
        if frame["type"] == "note.added" and note:
            self.notes.add(note["id"])  # whatever its number: frames come out of order
        if self.strict and seq > self.seq:
            self.seen.add(seq)
            while self.seq + 1 in self.seen:
                self.seq += 1
                self.seen.discard(self.seq)
            if self.seen:  # live.js waits a moment first; here the next read closes it
                if self.resuming:
                    self.pending_gap = True
                else:
                    await self.resume()

    async def wait_for(self, note_ids: set[int], seconds: float = 10) -> bool:
        import asyncio

        deadline = asyncio.get_running_loop().time() + seconds
        while not note_ids <= self.notes:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            if not await self.read(min(left, 0.5)):
                return False
        return True
