"""The session summary: everything the room produced, read from the database and
written out as Markdown, CSV, JSON, a printable HTML page or a PDF.

One module reads the workshop (``reading``), one module per format writes it
out (``as_markdown``, ``as_csv``, ``as_json``, ``as_html`` with the PDF). Each
text format is a generator of ``str`` chunks, so a workshop with 10,000 notes
is never in memory as a whole. The PDF is the exception: WeasyPrint lays out
the whole document, so it is built from the same HTML chunks in one go.

Labels follow the workshop's language, not the reader's: the summary is sent
on to the people who were in the room.
"""

from collections.abc import Generator

from buzzgroups.summary.as_csv import CSV_COLUMNS, csv_chunks, csv_rows, neutralise
from buzzgroups.summary.as_html import STYLESHEET, html_chunks, pdf_bytes
from buzzgroups.summary.as_json import json_chunks
from buzzgroups.summary.as_markdown import markdown_chunks, markdown_text
from buzzgroups.summary.reading import (
    Summary,
    buffered,
    build_summary,
    is_rtl,
    summary_notes,
    topic_rankings,
    vote_counts,
)
from sessions.models import Workshop

__all__ = [
    "CONTENT_TYPES",
    "CSV_COLUMNS",
    "FORMATS",
    "STYLESHEET",
    "Summary",
    "build_summary",
    "csv_chunks",
    "csv_rows",
    "filename",
    "html_chunks",
    "is_rtl",
    "json_chunks",
    "markdown_chunks",
    "markdown_text",
    "neutralise",
    "pdf_bytes",
    "summary_notes",
    "text_chunks",
    "topic_rankings",
    "vote_counts",
]

FORMATS = ("md", "csv", "json", "html", "pdf")
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def text_chunks(
    summary: Summary, fmt: str, *, stylesheet_url: str | None = None
) -> Generator[str, None, None]:
    """A text format as chunks of about CHUNK_CHARS characters."""
    if fmt == "md":
        chunks = markdown_chunks(summary)
    elif fmt == "csv":
        chunks = csv_chunks(summary)
    elif fmt == "json":
        chunks = json_chunks(summary)
    elif fmt == "html":
        chunks = html_chunks(summary, stylesheet_url=stylesheet_url)
    else:
        raise ValueError(f"not a text format: {fmt!r}")
    return buffered(chunks)


def filename(workshop: Workshop, fmt: str) -> str:
    return f"summa-{workshop.join_code}.{fmt}"
