"""Public, read-only views. Every one starts from ``.public()`` or ``.on_record()``."""

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker.models import (
    Actor,
    Correction,
    Event,
    Milestone,
    Negotiation,
    Source,
    Statement,
    Topic,
)


def _record_or_gone(request: HttpRequest, queryset: QuerySet, **lookup) -> Model | HttpResponse:
    """Return the published record, a 410 page for a retracted one, or raise 404."""
    record = queryset.on_record().filter(**lookup).first()
    if record is None:
        raise Http404("No such record.")
    if not record.is_public:
        corrections = Correction.objects.public().filter(
            content_type__model=record._meta.model_name, object_id=record.pk
        )
        context = {"record": record, "corrections": corrections}
        return render(request, "tracker/gone.html", context, status=410)
    return record


def _detail(request: HttpRequest, queryset: QuerySet, **lookup) -> HttpResponse:
    """Render ``tracker/record.html`` for one published record (410 once retracted)."""
    record = _record_or_gone(request, queryset, **lookup)
    if isinstance(record, HttpResponse):
        return record
    return render(request, "tracker/record.html", {"record": record})


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The talks Parley follows. Template: tracker/home.html."""
    talks = Negotiation.objects.public()
    return render(request, "tracker/home.html", {"talks": talks})


@require_safe
def negotiation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, Negotiation.objects, slug=slug)


@require_safe
def topic_detail(request: HttpRequest, negotiation_slug: str, slug: str) -> HttpResponse:
    topics = Topic.objects.filter(negotiation__in=Negotiation.objects.public())
    return _detail(request, topics, negotiation__slug=negotiation_slug, slug=slug)


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, Actor.objects, slug=slug)


@require_safe
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, Statement.objects, pk=pk)


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, Event.objects, slug=slug)


@require_safe
def milestone_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, Milestone.objects, slug=slug)


@require_safe
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, Source.objects, pk=pk)


@require_safe
def changes(request: HttpRequest) -> HttpResponse:
    """The public log of corrections. Template: tracker/changes.html."""
    corrections = Correction.objects.public().select_related("content_type")
    return render(request, "tracker/changes.html", {"corrections": corrections})
