"""Staff preview of a record's public page before it is published.

The preview renders the same template as the public page, with the record
whatever its status and, around it, only what the public would see (related
records through ``.public()``). It is marked "Preview — not published", never
cached, kept out of search engines, and answers 404 to anyone who is not
staff allowed to view that kind of record, exactly as if it did not exist.
"""

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.models import (
    Citation,
    EventRole,
    Participation,
    Publishable,
    Relationship,
)
from tracker.views.charts import stance_chart
from tracker.views.common import CITING_KINDS, attach_citations, corrections_for, public_records


def _public(record):
    return record if record is not None and record.is_public else None


def _actor(actor) -> dict:
    relationships = list(
        Relationship.objects.public()
        .filter(Q(subject=actor) | Q(object=actor))
        .select_related("subject", "object")
    )
    statements = list(actor.statements.public().select_related("event")[:25])
    attach_citations(actor, relationships, statements)
    return {
        "actor": actor,
        "relationships": relationships,
        "participations": list(
            Participation.objects.public().filter(actor=actor).select_related("negotiation")
        ),
        "positions": list(public_records("position").filter(actor=actor)),
        "statements": statements,
        "event_roles": list(
            EventRole.objects.public().filter(actor=actor).select_related("event")[:25]
        ),
    }


def _statement(statement) -> dict:
    attach_citations(statement)
    return {
        "statement": statement,
        "speaker": _public(statement.speaker),
        "event": _public(statement.event),
        "negotiation": _public(statement.negotiation),
        "topics": list(public_records("topic").filter(statements=statement)),
        "positions": list(public_records("position").filter(evidence=statement)),
        "milestones": list(public_records("milestone").filter(statements=statement)),
    }


def _event(event) -> dict:
    accounts = list(event.accounts.public().select_related("speaker"))
    attach_citations(event, accounts)
    return {
        "event": event,
        "negotiation": _public(event.negotiation),
        "roles": list(EventRole.objects.public().filter(event=event).select_related("actor")),
        "accounts": accounts,
        "verifications": sorted({a.get_verification_display() for a in accounts}),
        "milestones": list(public_records("milestone").filter(events=event)),
    }


def _source(source) -> dict:
    citations = Citation.objects.filter(source=source)
    cited_by = []
    for kind in CITING_KINDS:
        ids = citations.filter(content_type__model=kind).values("object_id")
        records = list(public_records(kind).filter(pk__in=ids))
        if records:
            cited_by.append((records[0]._meta.verbose_name_plural, records))
    return {"source": source, "cited_by": cited_by}


def _negotiation(negotiation) -> dict:
    today = timezone.localdate()
    participations = list(
        Participation.objects.public().filter(negotiation=negotiation).select_related("actor")
    )
    topics = list(negotiation.topics.public())
    key_figures = list(negotiation.key_figures.public())
    timeline = negotiation.timeline()
    attach_citations(negotiation, key_figures, [entry.record for entry in timeline])
    statements = [entry.record for entry in timeline if entry.kind == "statement"]
    return {
        "negotiation": negotiation,
        "participations": participations,
        "key_figures": key_figures,
        "matrix": negotiation.position_matrix(participations, topics, today),
        "timeline": timeline,
        "latest_statements": sorted(statements, key=lambda s: (s.stated_on, s.pk), reverse=True)[
            :6
        ],
        "changes": None,
        "today": today,
    }


def _topic(topic) -> dict:
    positions = list(
        public_records("position").filter(topic=topic).order_by("actor__name", "as_of")
    )
    statements = list(topic.statements.public().select_related("speaker")[:10])
    attach_citations(topic, positions, statements)
    return {
        "topic": topic,
        "negotiation": topic.negotiation,
        "positions": positions,
        "chart": stance_chart(topic, positions, timezone.localdate()),
        "statements": statements,
    }


def _milestone(milestone) -> dict:
    statements = list(milestone.statements.public().select_related("speaker"))
    events = list(milestone.events.public())
    attach_citations(milestone, statements, events)
    return {
        "milestone": milestone,
        "negotiation": milestone.negotiation,
        "statements": statements,
        "events": events,
        "today": timezone.localdate(),
    }


# Kinds of record with a page of their own: the template and what it needs.
PAGES = {
    "actor": ("tracker/actor.html", _actor),
    "statement": ("tracker/statement.html", _statement),
    "event": ("tracker/event.html", _event),
    "source": ("tracker/source.html", _source),
    "negotiation": ("tracker/negotiation.html", _negotiation),
    "topic": ("tracker/topic.html", _topic),
    "milestone": ("tracker/milestone.html", _milestone),
}


def _may_preview(user, model: type[Model]) -> bool:
    if isinstance(user, AnonymousUser) or not (user.is_active and user.is_staff):
        return False
    return user.has_perm(f"tracker.view_{model._meta.model_name}")


def _model(model_name: str) -> type[Publishable]:
    try:
        model = apps.get_model("tracker", model_name)
    except LookupError as error:
        raise Http404("No such kind of record.") from error
    if not issubclass(model, Publishable):
        raise Http404("No such kind of record.")
    return model


@never_cache
@require_safe
def preview(request: HttpRequest, model_name: str, pk: int) -> HttpResponse:
    """A record's public page as it will look once published; staff only, else 404.

    Template: tracker/preview.html, which extends the record's own page
    template (``page_template``) and marks it as a preview; context as that
    page's, plus ``record``, ``kind``, ``admin_url``. Records without a page
    of their own use tracker/record.html. A published record redirects to its
    public page.
    """
    model = _model(model_name)
    if not _may_preview(request.user, model):
        raise Http404("No such record.")
    record = model.objects.filter(pk=pk).first()
    if record is None:
        raise Http404("No such record.")
    if record.is_public:
        return HttpResponseRedirect(record.get_absolute_url())
    template, build = PAGES.get(model._meta.model_name, ("tracker/record.html", dict))
    context = build(record) if build is not dict else {}
    opts = model._meta
    context.update(
        {
            "page_template": template,
            "record": record,
            "kind": opts.verbose_name,
            "corrections": corrections_for(record),
            "admin_url": reverse(f"admin:tracker_{opts.model_name}_change", args=[record.pk]),
        }
    )
    response = render(request, "tracker/preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
