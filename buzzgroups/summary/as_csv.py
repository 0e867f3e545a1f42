"""The summary as CSV: one row per note, for a spreadsheet."""

import csv
from collections.abc import Iterator

from buzzgroups.summary.reading import Summary, summary_notes

CSV_COLUMNS = (
    "id",
    "group",
    "agenda_number",
    "prompt",
    "topic",
    "text",
    "votes",
    "hidden",
    "highlighted",
    "created_at",
    "theme",
    "approved",
)
# A spreadsheet reads a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Line:
    """A file for csv.writer that hands each row back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_rows(summary: Summary) -> Iterator[list]:
    """The header, then one row per note."""
    yield list(CSV_COLUMNS)
    for note in summary_notes(summary):
        yield [
            note.id,
            neutralise(note.group),
            note.agenda_number,
            neutralise(note.prompt),
            neutralise(note.topic or ""),
            neutralise(note.text),
            note.votes,
            "true" if note.hidden else "false",
            "true" if note.highlighted else "false",
            note.created_at,
            neutralise(note.theme or ""),
            "true" if note.approved else "false",
        ]


def csv_chunks(summary: Summary) -> Iterator[str]:
    """The CSV text, with a byte-order mark so that Excel reads it as UTF-8."""
    writer = csv.writer(_Line())
    yield "\ufeff"
    for row in csv_rows(summary):
        yield writer.writerow(row)
