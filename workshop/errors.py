"""Error answers that say what happened, in the language of the page that asked."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or note sent with a stale or missing CSRF token.

    The token can go stale while a phone waits (a login elsewhere in the same
    browser rotates it). A script asking for JSON gets a fresh token with the
    refusal, so it can send again once without losing the note; a person
    submitting a plain form gets a page that says to reload and try again.
    """
    message = _("The page was out of date. Reload it and send again; nothing you wrote is lost.")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"ok": False, "code": "csrf", "error": message, "csrf_token": get_token(request)},
            status=403,
        )
    back = request.path if request.method == "GET" else request.headers.get("Referer", "/")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = "/"
    return render(request, "csrf_failure.html", {"message": message, "back": back}, status=403)
