"""The baseline: a minimal Django view that renders a small template and touches no database."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

ITEMS = ["Talks", "Actors", "Topics", "Statements", "Sources"]


@require_safe
def baseline(request: HttpRequest) -> HttpResponse:
    """Template: bench/baseline.html with ``title`` and ``items``; no query, no cookie."""
    return render(request, "bench/baseline.html", {"title": "Baseline", "items": ITEMS})
