"""python manage.py add_facilitator USER [--email ADDRESS]: an account for a facilitator.

Asks for the password twice on a terminal; elsewhere (or with --generate)
makes one up and prints it once. The facilitator changes it at /accounts/password_change/.
"""

import getpass
import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy("Create a facilitator account (no admin rights).")

    def add_arguments(self, parser):
        parser.add_argument("username", help=gettext_lazy("the facilitator's user name"))
        parser.add_argument(
            "--email", default="", help=gettext_lazy("where password reset mails go")
        )
        parser.add_argument(
            "--generate",
            action="store_true",
            help=gettext_lazy("make up a password and print it instead of asking"),
        )

    def handle(self, *args, **options):
        User = get_user_model()
        username = options["username"].strip()
        if not username:
            raise CommandError(_("give a user name"))
        if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(_("there is already a user named %(name)s") % {"name": username})
        email = options["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(
                    _("not an email address: %(email)s") % {"email": email}
                ) from None
        user = User(**{User.USERNAME_FIELD: username}, email=email)
        generated = options["generate"] or not sys.stdin.isatty()
        password = secrets.token_urlsafe(12) if generated else self._ask(user)
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(_("Created the facilitator %(name)s.") % {"name": username})
        )
        if generated:
            self.stdout.write(_("Password: %(password)s") % {"password": password})

    def _ask(self, user) -> str:
        for _attempt in range(3):
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                self.stderr.write(_("The passwords did not match."))
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError(_("no password set; try again"))
