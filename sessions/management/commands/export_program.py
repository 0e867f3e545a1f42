"""python manage.py export_program CODE [-o FILE]: a workshop's agenda as program text.

The text is in the format import_program reads; importing it gives the same agenda.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions.models import Workshop, normalise_join_code
from sessions.program_export import program_text


class Command(BaseCommand):
    help = gettext_lazy("Write a workshop's agenda as a program file (the import format).")

    def add_arguments(self, parser):
        parser.add_argument("code", help=gettext_lazy("the workshop's join code"))
        parser.add_argument(
            "-o", "--output", metavar="FILE", help=gettext_lazy("write to FILE (default: stdout)")
        )

    def handle(self, *args, **options):
        workshop = Workshop.objects.filter(join_code=normalise_join_code(options["code"])).first()
        if workshop is None:
            raise CommandError(_("no workshop with the code %(code)s") % {"code": options["code"]})
        text = program_text(workshop)
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(
                    _("cannot write %(path)s: %(reason)s")
                    % {"path": options["output"], "reason": error.strerror or error}
                ) from None
            return
        self.stdout.write(text, ending="")
