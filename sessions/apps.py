from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    # Django's own django.contrib.sessions holds the label "sessions".
    name = "sessions"
    label = "workshops"
    verbose_name = _("Workshops")
