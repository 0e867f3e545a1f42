"""python manage.py export_summary CODE --format md|csv|json|pdf|html [--include-hidden] [-o FILE]"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from buzzgroups import summary
from sessions.models import Workshop, normalise_join_code


class Command(BaseCommand):
    help = (
        "Write the summary of a workshop (agenda, groups, notes, ranking) as Markdown, "
        "CSV, JSON, a printable HTML page or a PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the workshop's join code")
        parser.add_argument("--format", dest="fmt", choices=summary.FORMATS, default="md")
        parser.add_argument(
            "--include-hidden",
            action="store_true",
            help="also the notes hidden by moderation (marked as hidden)",
        )
        parser.add_argument(
            "-o", "--output", help="file to write (standard output if not given; a PDF needs one)"
        )

    def handle(self, *args, code, fmt, include_hidden, output, **options):
        try:
            workshop = Workshop.objects.get(join_code=normalise_join_code(code))
        except Workshop.DoesNotExist:
            raise CommandError(f"No workshop has the join code {code!r}.") from None
        if fmt == "pdf" and not output:
            raise CommandError("A PDF cannot go to the terminal: name a file with -o FILE.")
        data = summary.build_summary(workshop, include_hidden=include_hidden)
        if not output:
            for chunk in summary.text_chunks(data, fmt):
                self.stdout.write(chunk, ending="")
            return
        try:
            _write(Path(output), data, fmt)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}") from None
        self.stderr.write(f"Wrote {output}", style_func=self.style.SUCCESS)


def _write(path: Path, data: summary.Summary, fmt: str) -> None:
    """Write next to the file and move it into place, so a failed export leaves no half file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        if fmt == "pdf":
            with os.fdopen(fd, "wb") as out:
                out.write(summary.pdf_bytes(data))
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                for chunk in summary.text_chunks(data, fmt):
                    out.write(chunk)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would have made it
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
