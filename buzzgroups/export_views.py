from django.http import Http404


def summary_download(request, code, fmt):  # replaced by the export work
    raise Http404
