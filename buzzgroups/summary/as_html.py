"""The summary as a printable HTML page, and the PDF made from it."""

import threading
from collections.abc import Iterator

from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils import translation

from buzzgroups.summary.reading import (
    Summary,
    by_group_and_prompt,
    rounds_with_themes,
    theme_notes,
)

TEMPLATE = "buzzgroups/summary.html"
STYLESHEET = "summa/summary.css"


def html_chunks(summary: Summary, *, stylesheet_url: str | None = None) -> Iterator[str]:
    """The printable page, a group at a time, from the partials of one template.

    With ``stylesheet_url`` the page links its stylesheet (served by the site,
    which allows no inline style); without, the stylesheet is written into the
    page, so that a saved file or the PDF stands on its own.
    """
    css = None if stylesheet_url else _stylesheet()
    language = summary.language
    context = {"summary": summary, "stylesheet_url": stylesheet_url, "css": css}
    yield _render("page_start", context, language)
    for buzz_round, themes, loose, notes in rounds_with_themes(summary):
        yield _render("round", {"round": buzz_round}, language)
        if themes and buzz_round.notes:
            block = [(theme, list(theme_notes(summary, theme))) for theme in themes]
            yield _render("themes", {"themes": block, "loose": loose}, language)
        for group, prompts in by_group_and_prompt(notes):
            block = [(prompt, list(prompt_notes)) for prompt, prompt_notes in prompts]
            yield _render("group", {"group": group, "prompts": block}, language)
    yield _render("page_end", context, language)


def _render(partial: str, context: dict, language: str) -> str:
    # The override is entered and left within one call: a generator that held
    # it across a yield would leak the language into whoever runs in between.
    with translation.override(language):
        return get_template(f"{TEMPLATE}#{partial}").render(context)


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    with open(path, encoding="utf-8") as css:
        return css.read()


# WeasyPrint leans on Pango and fontconfig, which are not safe to drive from
# several threads at once; one PDF at a time also caps the memory it takes.
_pdf_lock = threading.Lock()


def pdf_bytes(summary: Summary) -> bytes:
    """The printable page as an A4 PDF with page numbers."""
    import weasyprint  # imported late: it takes a while and only the PDF needs it

    html = "".join(html_chunks(summary))
    with _pdf_lock:
        return weasyprint.HTML(string=html).write_pdf()
