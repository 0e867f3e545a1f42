"""Rehearse a workshop with simulated phones before the room arrives.

    python manage.py rehearse CODE [--url URL] [--phones N] [--rate R] [--duration S]
                                   [--notes-from FILE] [--user U --password P]

The phones join through the same pages and sockets a real phone uses; the
command logs in as the facilitator to watch the wall (and to open a buzz
round if none is open). Afterwards it leaves the workshop as it found it: the
rehearsal's phones and their notes are removed (live, from every screen) and
the show is put back where it was. That takes this installation's database:
against another server the command says what it left behind.
"""

import asyncio
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from buzzgroups.rehearsal import REHEARSAL_NICKNAME, Plan, RehearsalError, rehearse
from buzzgroups.services import participants_remove
from sessions.models import Workshop, normalise_join_code
from sessions.services import show_restore, show_snapshot

MAX_PHONES = 5000
MAX_DURATION = 3600


class Command(BaseCommand):
    help = "Simulated phones join a workshop, post notes and check that the wall shows them all."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the workshop's join code")
        parser.add_argument(
            "--url",
            default=os.environ.get("PUBLIC_URL") or "http://127.0.0.1:8000",
            help="where Summa runs (default: PUBLIC_URL or http://127.0.0.1:8000)",
        )
        parser.add_argument("--phones", type=int, default=20, help="simulated phones (20)")
        parser.add_argument("--rate", type=float, default=2.0, help="notes per second (2)")
        parser.add_argument("--duration", type=float, default=20.0, help="seconds of posting (20)")
        parser.add_argument("--notes-from", type=Path, help="a text file, one note a line")
        parser.add_argument("--user", default=os.environ.get("SUMMA_USER", "facilitator"))
        parser.add_argument("--password", default=os.environ.get("SUMMA_PASSWORD", ""))

    def handle(self, *args, **options):
        if not 1 <= options["phones"] <= MAX_PHONES:
            raise CommandError(f"--phones must be from 1 to {MAX_PHONES}.")
        if not 0 < options["rate"] <= 1000:
            raise CommandError("--rate must be above 0 and at most 1000 notes a second.")
        if not 0 < options["duration"] <= MAX_DURATION:
            raise CommandError(f"--duration must be above 0 and at most {MAX_DURATION} seconds.")
        notes = []
        if options["notes_from"]:
            try:
                lines = options["notes_from"].read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"Cannot read {options['notes_from']}: {error}") from None
            notes = [line.strip() for line in lines if line.strip()]
            if not notes:
                raise CommandError(f"{options['notes_from']} holds no notes.")
        per_phone = options["rate"] * 60 / options["phones"]
        if per_phone > settings.SUMMA_NOTES_PER_MINUTE:
            self.stderr.write(
                f"Each phone would post {per_phone:.0f} notes a minute, more than the "
                f"{settings.SUMMA_NOTES_PER_MINUTE} a participant may (SUMMA_NOTES_PER_MINUTE on "
                "the server): add phones or lower --rate, or expect refusals."
            )
        if options["phones"] > settings.SUMMA_JOINS_PER_ADDRESS_PER_MINUTE:
            self.stderr.write(
                f"{options['phones']} phones join from this one machine, more than the "
                f"{settings.SUMMA_JOINS_PER_ADDRESS_PER_MINUTE} joins a minute one address may "
                "make (SUMMA_JOINS_PER_ADDRESS_PER_MINUTE on the server): raise it there for "
                "the rehearsal, or expect phones to be refused with 429."
            )
        plan = Plan(
            base_url=options["url"],
            code=options["code"],
            user=options["user"],
            password=options["password"] or self._remembered_password(),
            phones=options["phones"],
            rate=options["rate"],
            duration=options["duration"],
            notes=notes,
        )
        self.stdout.write(
            f"Rehearsing {plan.code} at {plan.base_url}: {plan.phones} phones, "
            f"{plan.rate:g} notes a second for {plan.duration:g} s."
        )
        self.stdout.ending = ""  # the progress line rewrites itself with "\r"
        workshop = Workshop.objects.filter(join_code=normalise_join_code(plan.code)).first()
        before = workshop and (
            show_snapshot(workshop),
            set(workshop.participants.values_list("pk", flat=True)),
        )
        try:
            report = asyncio.run(rehearse(plan, out=self.stdout))
        except RehearsalError as error:
            raise CommandError(str(error)) from None
        except (TimeoutError, OSError) as error:
            raise CommandError(f"Lost the server at {plan.base_url}: {error}") from None
        finally:
            self.stdout.ending = "\n"
            self._tidy(workshop, before)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The rehearsal found notes that did not reach the wall.")

    def _tidy(self, workshop: Workshop | None, before) -> None:
        """Remove the rehearsal's phones and notes, and put the show back."""
        if workshop is None:
            self.stdout.write(
                "This workshop is not in this installation's database: the rehearsal's phones "
                "and notes stay in it. Remove them on the console of the server you rehearsed on."
            )
            return
        snapshot, people = before
        rehearsal = (
            workshop.participants.exclude(pk__in=people)
            .filter(nickname__regex=REHEARSAL_NICKNAME)
            .values_list("pk", flat=True)
        )
        rehearsal = list(rehearsal)
        notes = participants_remove(workshop=workshop, participant_ids=rehearsal)
        show_restore(workshop=workshop, snapshot=snapshot)
        self.stdout.write(
            f"Tidied up: removed the rehearsal's {len(rehearsal)} phones and {notes} notes, "
            "and put the show back where it was."
        )

    def _remembered_password(self) -> str:
        """The demo facilitator's password, as demo_workshop keeps it beside the database."""
        path = Path(settings.DATA_DIR) / "facilitator-password"
        if path.exists():
            return path.read_text().strip()
        raise CommandError("Give the facilitator's --password (or set SUMMA_PASSWORD).")
