from django.contrib import admin

from sessions.models import AgendaItem, BuzzRound, Event, Prompt, Topic, Workshop


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("number", "title", "planned_minutes")
    extra = 0
    show_change_link = True


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title", "join_code", "owner", "language", "state", "created_at")
    list_filter = ("state", "language")
    search_fields = ("title", "join_code", "owner__username")
    readonly_fields = ("join_code", "seq", "created_at", "started_at", "ended_at")
    inlines = [AgendaItemInline]


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


class BuzzRoundInline(admin.TabularInline):
    model = BuzzRound
    fields = ("position", "duration_minutes", "state", "opened_at", "closes_at", "closed_at")
    readonly_fields = ("opened_at", "closes_at", "closed_at")
    extra = 0
    show_change_link = True


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "workshop", "planned_minutes")
    list_filter = ("workshop",)
    inlines = [TopicInline, BuzzRoundInline]


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0


@admin.register(BuzzRound)
class BuzzRoundAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state", "duration_minutes", "opened_at", "closes_at")
    list_filter = ("state",)
    inlines = [PromptInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("workshop", "seq", "kind", "audience", "group_id", "ref_id", "created_at")
    list_filter = ("kind", "audience")

    def has_change_permission(self, request, obj=None):
        return False  # the broadcast log is history
