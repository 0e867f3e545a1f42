"""The summary as the JSON document of docs/export.md."""

import json
from collections.abc import Iterator

from buzzgroups.summary.reading import NoteLine, Summary, summary_notes


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_chunks(summary: Summary) -> Iterator[str]:
    """The JSON document of docs/export.md, written a note at a time."""
    workshop = {
        "title": summary.title,
        "join_code": summary.join_code,
        "language": summary.language,
        "date": summary.date.isoformat(),
    }
    agenda = [
        {
            "number": item.number,
            "title": item.title,
            "planned_minutes": item.planned_minutes,
            "actual_minutes": item.actual_minutes,
        }
        for item in summary.agenda
    ]
    groups = [
        {"name": group.name, "participants": group.participants, "notes": group.notes}
        for group in summary.groups
    ]
    yield f'{{"workshop": {_json(workshop)},\n"agenda": {_json(agenda)},\n'
    yield f'"groups": {_json(groups)},\n"notes": ['
    separator = "\n"
    for note in summary_notes(summary):
        yield separator + _json(_json_note(note))
        separator = ",\n"
    ranking = [
        {
            "rank": line.rank,
            "id": line.note.id,
            "group": line.note.group,
            "text": line.note.text,
            "votes": line.note.votes,
        }
        for line in summary.ranking
    ]
    topics = [
        {
            "agenda_number": topics.agenda_number,
            "heading": topics.heading,
            "ranking": [
                {"rank": line.rank, "topic": line.topic, "votes": line.votes}
                for line in topics.ranking
            ],
        }
        for topics in summary.topic_rankings
    ]
    themes = [
        {
            "id": theme.id,
            "round": theme.round_id,
            "title": theme.title,
            "order": theme.order,
            "note_ids": list(theme.note_ids),
            "votes": theme.votes,
        }
        for theme in summary.themes
    ]
    yield f'\n],\n"ranking": {_json(ranking)},\n"topic_rankings": {_json(topics)},\n'
    yield f'"themes": {_json(themes)}}}\n'


def _json_note(note: NoteLine) -> dict:
    return {
        "id": note.id,
        "group": note.group,
        "agenda_number": note.agenda_number,
        "prompt": note.prompt,
        "topic": note.topic,
        "text": note.text,
        "votes": note.votes,
        "hidden": note.hidden,
        "highlighted": note.highlighted,
        "created_at": note.created_at,
        "theme": note.theme_id,
        "approved": note.approved,
    }
