"""Reads the plain-text program format our facilitators write.

    Heading of the program
    1. Title of the first agenda item
    - a point
    - Label: a point with a label
    Topic. A paragraph that opens with a short label is a topic of the item.
    Any other line is a paragraph of the item's body.
    Summegrupper            (or "Buzz groups": a buzz-group segment ends the item)
    2. Next item ...

Nothing here touches the database: ``parse_program`` gives a ``Program`` or
raises ``ProgramError`` naming the line that could not be read.
"""

import re
from dataclasses import asdict, dataclass, field

MAX_PROGRAM_BYTES = 1024 * 1024
MAX_TOPIC_WORDS = 3
MAX_LABEL_WORDS = 6

ITEM_LINE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
BUZZ_LINE = re.compile(r"^(summegrupper|buzz[ -]?groups)\s*:?$", re.IGNORECASE)
POINT_LINE = re.compile(r"^[-–•*]\s+(\S.*)$")


class ProgramError(ValueError):
    """A program file that cannot be taken, with the line that says why."""

    def __init__(self, line: int | None, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclass
class Point:
    label: str | None
    text: str


@dataclass
class ProgramTopic:
    name: str
    description: str


@dataclass
class ProgramItem:
    number: int
    title: str
    body: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    topics: list[ProgramTopic] = field(default_factory=list)
    buzz_groups: bool = False


@dataclass
class Program:
    title: str
    items: list[ProgramItem]

    def as_dict(self) -> dict:
        return asdict(self)


def decode_program(data: bytes) -> str:
    """The text of a program file: UTF-8 with or without a byte-order mark."""
    if len(data) > MAX_PROGRAM_BYTES:
        raise ProgramError(
            None,
            f"the file is {len(data) / 1024 / 1024:.1f} MB; a program may be at most "
            f"{MAX_PROGRAM_BYTES // 1024 // 1024} MB",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ProgramError(line, "the file is not UTF-8 text; save it as UTF-8") from None


def parse_program(text: str) -> Program:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise ProgramError(1, "the file is empty")

    title = ""
    first_line, first = numbered[0]
    if not ITEM_LINE.match(first):
        title = first
        numbered = numbered[1:]

    items: list[ProgramItem] = []
    for line_no, line in numbered:
        if "\x00" in line:
            raise ProgramError(line_no, "the line holds a NUL character")
        if match := ITEM_LINE.match(line):
            number = int(match.group(1))
            expected = len(items) + 1
            if number != expected:
                raise ProgramError(line_no, f"expected agenda item {expected}, found item {number}")
            items.append(ProgramItem(number=number, title=match.group(2).strip()))
            continue
        if not items:
            raise ProgramError(
                line_no, "text before the first agenda item; start the agenda with '1. Title'"
            )
        item = items[-1]
        if BUZZ_LINE.match(line):
            if item.buzz_groups:
                raise ProgramError(line_no, "this agenda item already has a buzz-group segment")
            item.buzz_groups = True
        elif match := POINT_LINE.match(line):
            item.points.append(_point(match.group(1)))
        elif topic := _topic(line):
            item.topics.append(topic)
        else:
            item.body.append(line)

    if not items:
        raise ProgramError(first_line, "no numbered agenda item (a line like '1. Title')")
    return Program(title=title, items=items)


def _point(text: str) -> Point:
    label, sep, rest = text.partition(": ")
    label = label.strip()
    if sep and rest.strip() and label and len(label.split()) <= MAX_LABEL_WORDS:
        return Point(label=label, text=rest.strip())
    return Point(label=None, text=text.strip())


def _topic(line: str) -> ProgramTopic | None:
    name, sep, description = line.partition(". ")
    name = name.strip()
    if not sep or not description.strip() or not name:
        return None
    if len(name.split()) > MAX_TOPIC_WORDS or any(ch in name for ch in ":;,!?"):
        return None
    return ProgramTopic(name=name, description=description.strip())
