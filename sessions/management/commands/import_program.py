"""python manage.py import_program PATH: a new workshop from a program file.

import_program program.txt                  the workshop, owned by the superuser
import_program program.txt --owner kari     ... owned by kari
import_program program.txt --dry-run        the parsed program as JSON; saves nothing
import_program program.txt --json           the new workshop's code and URLs as JSON
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions.commands import TranslatedCommand
from sessions.program import ProgramError, decode_program, parse_program
from sessions.services import workshop_create

LOCAL_URL = "http://127.0.0.1:8000"


class Command(TranslatedCommand):
    help = gettext_lazy("Create a workshop from a plain-text program file.")

    def add_arguments(self, parser):
        languages = [code for code, _name in settings.LANGUAGES]
        parser.add_argument("path", help=gettext_lazy("the program file (UTF-8 text)"))
        parser.add_argument(
            "--title", help=gettext_lazy("the workshop's title (default: the program's heading)")
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help=gettext_lazy("the facilitator who owns the workshop (default: the superuser)"),
        )
        parser.add_argument(
            "--language",
            choices=languages,
            default=settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in languages else "nb",
            help=gettext_lazy("the workshop's language"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("print the parsed program as JSON and save nothing"),
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=gettext_lazy("print the join code and URLs as one JSON object"),
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            program = parse_program(decode_program(path.read_bytes()))
        except FileNotFoundError:
            raise CommandError(_("no such file: %(path)s") % {"path": path}) from None
        except OSError as error:
            raise CommandError(
                _("cannot read %(path)s: %(reason)s")
                % {"path": path, "reason": error.strerror or error}
            ) from None
        except ProgramError as error:
            raise CommandError(str(error)) from None

        if options["dry_run"]:
            self.stdout.write(json.dumps(program.as_dict(), ensure_ascii=False, indent=2))
            return

        workshop = workshop_create(
            owner=self._owner(options["owner"]),
            program=program,
            title=options["title"],
            language=options["language"],
        )
        base = settings.PUBLIC_URL or LOCAL_URL
        facilitator_url = f"{base}/w/{workshop.join_code}/"
        participant_url = f"{base}/j/{workshop.join_code}/"
        if options["json"]:
            result = {
                "workshop_id": workshop.pk,
                "join_code": workshop.join_code,
                "facilitator_url": facilitator_url,
                "participant_url": participant_url,
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Created the workshop “%(title)s” with %(count)s agenda items.")
                % {"title": workshop.title, "count": len(program.items)}
            )
        )
        self.stdout.write(_("Join code: %(code)s") % {"code": workshop.join_code})
        self.stdout.write(_("Facilitator: %(url)s") % {"url": facilitator_url})
        self.stdout.write(_("Participants: %(url)s") % {"url": participant_url})

    def _owner(self, username: str | None):
        User = get_user_model()
        if username:
            owner = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
            if owner is None:
                raise CommandError(_("no user named %(name)s") % {"name": username})
            return owner
        owner = User._default_manager.filter(is_superuser=True).order_by("pk").first()
        if owner is None:
            raise CommandError(
                _("there is no superuser to own the workshop; name its owner with --owner USERNAME")
            )
        return owner
