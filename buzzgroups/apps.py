from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuzzGroupsConfig(AppConfig):
    name = "buzzgroups"
    verbose_name = _("Buzz groups")

    def ready(self) -> None:
        # The screens that show groups and notes render the live frames.
        from buzzgroups import live, snapshots, theme_live, vote_live  # noqa: F401
