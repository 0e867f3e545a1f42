"""Forget the participants of workshops that ended more than SUMMA_RETENTION_DAYS ago.

Run it daily (cron or a systemd timer); docs/security.md explains what is kept.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buzzgroups.services import participants_purge
from sessions.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Remove the participants (and their nicknames) of workshops that ended long enough ago; "
        "their notes stay, without an author."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=gettext_lazy("days after a workshop ends (default: SUMMA_RETENTION_DAYS)"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("count what would be removed and remove nothing"),
        )

    def handle(self, *args, **options):
        days = settings.SUMMA_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError(_("--days must be 0 or more"))
        counts = participants_purge(days=days, dry_run=options["dry_run"])
        message = (
            _("Would remove %(participants)s participants of %(workshops)s workshops.")
            if options["dry_run"]
            else _("Removed %(participants)s participants of %(workshops)s workshops.")
        )
        self.stdout.write(message % counts)
