"""Error pages in the site's own design: 400, 404 and 500 (410 is tracker/gone.html)."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a malformed query parameter. Template: tracker/400.html (``message``)."""
    # Only our own BadRequest messages are written for readers; others stay generic.
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "tracker/400.html", {"message": message}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: no such page or record. Template: tracker/404.html."""
    return render(request, "tracker/404.html", {"path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: something broke on our side. Template: tracker/500.html, without database access."""
    return render(request, "tracker/500.html", status=500)
