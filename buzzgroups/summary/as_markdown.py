"""The summary as Markdown, to paste into an e-mail or a wiki."""

import re
from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buzzgroups.summary.reading import (
    NoteLine,
    Summary,
    ThemeLine,
    by_group_and_prompt,
    rounds_with_themes,
    theme_notes,
)


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "date": _("Date"),
            "language": _("Language"),
            "join_code": _("Join code"),
            "agenda": _("Agenda"),
            "item": _("Item"),
            "planned": _("Planned"),
            "actual": _("Actual"),
            "minutes": _("min"),
            "groups": _("Groups"),
            "group": _("Group"),
            "participants": _("Participants"),
            "notes": _("Notes"),
            "total": _("Total"),
            "no_notes": _("No notes."),
            "hidden": _("hidden"),
            "not_approved": _("not approved"),
            "ranking": _("Ranking"),
            "topic_ranking": _("Ranking of topics"),
            "themes": _("Themes"),
            "no_theme": _("Notes in no theme"),
            "theme_ranking": _("Ranking of themes"),
            "votes": ngettext("%(count)s vote", "%(count)s votes", 1),
            "votes_plural": ngettext("%(count)s vote", "%(count)s votes", 2),
        }


def _votes_label(labels: dict[str, str], count: int) -> str:
    return (labels["votes"] if count == 1 else labels["votes_plural"]) % {"count": count}


# Characters that make Markdown or HTML anywhere in a line, and what starts a
# list, a heading or a rule at the start of one.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&|~#])")
_MARKDOWN_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def markdown_text(value: str) -> str:
    """Text as Markdown that any renderer shows as exactly that text: no emphasis, no links,
    no HTML (a note ``<script>`` or ``*very*`` is shown as written)."""
    lines = []
    for line in value.splitlines() or [""]:
        line = _MARKDOWN_INLINE.sub(r"\\\1", line.lstrip())
        line = _MARKDOWN_LINE_START.sub(
            lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), line
        )
        lines.append(line)
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text on one line of Markdown (a table cell, a heading): a line break would end it."""
    return " ".join(markdown_text(text).splitlines())


def _minutes(value: int | None, labels: dict[str, str]) -> str:
    return "–" if value is None else f"{value} {labels['minutes']}"


def markdown_chunks(summary: Summary) -> Iterator[str]:
    """The summary as Markdown, to paste into an e-mail or a wiki."""
    labels = _labels(summary.language)
    yield f"# {_cell(summary.title)}\n\n"
    yield (
        f"{labels['date']}: {summary.date_display} · {labels['language']}: "
        f"{summary.language_name} · {labels['join_code']}: {summary.join_code}\n\n"
    )
    yield f"## {labels['agenda']}\n\n"
    yield f"| # | {labels['item']} | {labels['planned']} | {labels['actual']} |\n"
    yield "|---:|---|---:|---:|\n"
    for item in summary.agenda:
        yield (
            f"| {item.number} | {_cell(item.title)} | {_minutes(item.planned_minutes, labels)} "
            f"| {_minutes(item.actual_minutes, labels)} |\n"
        )
    yield f"\n## {labels['groups']}\n\n"
    yield f"| {labels['group']} | {labels['participants']} | {labels['notes']} |\n"
    yield "|---|---:|---:|\n"
    for group in summary.groups:
        yield f"| {_cell(group.name)} | {group.participants} | {group.notes} |\n"
    yield f"| **{labels['total']}** | {summary.participants} | {summary.notes} |\n"
    for buzz_round, themes, loose, notes in rounds_with_themes(summary):
        yield f"\n## {_cell(buzz_round.heading)}\n"
        if not buzz_round.notes:
            yield f"\n{labels['no_notes']}\n"
            continue
        if themes:
            yield from _markdown_themes(summary, themes, labels)
            if loose:
                yield f"\n### {labels['no_theme']}\n"
        for group, prompts in by_group_and_prompt(notes):
            yield f"\n### {_cell(group)}\n"
            for prompt, prompt_notes in prompts:
                yield f"\n**{_cell(prompt)}**\n\n"
                for note in prompt_notes:
                    yield _markdown_note(note, labels)
    if summary.ranking:
        yield f"\n## {labels['ranking']}\n\n"
        for line in summary.ranking:
            text = _cell(line.note.text)
            votes = _votes_label(labels, line.note.votes)
            yield f"{line.rank}. {text} — {_cell(line.note.group)} — {votes}\n"
    for topics in summary.topic_rankings:
        yield f"\n## {labels['topic_ranking']}: {_cell(topics.heading)}\n\n"
        for line in topics.ranking:
            topic = _cell(line.topic)
            yield f"{line.rank}. {topic} — {_votes_label(labels, line.votes)}\n"
    for themes in summary.theme_rankings:
        yield f"\n## {labels['theme_ranking']}: {_cell(themes.heading)}\n\n"
        for line in themes.ranking:
            yield f"{line.rank}. {_cell(line.topic)} — {_votes_label(labels, line.votes)}\n"


def _markdown_themes(summary: Summary, themes: list[ThemeLine], labels: dict[str, str]):
    """A round's themes in their order, each with its votes and its notes."""
    yield f"\n### {labels['themes']}\n"
    for theme in themes:
        votes = f" — {_votes_label(labels, theme.votes)}" if theme.votes else ""
        yield f"\n#### {theme.order}. {_cell(theme.title)}{votes}\n\n"
        for note in theme_notes(summary, theme):
            source = f"{_cell(note.group)} · {_cell(note.prompt)}"
            yield _markdown_note(note, labels, source=source)


def _markdown_note(note: NoteLine, labels: dict[str, str], source: str = "") -> str:
    star = "★ " if note.highlighted else ""
    # Lines after the first stay inside the list item; two spaces keep the line break.
    text = "  \n  ".join(markdown_text(note.text).splitlines())
    extra = [source] if source else []
    if note.topic:
        extra.append(f"_{_cell(note.topic)}_")
    if note.votes:
        extra.append(_votes_label(labels, note.votes))
    if note.hidden:
        extra.append(f"({labels['hidden']})")
    if not note.approved:
        extra.append(f"({labels['not_approved']})")
    return f"- {star}{text}" + (f" — {' · '.join(extra)}" if extra else "") + "\n"
