"""Every kind of event is declared once (``Event.Kind``), and each has what renders it."""

import pytest
from django.db import transaction

from sessions import broadcast
from sessions.models import Event


def test_every_declared_kind_has_a_renderer():
    missing = [kind for kind in Event.Kind if broadcast.renderer_of(kind) is None]
    assert missing == []


def test_a_kind_has_one_renderer_and_an_undeclared_kind_none():
    with pytest.raises(ValueError, match="already renders"):
        broadcast.renderer(Event.Kind.NOTE_ADDED)(lambda event, role: None)
    with pytest.raises(ValueError):
        broadcast.renderer("note.scribbled")


@pytest.mark.django_db
def test_publishing_an_undeclared_kind_is_refused_and_records_nothing(workshop):
    with pytest.raises(ValueError), transaction.atomic():
        broadcast.publish(workshop, "note.scribbled")
    assert not Event.objects.filter(workshop=workshop).exists()
    workshop.refresh_from_db()
    assert workshop.seq == 0
