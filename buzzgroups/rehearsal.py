"""A rehearsal with simulated phones, through the same HTTP and WebSocket endpoints a phone uses.

Plain asyncio and aiohttp, no Django: it runs against any Summa server (this
laptop's, or the one in the room) and ``bench/`` drives it too. The steps are
the ones docs/protocol.md describes: the facilitator logs in and watches the
wall's socket; each phone joins (session cookie, CSRF token from the page),
opens its socket and posts notes as JSON; every note is timed from the moment
its POST leaves until the wall's socket shows it.
"""

import asyncio
import itertools
import json
import math
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import TextIO

import aiohttp

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROMPT_INPUT = re.compile(r'name="prompt" value="(\d+)"[^>]*> <span>([^<]*)</span>')
TOPIC_INPUT = re.compile(r'name="topic" value="(\d+)"[^>]*> <span>([^<]*)</span>')
PHONE_STAGE = re.compile(r'id="phone-stage"[^>]*data-round="(\d*)" data-round-state="(\w*)"')
PAGE_SEQ = re.compile(r'data-ws-connect="[^"]+" data-seq="(\d+)"')
ROUND_CLOSE = re.compile(r"/rounds/(\d+)/close/")
ROUND_OPEN = re.compile(r"/rounds/(\d+)/open/")

# The nickname of a rehearsal's phone (manage.py rehearse removes them afterwards).
REHEARSAL_NICKNAME = r"^Rehearsal [0-9]+$"

# A rehearsal waits this long after the last post for the wall to show everything.
SETTLE_SECONDS = 10.0


class RehearsalError(Exception):
    """Something that stops the rehearsal, said so that the facilitator knows what to do."""


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` from 0 to 1) of a list; None when it is empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Phone:
    """One simulated participant: its own cookies, its page's form fields, its socket."""

    index: int
    http: aiohttp.ClientSession
    group: int | None = None
    csrf: str = ""
    round_id: str = ""
    round_state: str = ""
    prompts: list[tuple[str, str]] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)
    seq: int = 0
    socket: aiohttp.ClientWebSocketResponse | None = None
    reader: asyncio.Task | None = None
    closed_unexpectedly: bool = False


@dataclass
class Tally:
    """What happened to the notes, timed with ``time.monotonic``."""

    sent: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)
    walls: list[dict[str, float]] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    phone_seconds: list[float] = field(default_factory=list)
    phone_deliveries: int = 0
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def on_wall(self) -> dict[str, float]:
        """Notes every watched wall has shown, with the time the last of them did."""
        if not self.walls:
            return {}
        shown = set(self.walls[0]).intersection(*self.walls[1:])
        return {cid: max(wall[cid] for wall in self.walls) for cid in shown}

    def wall_seconds(self) -> list[float]:
        on_wall = self.on_wall
        return [on_wall[cid] - self.sent[cid] for cid in on_wall if cid in self.sent]


class Swarm:
    """A facilitator and N phones against one workshop on one server."""

    def __init__(self, base_url: str, code: str, *, user: str, password: str):
        self.base = base_url.rstrip("/")
        self.ws_base = (
            "ws" + self.base[len("http") :] if self.base.startswith("http") else self.base
        )
        self.code = code.strip().upper()
        self.user = user
        self.password = password
        self.connector: aiohttp.TCPConnector | None = None
        self.facilitator: aiohttp.ClientSession | None = None
        self.walls: list[aiohttp.ClientWebSocketResponse] = []
        self.console: aiohttp.ClientWebSocketResponse | None = None
        self.console_answers: asyncio.Queue = asyncio.Queue()
        self.phones: list[Phone] = []
        self.tally = Tally()
        self.tasks: list[asyncio.Task] = []
        # Called for every frame a phone gets: (phone, frame type, frame, arrival time).
        self.on_phone_frame: Callable[[Phone, str, dict, float], None] | None = None

    # --- Sessions ---------------------------------------------------------------
    def _session(self) -> aiohttp.ClientSession:
        if self.connector is None:
            self.connector = aiohttp.TCPConnector(limit=0, force_close=False)
        return aiohttp.ClientSession(
            connector=self.connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # 127.0.0.1 is an IP address
            timeout=aiohttp.ClientTimeout(total=60),
        )

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    async def aclose(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        sockets = [phone.socket for phone in self.phones if phone.socket is not None]
        sockets += self.walls + ([self.console] if self.console is not None else [])
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
        for phone in self.phones:
            if phone.reader:
                phone.reader.cancel()
            await phone.http.close()
        if self.facilitator:
            await self.facilitator.close()
        if self.connector:
            await self.connector.close()

    async def _ws_connect(self, http: aiohttp.ClientSession, path: str, ws_base: str = ""):
        # Channels refuses sockets without an Origin from an allowed host.
        return await http.ws_connect(
            (ws_base or self.ws_base) + path, origin=self.base, max_msg_size=0, autoping=True
        )

    def base_of(self, index: int) -> str:
        """The server a phone talks to (one here; several in bench/run.py's SpreadSwarm)."""
        return self.base

    def ws_base_of(self, index: int) -> str:
        return "ws" + self.base_of(index)[len("http") :]

    # --- The facilitator --------------------------------------------------------
    async def log_in(self) -> None:
        self.facilitator = self._session()
        url = f"{self.base}/accounts/login/"
        async with self.facilitator.get(url) as response:
            page = await response.text()
        token = CSRF_INPUT.search(page)
        if response.status != 200 or token is None:
            raise RehearsalError(f"No login page at {url} (HTTP {response.status}).")
        form = {"csrfmiddlewaretoken": token.group(1), "username": self.user}
        form["password"] = self.password
        async with self.facilitator.post(
            url, data=form, allow_redirects=False, headers={"Referer": url}
        ) as response:
            if response.status != 302:
                raise RehearsalError(
                    f"Could not log in as {self.user!r}: check --user and --password "
                    "(or SUMMA_USER / SUMMA_PASSWORD)."
                )

    async def console_page(self) -> str:
        async with self.facilitator.get(f"{self.base}/w/{self.code}/") as response:
            if response.status != 200:
                raise RehearsalError(
                    f"Workshop {self.code} is not one of {self.user!r}'s (HTTP {response.status})."
                )
            return await response.text()

    async def watch_wall(self) -> None:
        """Open one more wall socket (a second projector) and note when it shows each note."""
        try:
            wall = await self._ws_connect(self.facilitator, f"/ws/w/{self.code}/wall/")
        except aiohttp.WSServerHandshakeError as error:
            raise RehearsalError(f"The wall's socket was refused ({error.status}).") from None
        self.walls.append(wall)
        seen: dict[str, float] = {}
        self.tally.walls.append(seen)
        self.tasks.append(asyncio.create_task(self._read_wall(wall, seen)))

    async def _read_wall(self, wall, seen: dict[str, float]) -> None:
        async for message in wall:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            now = time.monotonic()
            if '"note.added"' not in message.data[:40]:
                continue
            note = json.loads(message.data).get("data", {}).get("note") or {}
            client_id = note.get("client_id")
            if client_id and client_id not in seen:
                seen[client_id] = now

    async def open_console(self) -> None:
        self.console = await self._ws_connect(self.facilitator, f"/ws/w/{self.code}/console/")
        self.tasks.append(asyncio.create_task(self._read_console()))

    async def _read_console(self) -> None:
        async for message in self.console:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            head = message.data[:30]
            if '"done"' in head or '"error"' in head:
                await self.console_answers.put(json.loads(message.data))

    async def console_action(self, kind: str, **fields) -> None:
        """Send one facilitator action over the console socket and wait for its answer."""
        if self.console is None:
            await self.open_console()
        await self.console.send_str(json.dumps({"type": kind, **fields}))
        answer = await asyncio.wait_for(self.console_answers.get(), timeout=30)
        if answer["type"] == "error":
            raise RehearsalError(f"The console refused {kind}: {answer.get('error')}")

    async def round_to_use(self) -> tuple[int, bool]:
        """The open buzz round, or the next one to open: ``(round id, already open)``."""
        page = await self.console_page()
        running = ROUND_CLOSE.search(page)
        if running:
            return int(running.group(1)), True
        items = page.split('<li class="agenda__item')[1:]
        current = next(
            (i for i, item in enumerate(items) if item.startswith(" agenda__item--current")), 0
        )
        for item in items[current:] + items[:current]:
            found = ROUND_OPEN.search(item)
            if found:
                return int(found.group(1)), False
        raise RehearsalError(f"Workshop {self.code} has no buzz groups to open.")

    # --- Phones -----------------------------------------------------------------
    async def join(self, index: int, group: int | None = None) -> Phone:
        """Join as a new participant: into the smallest group, or into group number ``group``."""
        phone = Phone(index=index, http=self._session(), group=group)
        self.phones.append(phone)
        url = f"{self.base}/j/{self.code}/" + (f"{group}/" if group else "")
        async with phone.http.get(url) as response:
            page = await response.text()
        token = CSRF_INPUT.search(page)
        if response.status != 200 or token is None:
            raise RehearsalError(
                f"Phones cannot join {self.code} at {url} (HTTP {response.status})."
            )
        form = {"csrfmiddlewaretoken": token.group(1), "nickname": f"Rehearsal {index + 1}"}
        async with phone.http.post(url, data=form, headers={"Referer": url}) as response:
            if response.status == 429:
                raise RehearsalError(
                    f"Phone {index + 1} could not join: too many joins from this address "
                    "(raise SUMMA_JOINS_PER_ADDRESS_PER_MINUTE on the server for a rehearsal)."
                )
            if response.status != 200 or "/p/" not in str(response.url):
                raise RehearsalError(f"Phone {index + 1} could not join (HTTP {response.status}).")
            self._read_phone_page(phone, await response.text())
        return phone

    async def refresh(self, phone: Phone) -> None:
        async with phone.http.get(f"{self.base}/p/{self.code}/") as response:
            self._read_phone_page(phone, await response.text())

    @staticmethod
    def _read_phone_page(phone: Phone, page: str) -> None:
        token = CSRF_INPUT.search(page)
        phone.csrf = token.group(1) if token else phone.csrf
        stage = PHONE_STAGE.search(page)
        phone.round_id, phone.round_state = stage.groups() if stage else ("", "")
        phone.prompts = [(pk, unescape(title)) for pk, title in PROMPT_INPUT.findall(page)]
        phone.topics = [(pk, unescape(name)) for pk, name in TOPIC_INPUT.findall(page)]
        seq = PAGE_SEQ.search(page)
        phone.seq = int(seq.group(1)) if seq else 0

    async def connect(self, phone: Phone) -> None:
        phone.socket = await self._ws_connect(
            phone.http, f"/ws/p/{self.code}/", self.ws_base_of(phone.index)
        )
        await phone.socket.send_str(json.dumps({"type": "resume", "after": phone.seq}))
        phone.reader = asyncio.create_task(self._read_phone(phone))

    async def _read_phone(self, phone: Phone) -> None:
        async for message in phone.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            now = time.monotonic()
            if self.on_phone_frame is not None:
                frame = json.loads(message.data)
                self.on_phone_frame(phone, frame.get("type", ""), frame, now)
            elif '"note.added"' in message.data[:40]:
                note = json.loads(message.data).get("data", {}).get("note") or {}
                sent = self.tally.sent.get(note.get("client_id"))
                if sent is not None:
                    self.tally.phone_deliveries += 1
                    self.tally.phone_seconds.append(now - sent)
        phone.closed_unexpectedly = not phone.socket.closed or phone.socket.close_code != 1000

    async def join_all(
        self,
        count: int,
        *,
        concurrency: int = 20,
        connect: bool = True,
        groups: int | None = None,
    ) -> None:
        """Join ``count`` phones, ``concurrency`` at a time, and open their sockets.

        With ``groups``, phone i goes to group ``i % groups + 1`` (as from a table card).
        """
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int):
            async with gate:
                phone = await self.join(index, index % groups + 1 if groups else None)
                if connect:
                    await self.connect(phone)

        await asyncio.gather(*(one(len(self.phones) + i) for i in range(count)))

    # --- Notes ------------------------------------------------------------------
    async def post(self, phone: Phone, text: str, topic: str = "") -> None:
        client_id = str(uuid.uuid4())
        form = {
            "client_id": client_id,
            "text": text,
            "prompt": phone.prompts[0][0] if phone.prompts else "",
            "topic": topic,
        }
        headers = {"X-CSRFToken": phone.csrf, "Accept": "application/json"}
        started = time.monotonic()
        self.tally.sent[client_id] = started
        try:
            async with phone.http.post(
                f"{self.base_of(phone.index)}/p/{self.code}/notes/new/", data=form, headers=headers
            ) as response:
                answer = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            self.tally.failed.append(f"{type(error).__name__}: {error}")
            return
        if response.status in (200, 201) and answer.get("ok"):
            now = time.monotonic()
            self.tally.acked[client_id] = now
            self.tally.post_seconds.append(now - started)
        else:
            self.tally.refused.append(f"HTTP {response.status}: {answer.get('error', '')}")


@dataclass
class Plan:
    base_url: str
    code: str
    user: str
    password: str
    phones: int = 20
    rate: float = 2.0
    duration: float = 20.0
    notes: list[str] = field(default_factory=list)
    max_notes: int = 10_000


@dataclass
class Report:
    phones: int
    connected: int
    sent: int
    acked: int
    on_wall: int
    refused: list[str]
    failed: list[str]
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    post_p50_ms: float | None
    opened_round: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return self.sent > 0 and self.sent == self.acked == self.on_wall

    def lines(self) -> list[str]:
        def ms(value):
            return "–" if value is None else f"{value:.0f} ms"

        lines = [
            f"Phones: {self.connected} of {self.phones} connected.",
            f"Notes:  {self.sent} sent, {self.acked} acknowledged, {self.on_wall} seen on the wall.",
            f"Post to wall: p50 {ms(self.p50_ms)}, p95 {ms(self.p95_ms)}, p99 {ms(self.p99_ms)}"
            f" (POST answered in {ms(self.post_p50_ms)} at p50).",
        ]
        if self.opened_round:
            lines.append("No buzz round was open: opened the next one, and closed it at the end.")
        for label, problems in (("refused", self.refused), ("failed", self.failed)):
            if problems:
                lines.append(f"{len(problems)} {label}, e.g. {problems[0]}")
        lines.append(
            "Every note reached the wall."
            if self.ok
            else "NOT every note reached the wall: see above."
        )
        return lines


def note_texts(plan: Plan, phone: Phone) -> list[tuple[str, str]]:
    """(text, topic id) pairs to post: the FILE's lines, else made from the program's topics."""
    if plan.notes:
        return [(text, "") for text in plan.notes]
    if phone.topics:
        return [(f"{name}: a thought from the rehearsal", pk) for pk, name in phone.topics]
    titles = [title for _pk, title in phone.prompts] or ["A note"]
    return [(f"{title}: a thought from the rehearsal", "") for title in titles]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def rehearse(plan: Plan, out: TextIO | None = None) -> Report:
    """Join the phones, post notes at the planned rate, wait for the wall, report."""
    began = time.monotonic()
    total = max(1, min(plan.max_notes, math.ceil(plan.rate * plan.duration)))
    opened = False
    round_id = None

    def progress(final: bool = False):
        if out is None:
            return
        tally = swarm.tally
        connected = sum(1 for phone in swarm.phones if phone.socket is not None)
        out.write(
            f"\r{time.monotonic() - began:6.1f}s  phones {connected}/{plan.phones}  "
            f"sent {len(tally.sent)}/{total}  acked {len(tally.acked)}  "
            f"on wall {len(tally.on_wall)}  refused {len(tally.refused) + len(tally.failed)} "
        )
        if final:
            out.write("\n")
        out.flush()

    async def keep_printing():
        while True:
            progress()
            await asyncio.sleep(1)

    async with Swarm(plan.base_url, plan.code, user=plan.user, password=plan.password) as swarm:
        await swarm.log_in()
        await swarm.watch_wall()
        swarm.tasks.append(asyncio.create_task(keep_printing()))
        round_id, already_open = await swarm.round_to_use()
        if not already_open:
            minutes = max(1, math.ceil((plan.duration + SETTLE_SECONDS + 60) / 60))
            await swarm.console_action("round.open", round=round_id, minutes=minutes)
            opened = True
        try:
            join_budget = 30 + 0.2 * plan.phones
            await asyncio.wait_for(swarm.join_all(plan.phones), timeout=join_budget)
            first = swarm.phones[0]
            if first.round_state != "open":
                raise RehearsalError("No buzz round is open for the phones.")
            texts = itertools.cycle(note_texts(plan, first))
            interval = 1 / plan.rate
            start = time.monotonic()
            posts = []
            for number in range(total):
                delay = start + number * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                text, topic = next(texts)
                phone = swarm.phones[number % len(swarm.phones)]
                posts.append(
                    asyncio.create_task(swarm.post(phone, f"{text} (#{number + 1})", topic))
                )
            await asyncio.wait_for(asyncio.gather(*posts), timeout=SETTLE_SECONDS + 60)
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline and not set(swarm.tally.acked) <= set(
                swarm.tally.on_wall
            ):
                await asyncio.sleep(0.05)
        finally:
            if opened:
                try:
                    await swarm.console_action("round.close", round=round_id)
                except (TimeoutError, RehearsalError, aiohttp.ClientError) as error:
                    if out is not None:
                        out.write(f"\nCould not close the buzz round: {error}\n")
            progress(final=True)
        tally = swarm.tally
        wall = tally.wall_seconds()
        return Report(
            phones=plan.phones,
            connected=sum(1 for phone in swarm.phones if phone.socket is not None),
            sent=len(tally.sent),
            acked=len(tally.acked),
            on_wall=len(set(tally.on_wall) & set(tally.sent)),
            refused=tally.refused,
            failed=tally.failed,
            p50_ms=ms(percentile(wall, 0.50)),
            p95_ms=ms(percentile(wall, 0.95)),
            p99_ms=ms(percentile(wall, 0.99)),
            post_p50_ms=ms(percentile(tally.post_seconds, 0.50)),
            opened_round=opened,
            seconds=round(time.monotonic() - began, 1),
        )
