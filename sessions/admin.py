"""The admin shows workshops and their agendas, and changes nothing: every write goes
through the services, which broadcast it (an admin edit would skip the screens).
Edit the agenda in the app (/w/CODE/agenda/) and share a workshop on /w/CODE/people/."""

from django.contrib import admin

from sessions.models import AgendaItem, BuzzRound, Event, Membership, Prompt, Topic, Workshop


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgendaItemInline(ReadOnly, admin.TabularInline):
    model = AgendaItem
    fields = ("number", "title", "planned_minutes")
    extra = 0
    show_change_link = True


class MembershipInline(ReadOnly, admin.TabularInline):
    model = Membership
    fields = ("user", "role", "added_at")
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "join_code", "owner", "language", "state", "created_at")
    list_filter = ("state", "language")
    search_fields = ("title", "join_code", "owner__username")
    inlines = [MembershipInline, AgendaItemInline]


class TopicInline(ReadOnly, admin.TabularInline):
    model = Topic
    extra = 0


class BuzzRoundInline(ReadOnly, admin.TabularInline):
    model = BuzzRound
    fields = ("position", "duration_minutes", "state", "opened_at", "closes_at", "closed_at")
    extra = 0
    show_change_link = True


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "workshop", "planned_minutes")
    list_filter = ("workshop",)
    inlines = [TopicInline, BuzzRoundInline]


class PromptInline(ReadOnly, admin.TabularInline):
    model = Prompt
    extra = 0


@admin.register(BuzzRound)
class BuzzRoundAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "state", "duration_minutes", "opened_at", "closes_at")
    list_filter = ("state",)
    inlines = [PromptInline]


@admin.register(Event)
class EventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("workshop", "seq", "kind", "audience", "group_id", "ref_id", "created_at")
    list_filter = ("kind", "audience")
