"""Requests refused before any view or other middleware reads them."""

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _sep, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


class FormCharsetMiddleware:
    """A form posted in another charset than UTF-8 gets a 400 with a reason.

    Django refuses such a form with ``BadRequest`` the first time ``request.POST``
    is read, but its error handling reads the body again and answers 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.split(";")[0].strip().lower() in FORM_TYPES:
            charset = _charset(content_type)
            # Django takes exactly "utf-8" (any case); so do we.
            if charset is not None and charset != "utf-8":
                with translation.override(translation.get_language_from_request(request)):
                    message = _("Forms must be sent as UTF-8, not %(charset)s.") % {
                        "charset": charset[:40]
                    }
                return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
