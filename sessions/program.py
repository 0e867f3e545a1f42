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
raises ``ProgramError`` naming the line that could not be read, and
``format_program`` writes a ``Program`` back as text that parses to the same.
"""

import codecs
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

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
        super().__init__(
            _("line %(line)s: %(reason)s") % {"line": line, "reason": reason} if line else reason
        )


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
            _("the file is %(size).1f MB; a program may be at most %(max)s MB")
            % {"size": len(data) / 1024 / 1024, "max": MAX_PROGRAM_BYTES // 1024 // 1024},
        )
    # Strip the BOM ourselves: "utf-8-sig" reports error offsets without it,
    # which would name the wrong line for a bad byte early in the file.
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ProgramError(line, _("the file is not UTF-8 text; save it as UTF-8")) from None


def parse_program(text: str) -> Program:
    text = text.removeprefix("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise ProgramError(1, _("the file is empty"))
    for line_no, line in numbered:
        if "\x00" in line:
            raise ProgramError(line_no, _("the line holds a NUL character"))

    first_line, first = numbered[0]
    title = ""
    if not _starts_agenda(first, numbered[1:]):
        title = first
        numbered = numbered[1:]
    if not any(ITEM_LINE.match(line) for _line_no, line in numbered):
        raise ProgramError(first_line, _("no numbered agenda item (a line like '1. Title')"))

    items: list[ProgramItem] = []
    for line_no, line in numbered:
        if match := ITEM_LINE.match(line):
            number = int(match.group(1))
            expected = len(items) + 1
            if number != expected:
                raise ProgramError(
                    line_no,
                    _("expected agenda item %(expected)s, found item %(number)s")
                    % {"expected": expected, "number": number},
                )
            items.append(ProgramItem(number=number, title=match.group(2).strip()))
            continue
        if not items:
            raise ProgramError(
                line_no, _("text before the first agenda item; start the agenda with '1. Title'")
            )
        item = items[-1]
        if BUZZ_LINE.match(line):
            if item.buzz_groups:
                raise ProgramError(line_no, _("this agenda item already has a buzz-group segment"))
            item.buzz_groups = True
        elif match := POINT_LINE.match(line):
            item.points.append(_point(match.group(1)))
        elif topic := _topic(line):
            item.topics.append(topic)
        else:
            item.body.append(line)
    return Program(title=title, items=items)


BUZZ_MARKERS = {"nb": "Summegrupper", "en": "Buzz groups"}


def format_program(program: Program, *, language: str = "nb") -> str:
    """The program as text in the import format; ``parse_program`` reads it back as it was.

    Within an item the model keeps body, points and topics apart, so they are
    written in that order, then the buzz-group marker.
    """
    lines = [program.title] if program.title else []
    for number, item in enumerate(program.items, start=1):
        if lines:
            lines.append("")
        lines.append(f"{number}. {item.title}")
        lines.extend(item.body)
        for point in item.points:
            lines.append(f"- {point.label}: {point.text}" if point.label else f"- {point.text}")
        lines.extend(f"{topic.name}. {topic.description}" for topic in item.topics)
        if item.buzz_groups:
            lines.append(BUZZ_MARKERS.get(language, BUZZ_MARKERS["nb"]))
    return "\n".join(lines) + "\n"


def line_kind(line: str) -> str:
    """How the format reads one line inside an item: item, buzz, point, topic or body."""
    line = line.strip()
    if ITEM_LINE.match(line):
        return "item"
    if BUZZ_LINE.match(line):
        return "buzz"
    if POINT_LINE.match(line):
        return "point"
    if _topic(line):
        return "topic"
    return "body"


def read_point(text: str) -> Point:
    """A point as written after its bullet: ``Label: text`` or just ``text``."""
    return _point(text.strip())


def read_topic(text: str) -> ProgramTopic | None:
    """A topic line, ``Name. Description``; None if the format would not read it as one."""
    return _topic(text.strip())


def _starts_agenda(first: str, rest: list[tuple[int, str]]) -> bool:
    """Whether the first line is agenda item 1 rather than the program's heading.

    The first line is the heading, unless it reads "1. Title" and no later line
    starts item 1 too: then the program simply has no heading. A heading such as
    "12. samling: Sosiale medier" stays a heading.
    """
    match = ITEM_LINE.match(first)
    if not match or int(match.group(1)) != 1:
        return False
    for _line_no, line in rest:
        if later := ITEM_LINE.match(line):
            return int(later.group(1)) != 1
    return True


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
