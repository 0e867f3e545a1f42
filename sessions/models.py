"""The workshop, its agenda and the run of the show."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No 0/O, 1/I/L: a code read off a projector must not be misread.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def default_participant_cap() -> int:
    return settings.SUMMA_MAX_PARTICIPANTS


def normalise_join_code(text: str) -> str:
    """What a person typed, as a join code: no spaces or dashes, upper case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


# The most buzz groups a workshop can have (and the wall can reveal).
MAX_GROUPS = 100


class Workshop(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Not started")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    class WallLayout(models.TextChoices):
        GROUPS = "groups", _("A column per group")
        PROMPTS = "prompts", _("A column per prompt")
        THEMES = "themes", _("A card per theme")

    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="nb"
    )
    join_code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.CASCADE,
        related_name="workshops",
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    current_item = models.ForeignKey(
        "AgendaItem",
        verbose_name=_("current agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    group_count = models.PositiveSmallIntegerField(_("number of buzz groups"), default=4)
    wall_layout = models.CharField(
        _("wall layout"), max_length=10, choices=WallLayout, default=WallLayout.GROUPS
    )
    # New notes wait for a facilitator's or moderator's approval before the room sees them.
    hold_notes = models.BooleanField(_("hold new notes for approval"), default=False)
    # How many groups the wall shows (in group order); empty shows all.
    wall_revealed_groups = models.PositiveSmallIntegerField(
        _("groups revealed on the wall"), null=True, blank=True
    )
    # The facilitator's controls against a flood of joins (docs/security.md):
    # at most this many participants, and no new ones while the room is locked.
    participant_cap = models.PositiveIntegerField(
        _("most participants"), default=default_participant_cap
    )
    room_locked = models.BooleanField(_("room locked"), default=False)
    # The theme the wall shows large (1 is the first in order); empty shows them all.
    wall_theme_step = models.PositiveSmallIntegerField(
        _("theme shown large on the wall"), null=True, blank=True
    )
    # The last sequence number handed to a broadcast (see sessions.broadcast).
    seq = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return f"{self.title} ({self.join_code})"

    @property
    def is_ended(self) -> bool:
        return self.state == self.State.ENDED

    def seconds_on_item(self, item: "AgendaItem") -> int:
        """Time spent on an item so far, counting the stretch it is current now."""
        seconds = item.actual_seconds
        if self.current_item_id == item.pk and self.item_started_at:
            seconds += int((timezone.now() - self.item_started_at).total_seconds())
        return seconds


class Membership(models.Model):
    """Someone other than the owner who helps run a workshop (see sessions.access)."""

    class Role(models.TextChoices):
        COFACILITATOR = "cofacilitator", _("Co-facilitator")
        MODERATOR = "moderator", _("Moderator")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.CASCADE,
        related_name="workshop_memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["workshop", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="membership_unique")
        ]
        verbose_name = _("co-facilitator or moderator")
        verbose_name_plural = _("co-facilitators and moderators")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class AgendaItem(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    # Paragraphs of body text, in order.
    body = models.JSONField(_("body"), default=list, blank=True)
    # [{"label": str | None, "text": str}, ...]
    points = models.JSONField(_("points"), default=list, blank=True)
    planned_minutes = models.PositiveSmallIntegerField(_("planned minutes"), null=True, blank=True)
    # Time spent on the item in earlier stretches (see Workshop.seconds_on_item).
    actual_seconds = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="agenda_number_unique")
        ]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Topic(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class BuzzRound(models.Model):
    """A buzz-group segment of an agenda item: the groups talk and write notes."""

    class State(models.TextChoices):
        READY = "ready", _("Not started")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="buzz_rounds")
    position = models.PositiveSmallIntegerField(default=0)
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=10)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.READY)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("buzz round")
        verbose_name_plural = _("buzz rounds")

    def __str__(self) -> str:
        return f"{self.item} · {_('buzz round')} {self.position + 1}"

    def is_accepting_notes(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == self.State.OPEN and (self.closes_at is None or now < self.closes_at)

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.state == self.State.OPEN and self.closes_at is not None and now >= self.closes_at
        )

    def seconds_left(self, now=None) -> int:
        if self.state != self.State.OPEN or self.closes_at is None:
            return 0
        now = now or timezone.now()
        return max(0, int((self.closes_at - now).total_seconds()))


class Prompt(models.Model):
    """What the groups write about in a round: "Use cases", "Challenges", ..."""

    round = models.ForeignKey(BuzzRound, on_delete=models.CASCADE, related_name="prompts")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=100)

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("prompt")
        verbose_name_plural = _("prompts")

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """One broadcast, kept so a screen that reconnects can ask for what it missed.

    ``seq`` runs 1, 2, 3, ... per workshop; ``kind`` says what happened
    (``note.added``, ``show.changed``, ...) and ``ref_id`` to what.
    """

    class Kind(models.TextChoices):
        """Every kind of event, declared once; ``sessions.broadcast.renderer(kind)``
        registers what renders each (``buzzgroups/live.py``, ``vote_live.py``,
        ``theme_live.py``), and a kind without a renderer is a failing test."""

        NOTE_ADDED = "note.added", "a note was written"
        NOTE_CHANGED = "note.changed", "a note was edited, hidden, highlighted or approved"
        NOTE_DELETED = "note.deleted", "a note was deleted"
        GROUP_CHANGED = "group.changed", "a group's people or name changed"
        SHOW_CHANGED = "show.changed", "the show moved: item, round, timer or state"
        WALL_CHANGED = "wall.changed", "the wall's layout, reveal or groups changed"
        THEMES_CHANGED = "themes.changed", "a round's themes changed"
        VOTE_OPENED = "vote.opened", "a dot vote opened"
        VOTE_CHANGED = "vote.changed", "dots moved in a vote"
        VOTE_CLOSED = "vote.closed", "a dot vote closed"
        VOTE_REVEALED = "vote.revealed", "a vote's results were shown or hidden on the phones"

    class Audience(models.TextChoices):
        ALL = "all", "all"  # the wall, the console and every phone
        SCREENS = "screens", "screens"  # the wall and the console
        GROUP = "group", "group"  # the wall, the console and one group's phones

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40, choices=Kind)
    audience = models.CharField(max_length=10, choices=Audience)
    group_id = models.BigIntegerField(null=True, blank=True)
    ref_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workshop", "seq"]
        constraints = [models.UniqueConstraint(fields=["workshop", "seq"], name="event_seq_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"
