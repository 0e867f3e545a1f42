from django.contrib import admin

from buzzgroups.models import BuzzGroup, Note, Participant


@admin.register(BuzzGroup)
class BuzzGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "workshop")
    list_filter = ("workshop",)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("__str__", "workshop", "group", "joined_at")
    list_filter = ("workshop",)


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("text", "group", "prompt", "topic", "hidden", "highlighted", "created_at")
    list_filter = ("hidden", "highlighted", "workshop")
    search_fields = ("text",)
    readonly_fields = ("client_id", "created_at", "updated_at")
