"""Get the demo ready: a facilitator account and the demo program as a workshop.

Used by scripts/demo. Running it again reuses both and prints the same links.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sessions.program import decode_program, parse_program
from sessions.services import workshop_create

DEMO_PROGRAM = Path(__file__).resolve().parents[2] / "programs" / "sosiale-medier-bank-finans.txt"
DEMO_TITLE = "Sosiale medier i bank, finans og forsikring"


class Command(BaseCommand):
    help = "Create a facilitator account and the demo workshop, and print how to reach them."

    def handle(self, *args, **options):
        username = os.environ.get("SUMMA_USER", "facilitator")
        password = os.environ.get("SUMMA_PASSWORD") or self._remembered_password()
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        if created or os.environ.get("SUMMA_PASSWORD") or not user.has_usable_password():
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
        workshop = user.workshops.filter(title=DEMO_TITLE).first()
        if workshop is None:
            program = parse_program(decode_program(DEMO_PROGRAM.read_bytes()))
            workshop = workshop_create(owner=user, program=program, title=DEMO_TITLE, language="nb")
        base = settings.PUBLIC_URL or "http://127.0.0.1:8000"
        # The README is English, so is the banner (the workshop itself stays Norwegian).
        with translation.override("en"):
            lines = self._banner(base, username, password, workshop)
        self.stdout.write("\n".join(lines))

    def _banner(self, base: str, username: str, password: str, workshop) -> list[str]:
        console = reverse("buzzgroups:console", args=[workshop.join_code])
        wall = reverse("buzzgroups:wall", args=[workshop.join_code])
        join = reverse("buzzgroups:join", args=[workshop.join_code])
        return [
            "",
            _("Summa is ready."),
            "  "
            + _("Facilitator:   %(user)s / %(password)s")
            % {"user": username, "password": password},
            "  "
            + _("Console:       %(url)s") % {"url": f"{base}{reverse('login')}?next={console}"},
            "  " + _("Wall:          %(url)s") % {"url": base + wall},
            "  "
            + _("Phones join:   %(url)s  (code %(code)s)")
            % {"url": base + join, "code": workshop.join_code},
            "",
            _("Summa now listens on %(url)s. Press Ctrl-C to stop it.") % {"url": base},
            "",
        ]

    def _remembered_password(self) -> str:
        """A generated password, kept beside the database so the next run prints it again."""
        path = Path(settings.DATA_DIR) / "facilitator-password"
        if path.exists():
            return path.read_text().strip()
        password = secrets.token_urlsafe(12)
        path.write_text(password + "\n")
        path.chmod(0o600)
        return password
