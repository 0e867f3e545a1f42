"""A base for management commands whose help is translated."""

from django.core.management.base import BaseCommand


class TranslatedCommand(BaseCommand):
    """``help`` may be a lazy translation: argparse formats it with ``re``, which needs a str."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
