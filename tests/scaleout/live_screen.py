"""What a browser running static/summa/live.js (and phone.js) would show, over a real socket.

A ``LiveScreen`` starts from the page as served, keeps a small element tree of
it, and applies every frame as live.js does: a card is placed by its id (an
insert, or a replace where that id is shown) unless a newer version of it is
shown; an out-of-band block (the stage) replaces the element with its id; a
snapshot places everything it holds whatever its number, and on a phone removes
the notes that are not in it. It resumes as live.js does: after every
(re)connect, on the wall when a gap stays open 1.5 s, now and then (walls every
15 to 25 s, phones every 45 to 75 s), and again when a resume got an error or
no answer. A closed socket comes back with jittered backoff, to the next server
when its own is gone (as a load balancer would send it).

``note_ids()`` counts the notes on the screen by element id, so a note shown
twice shows up as such.
"""

import asyncio
import json
import random
import re
from collections import Counter
from contextlib import suppress
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
NOTE_ID = re.compile(r"note-(\d+)")

GAP_WAIT = 1.5  # live.js GAP_WAIT_MS
RESUME_RETRY = 3.0  # live.js RESUME_RETRY_MS


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None" = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.text: list[str] = []

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, element_id: str) -> "Element | None":
        return next((e for e in self.walk() if e.id == element_id), None)

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    def replace_with(self, other: "Element") -> None:
        siblings = self.parent.children
        siblings[siblings.index(self)] = other
        other.parent, self.parent = self.parent, None

    def insert(self, other: "Element", where: str) -> None:
        other.parent = self
        if where == "afterbegin":
            self.children.insert(0, other)
        else:
            self.children.append(other)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#fragment", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_data(self, data):
        self.open[-1].text.append(data)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return


def parse(html: str) -> list[Element]:
    """The top-level elements of an HTML fragment (or page)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    for element in builder.root.children:
        element.parent = None
    return builder.root.children


class LiveScreen:
    def __init__(self, page: str, servers: list, home: int, cookies: str, *, phone: bool):
        self.document = Element("#document", {})
        for element in parse(page):
            self.document.insert(element, "beforeend")
        self.host = next(e for e in self.document.walk() if "data-ws-connect" in e.attrs)
        self.path = self.host.attrs["data-ws-connect"]
        self.strict = self.host.attrs.get("data-gap-check") == "strict"
        self.phone = phone
        self.servers, self.home, self.cookies = servers, home, cookies
        # live.js's memory of the host
        self.upto = int(self.host.attrs.get("data-seq") or 0)
        self.baseline = self.upto
        self.versions: dict[str, int] = {}
        self.shown: dict[str, str] = {}
        self.seen: set[int] = set()
        self.resuming = False
        self.timers: dict[str, float] = {}
        self.socket = None
        self.stopped = False
        self.connects = 0
        self.snapshots = 0
        self.unplaced: list[str] = []  # cards whose container this screen did not have

    # --- what the person sees ---------------------------------------------------

    def note_ids(self) -> Counter:
        return Counter(
            int(m.group(1)) for e in self.document.walk() if e.id and (m := NOTE_ID.fullmatch(e.id))
        )

    def shows(self, wanted: set[int]) -> bool:
        return wanted <= set(self.note_ids())

    def place_posted(self, html: str) -> None:
        """phone.js: the answer to a note POST replaces its pending card, unless shown already."""
        element = parse(html.strip())[0]
        if self.document.find(element.id) is None:
            section = self.document.find("group-notes")
            notes = next(e for e in section.walk() if "note-list" in e.attrs.get("class", ""))
            notes.insert(element, "afterbegin")

    # --- the socket -------------------------------------------------------------

    def _later(self, name: str, seconds: float) -> None:
        self.timers[name] = asyncio.get_running_loop().time() + seconds

    async def _send(self, message: dict) -> None:
        from websockets.exceptions import ConnectionClosed

        if self.socket is not None:
            with suppress(ConnectionClosed, OSError):
                await self.socket.send(json.dumps(message))

    async def resume(self) -> None:
        if self.resuming:
            return
        self.resuming = True
        await self._send({"type": "resume", "after": self.upto})
        self._later("resume-unanswered", RESUME_RETRY * 3)

    async def run(self) -> None:
        """Connect, read, come back, until stop()."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        retry = 0
        self._later("sync", self._sync_every())
        while not self.stopped:
            server = self.servers[self.home]
            try:
                self.socket = await connect(
                    server.ws + self.path,
                    origin=server.url,
                    additional_headers={"Cookie": self.cookies},
                    open_timeout=10,
                )
            except (InvalidHandshake, OSError, TimeoutError):
                # Its server is gone or refused: the next attempt goes to the next one.
                self.home = (self.home + 1) % len(self.servers)
                await asyncio.sleep(random.random() * min(8.0, 0.5 * 2**retry))
                retry += 1
                continue
            retry = 0
            self.connects += 1
            self.resuming = False  # what was asked on the old socket is gone with it
            self.timers.pop("resume-unanswered", None)
            await self.resume()
            with suppress(ConnectionClosed):
                await self._read()
            self.socket = None
            if not self.stopped:
                # live.js (or the extension) reconnects after a random moment.
                await asyncio.sleep(0.5 + random.random() * 4.0)

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stopped:
            now = loop.time()
            due = [name for name, at in self.timers.items() if at <= now]
            for name in due:
                del self.timers[name]
                await self._fire(name)
            wait = min([at - loop.time() for at in self.timers.values()] + [0.25])
            try:
                text = await asyncio.wait_for(self.socket.recv(), timeout=max(wait, 0.01))
            except TimeoutError:
                continue
            await self.receive(json.loads(text))

    async def _fire(self, name: str) -> None:
        if name == "gap" and self.seen:
            await self.resume()
        elif name == "resume-unanswered" and self.resuming:
            self.resuming = False
            await self.resume()
        elif name == "resume-again":
            await self.resume()
        elif name == "sync":
            await self.resume()
            self._later("sync", self._sync_every())

    def _sync_every(self) -> float:
        return (20.0 if self.strict else 60.0) * (0.75 + random.random() / 2)

    async def stop(self) -> None:
        self.stopped = True
        if self.socket is not None:
            await self.socket.close()

    # --- live.js's transformResponse --------------------------------------------

    async def receive(self, frame: dict) -> None:
        kind, seq = frame.get("type"), frame.get("seq")
        if kind == "resumed":
            self._caught_up(frame.get("upto"))
            return
        if kind == "error":
            if self.resuming:
                self.resuming = False
                self.timers.pop("resume-unanswered", None)
                self._later("resume-again", RESUME_RETRY * (0.5 + random.random()))
            return
        snapshot = kind == "snapshot"
        if snapshot:
            self.snapshots += 1
            self.baseline = max(self.baseline, seq)
            self.versions = {key: v for key, v in self.versions.items() if v > seq}
        else:
            self._counted(seq)
        for card in frame.get("cards") or []:
            self._apply_card(card, seq, snapshot)
        if snapshot and self.phone and "note_ids" in (frame.get("data") or {}):
            # phone.js: the group's notes as they are now; a note taken back goes.
            keep = {f"note-{n}" for n in frame["data"]["note_ids"]}
            section = self.document.find("group-notes")
            for element in list(section.walk()) if section else []:
                if element.id and NOTE_ID.fullmatch(element.id) and element.id not in keep:
                    element.remove()
        self._swap_blocks(frame.get("html") or "", seq, snapshot)

    def _newer(self, key: str, seq) -> bool:
        if not isinstance(seq, int):
            return True
        return seq > self.versions.get(key, self.baseline)

    def _apply_card(self, card: dict, seq, force: bool) -> None:
        existing = self.document.find(card["id"])
        if not force and not self._newer(card["id"], seq):
            return
        if isinstance(seq, int):
            self.versions[card["id"]] = seq
        if card.get("remove"):
            if existing is not None:
                existing.remove()
            return
        elements = parse(card["html"].strip())
        if not elements:
            return
        element = elements[0]
        if existing is not None:
            existing.replace_with(element)
        elif card.get("into"):
            selector = card["into"]
            assert re.fullmatch(r"#[\w-]+", selector), f"the model places by id only: {selector}"
            container = self.document.find(selector[1:])
            if container is None:
                self.unplaced.append(card["id"])
                return
            container.insert(element, card.get("where") or "beforeend")

    def _swap_blocks(self, html: str, seq, force: bool) -> None:
        for block in parse(html):
            if not block.id:
                continue
            markup = repr(_shape(block))
            key = "#" + block.id
            if (not force and not self._newer(key, seq)) or (
                force and self.shown.get(block.id) == markup
            ):
                continue
            if isinstance(seq, int):
                self.versions[key] = seq
            self.shown[block.id] = markup
            target = self.document.find(block.id)
            if target is not None:  # htmx swaps out of band by id, or not at all
                target.replace_with(block)

    def _counted(self, seq) -> None:
        if not self.strict or not isinstance(seq, int) or seq <= self.upto:
            return
        self.seen.add(seq)
        while self.upto + 1 in self.seen:
            self.seen.discard(self.upto + 1)
            self.upto += 1
        if self.seen and "gap" not in self.timers:
            self._later("gap", GAP_WAIT)

    def _caught_up(self, upto) -> None:
        self.resuming = False
        self.timers.pop("resume-unanswered", None)
        if not isinstance(upto, int):
            return
        self.upto = max(self.upto, upto)
        self.seen = {seq for seq in self.seen if seq > upto}
        self._counted(upto)


def _shape(element: Element):
    """A block's markup, compared as live.js compares outerHTML."""
    return (
        element.tag,
        sorted(element.attrs.items()),
        "".join(element.text),
        [_shape(child) for child in element.children],
    )
