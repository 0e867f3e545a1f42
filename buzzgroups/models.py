"""Buzz groups, the participants in them, and the notes they write."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.models import BuzzRound, Prompt, Topic, Workshop

NOTE_MAX_LENGTH = 500
NICKNAME_MAX_LENGTH = 40
GROUP_NAME_MAX_LENGTH = 60


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
    connections = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["workshop", "joined_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.nickname or _("Participant %(number)s") % {"number": self.pk}


class Note(models.Model):
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
    def byline(self) -> str:
        """Who the room sees as the writer: the group, and a nickname if one was given."""
        if self.author_id and self.author.nickname:
            return f"{self.group.name} · {self.author.nickname}"
        return self.group.name
