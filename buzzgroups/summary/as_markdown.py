"""The summary as Markdown, to paste into an e-mail or a wiki."""

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


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a pipe or a line break would end the cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _minutes(value: int | None, labels: dict[str, str]) -> str:
    return "–" if value is None else f"{value} {labels['minutes']}"


def markdown_chunks(summary: Summary) -> Iterator[str]:
    """The summary as Markdown, to paste into an e-mail or a wiki."""
    labels = _labels(summary.language)
    yield f"# {summary.title}\n\n"
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
        yield f"\n## {buzz_round.heading}\n"
        if not buzz_round.notes:
            yield f"\n{labels['no_notes']}\n"
            continue
        if themes:
            yield from _markdown_themes(summary, themes, labels)
            if loose:
                yield f"\n### {labels['no_theme']}\n"
        for group, prompts in by_group_and_prompt(notes):
            yield f"\n### {group}\n"
            for prompt, prompt_notes in prompts:
                yield f"\n**{prompt}**\n\n"
                for note in prompt_notes:
                    yield _markdown_note(note, labels)
    if summary.ranking:
        yield f"\n## {labels['ranking']}\n\n"
        for line in summary.ranking:
            text = line.note.text.replace("\n", " ")
            votes = _votes_label(labels, line.note.votes)
            yield f"{line.rank}. {text} — {line.note.group} — {votes}\n"
    for topics in summary.topic_rankings:
        yield f"\n## {labels['topic_ranking']}: {topics.heading}\n\n"
        for line in topics.ranking:
            yield f"{line.rank}. {line.topic} — {_votes_label(labels, line.votes)}\n"
    for themes in summary.theme_rankings:
        yield f"\n## {labels['theme_ranking']}: {themes.heading}\n\n"
        for line in themes.ranking:
            yield f"{line.rank}. {line.topic} — {_votes_label(labels, line.votes)}\n"


def _markdown_themes(summary: Summary, themes: list[ThemeLine], labels: dict[str, str]):
    """A round's themes in their order, each with its votes and its notes."""
    yield f"\n### {labels['themes']}\n"
    for theme in themes:
        votes = f" — {_votes_label(labels, theme.votes)}" if theme.votes else ""
        yield f"\n#### {theme.order}. {theme.title}{votes}\n\n"
        for note in theme_notes(summary, theme):
            yield _markdown_note(note, labels, source=f"{note.group} · {note.prompt}")


def _markdown_note(note: NoteLine, labels: dict[str, str], source: str = "") -> str:
    star = "★ " if note.highlighted else ""
    # Lines after the first stay inside the list item; two spaces keep the line break.
    text = "  \n  ".join(note.text.splitlines())
    extra = [source] if source else []
    if note.topic:
        extra.append(f"_{note.topic}_")
    if note.votes:
        extra.append(_votes_label(labels, note.votes))
    if note.hidden:
        extra.append(f"({labels['hidden']})")
    return f"- {star}{text}" + (f" — {' · '.join(extra)}" if extra else "") + "\n"
