from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sessions.program import MAX_PROGRAM_BYTES


class ProgramUploadForm(forms.Form):
    program = forms.FileField(
        label=_("Program file"),
        help_text=_(
            "Plain text (UTF-8): a heading, then '1. Title', points with '- ', and 'Summegrupper' for buzz groups."
        ),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language of the workshop"), choices=settings.LANGUAGES, initial="nb"
    )

    def clean_program(self):
        upload = self.cleaned_data["program"]
        if upload.size > MAX_PROGRAM_BYTES:
            raise forms.ValidationError(
                _("The file is too large; a program may be at most %(max)s MB.")
                % {"max": MAX_PROGRAM_BYTES // 1024 // 1024}
            )
        return upload
