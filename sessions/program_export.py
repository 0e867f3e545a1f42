"""A workshop's agenda as a program: the text a facilitator imports, written back."""

from django.db.models import Prefetch
from django.utils.text import slugify

from sessions.models import Topic, Workshop
from sessions.program import Point, Program, ProgramItem, ProgramTopic, format_program


def workshop_program(workshop: Workshop) -> Program:
    items = workshop.items.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("position")), "buzz_rounds"
    ).order_by("number")
    return Program(
        title=workshop.title,
        items=[
            ProgramItem(
                number=item.number,
                title=item.title,
                body=list(item.body),
                points=[Point(label=p.get("label") or None, text=p["text"]) for p in item.points],
                topics=[
                    ProgramTopic(name=t.name, description=t.description) for t in item.topics.all()
                ],
                buzz_groups=bool(item.buzz_rounds.all()),
            )
            for item in items
        ],
    )


def program_text(workshop: Workshop) -> str:
    return format_program(workshop_program(workshop), language=workshop.language)


def program_filename(workshop: Workshop) -> str:
    return f"{slugify(workshop.title)[:60] or 'program'}-{workshop.join_code}.txt"
