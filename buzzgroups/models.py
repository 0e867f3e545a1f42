"""Buzz groups, the participants in them, and the notes they write."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.models import AgendaItem, BuzzRound, Prompt, Topic, Workshop

NOTE_MAX_LENGTH = 500
NICKNAME_MAX_LENGTH = 40
GROUP_NAME_MAX_LENGTH = 60
THEME_TITLE_MAX_LENGTH = 120


class BuzzGroup(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="buzz_groups")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=GROUP_NAME_MAX_LENGTH)

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="group_number_unique")
        ]
        verbose_name = _("buzz group")
        verbose_name_plural = _("buzz groups")

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A phone in the room. Anonymous: known only by its browser session."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    group = models.ForeignKey(
        BuzzGroup,
        verbose_name=_("buzz group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )
    nickname = models.CharField(_("nickname"), max_length=NICKNAME_MAX_LENGTH, blank=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # Open WebSockets of this phone (for "how many phones are connected").

    class Meta:
        ordering = ["workshop", "joined_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.nickname or _("Participant %(number)s") % {"number": self.pk}


class Theme(models.Model):
    """What several notes of a round say together, named by the facilitator after the round."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="themes")
    round = models.ForeignKey(
        BuzzRound, verbose_name=_("buzz round"), on_delete=models.CASCADE, related_name="themes"
    )
    title = models.CharField(_("title"), max_length=THEME_TITLE_MAX_LENGTH)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["round", "order", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.title


class Note(models.Model):
    class Approval(models.TextChoices):
        NOT_HELD = "not_held", _("Not held")
        WAITING = "waiting", _("Waiting for approval")
        APPROVED = "approved", _("Approved")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="notes")
    round = models.ForeignKey(
        BuzzRound, verbose_name=_("buzz round"), on_delete=models.CASCADE, related_name="notes"
    )
    prompt = models.ForeignKey(
        Prompt, verbose_name=_("prompt"), on_delete=models.PROTECT, related_name="notes"
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    group = models.ForeignKey(
        BuzzGroup, verbose_name=_("buzz group"), on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(
        Participant,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    text = models.TextField(_("text"), max_length=NOTE_MAX_LENGTH)
    # Made on the phone, so that a retried post never makes a second note.
    client_id = models.UUIDField(_("client id"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    highlighted = models.BooleanField(_("highlighted"), default=False)
    # At most one theme; deleting the theme releases the note.
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    # In a workshop that holds notes, a new one waits until it is approved.
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval, default=Approval.NOT_HELD
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "client_id"], name="note_client_id_unique")
        ]
        indexes = [models.Index(fields=["round", "group"])]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_waiting(self) -> bool:
        return self.approval == self.Approval.WAITING

    @property
    def byline(self) -> str:
        """Who the room sees as the writer: the group, and a nickname if one was given."""
        if self.author_id and self.author.nickname:
            return f"{self.group.name} · {self.author.nickname}"
        return self.group.name


class DotVote(models.Model):
    """Dot-voting: the room spreads a few dots over the topics of an agenda item
    or the notes of a buzz round, and the ranking shapes what is talked about next."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Voters(models.TextChoices):
        PARTICIPANT = "participant", _("Each participant")
        GROUP = "group", _("Each group")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="dot_votes")
    # What is voted on: the topics of an agenda item, or the notes of a buzz round.
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dot_votes",
    )
    round = models.ForeignKey(
        BuzzRound,
        verbose_name=_("buzz round"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dot_votes",
    )
    # On a round: its themes instead of its notes.
    on_themes = models.BooleanField(_("on the themes"), default=False)
    # On notes: nobody votes for their own group's notes.
    exclude_own_group = models.BooleanField(_("only other groups' notes"), default=False)
    dots_per_voter = models.PositiveSmallIntegerField(_("dots per voter"), default=3)
    max_per_option = models.PositiveSmallIntegerField(_("most dots on one option"), default=3)
    voters = models.CharField(
        _("who votes"), max_length=12, choices=Voters, default=Voters.PARTICIPANT
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    results_revealed = models.BooleanField(_("results shown on phones"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["workshop", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(item__isnull=False, round__isnull=True)
                    | models.Q(item__isnull=True, round__isnull=False)
                ),
                name="dot_vote_on_item_or_round",
            )
        ]
        verbose_name = _("dot vote")
        verbose_name_plural = _("dot votes")

    def __str__(self) -> str:
        return f"{_('Dot vote')} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def on_notes(self) -> bool:
        return self.round_id is not None and not self.on_themes

    @property
    def per_group(self) -> bool:
        return self.voters == self.Voters.GROUP


class Dot(models.Model):
    """One dot, on a topic, a note or a theme. A voter with three dots has up to three rows."""

    vote = models.ForeignKey(DotVote, on_delete=models.CASCADE, related_name="dots")
    # Kept (without its voter) when participant data is purged, so results stay.
    voter = models.ForeignKey(
        Participant,
        verbose_name=_("voter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dots",
    )
    # The voter's group when the dot was placed (the voter when a vote is per group).
    group = models.ForeignKey(
        BuzzGroup,
        verbose_name=_("buzz group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dots",
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="dots"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="dots"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="dots"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["vote", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(topic__isnull=False, note__isnull=True, theme__isnull=True)
                    | models.Q(topic__isnull=True, note__isnull=False, theme__isnull=True)
                    | models.Q(topic__isnull=True, note__isnull=True, theme__isnull=False)
                ),
                name="dot_on_topic_note_or_theme",
            )
        ]
        indexes = [
            models.Index(fields=["vote", "voter"], name="dot_vote_voter_idx"),
            models.Index(fields=["vote", "group"], name="dot_vote_group_idx"),
        ]
        verbose_name = _("dot")
        verbose_name_plural = _("dots")

    def __str__(self) -> str:
        return f"{self.vote} · {self.topic_id or self.note_id or self.theme_id}"
