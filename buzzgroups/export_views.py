"""Downloads of the session summary, for the facilitator who runs the workshop."""

from collections.abc import AsyncIterator, Generator

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buzzgroups import summary
from sessions.access import Power, workshop_for_facilitator


@login_required
@require_safe
@never_cache
def summary_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The summary as md, csv, json, html or pdf. Anyone but the owner gets a 404."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    if fmt not in summary.FORMATS:
        raise Http404
    data = summary.build_summary(
        workshop, include_hidden=request.GET.get("include_hidden") in ("1", "true", "on")
    )
    disposition = "inline" if fmt == "html" else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{summary.filename(workshop, fmt)}"'
    }
    content_type = summary.CONTENT_TYPES[fmt]
    if fmt == "pdf":
        # WeasyPrint is synchronous; under ASGI this view runs in its request's
        # own thread, and summary.pdf_bytes lets one PDF be made at a time.
        return HttpResponse(summary.pdf_bytes(data), content_type=content_type, headers=headers)
    chunks = summary.text_chunks(data, fmt, stylesheet_url=static(summary.STYLESHEET))
    return StreamingHttpResponse(
        _async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks,
        content_type=content_type,
        headers=headers,
    )


async def _async_chunks(chunks: Generator[str, None, None]) -> AsyncIterator[str]:
    """The chunks, read one at a time in the request's thread.

    Under ASGI, Django reads a synchronous iterator into a list before sending
    it, which would hold a 10,000-note export in memory; this keeps it streaming.
    """
    read = sync_to_async(next, thread_sensitive=True)
    try:
        while (chunk := await read(chunks, None)) is not None:
            yield chunk
    finally:
        # A browser that goes away mid-download: close the database cursor in
        # the thread that opened it.
        await sync_to_async(chunks.close, thread_sensitive=True)()
