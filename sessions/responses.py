"""How a facilitator's action answers, the same for every console button."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def console_action_done(request: HttpRequest, code: str) -> HttpResponse:
    if request.htmx:
        # The console's socket brings the new state; nothing to swap here.
        return HttpResponse(status=204)
    return redirect("buzzgroups:console", code)


def console_action_refused(request: HttpRequest, code: str, error: Exception) -> HttpResponse:
    """The reason on the console: in its message area (htmx) or as a message after a redirect."""
    if request.htmx:
        return render(
            request, "_message.html", {"message": str(error), "level": "error"}, status=400
        )
    messages.error(request, str(error))
    return redirect("buzzgroups:console", code)
