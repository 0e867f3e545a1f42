"""The admin shows groups, participants and notes, and changes nothing, as the
workshops' admin does (sessions/admin.py): every write goes through the services,
which broadcast it to the screens; an admin edit would skip them. Moderate from
the console, remove people on /w/CODE/groups/."""

from django.contrib import admin

from buzzgroups.models import BuzzGroup, Note, Participant
from sessions.admin import ReadOnly


@admin.register(BuzzGroup)
class BuzzGroupAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "number", "workshop")
    list_filter = ("workshop",)


@admin.register(Participant)
class ParticipantAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "workshop", "group", "joined_at")
    list_filter = ("workshop",)


@admin.register(Note)
class NoteAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("text", "group", "prompt", "topic", "hidden", "highlighted", "created_at")
    list_filter = ("hidden", "highlighted", "workshop")
    search_fields = ("text",)
