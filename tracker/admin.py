"""The editors' admin: every record, with the things an editor thinks of together."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from tracker.admin_import import ImportAdminMixin
from tracker.admin_workflow import LinkAdminMixin, LinkInlineMixin, WorkflowAdminMixin
from tracker.models import (
    Actor,
    Citation,
    Correction,
    Event,
    EventRole,
    KeyFigure,
    Milestone,
    Negotiation,
    Participation,
    Position,
    Relationship,
    Source,
    Statement,
    Topic,
)

admin.site.site_header = "Parley editors"
admin.site.site_title = "Parley admin"
admin.site.index_title = "Talks, actors, statements and sources"

PUBLISHING_FIELDS = ("Publishing", {"fields": ("status", "published_at", "version")})


def date_fields(name: str) -> tuple[str, ...]:
    """The four columns of a precise date, in the order an editor fills them."""
    return (
        (name, f"{name}_precision"),
        (f"{name}_part_of_day", f"{name}_on_or_before"),
    )


class LoadsLabels:
    """An inline whose rows fetch, in its one query, the records their labels name."""

    label_related: tuple[str, ...] = ()
    label_prefetch: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.label_related:
            queryset = queryset.select_related(*self.label_related)
        return queryset.prefetch_related(*self.label_prefetch)


class CitationInline(LinkInlineMixin, LoadsLabels, GenericTabularInline):
    """The sources behind a record, each with where in the source to look."""

    model = Citation
    label_related = ("source",)
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "locator"]
    verbose_name = "source cited"
    verbose_name_plural = "sources cited"


class CorrectionInline(LoadsLabels, GenericTabularInline):
    """Corrections of the record; only publishers may write them (``add_correction``)."""

    model = Correction
    label_prefetch = ("record",)
    extra = 0
    fields = ["status", "kind", "date", "text"]
    readonly_fields = ["status"]


class PublishableAdmin(ImportAdminMixin, WorkflowAdminMixin, SimpleHistoryAdmin):
    """Shared admin for publishable records: status filters, citations, history as a diff,
    the publishing workflow and optimistic locking (see tracker/admin_workflow.py)."""

    inlines = [CitationInline, CorrectionInline]
    list_filter = ["status"]
    readonly_fields = ["published_at", "version", "created_at", "updated_at"]
    list_per_page = 50
    save_on_top = True
    # Addresses typed without a scheme are taken as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    inlines = [CorrectionInline]
    list_display = ["title", "outlet", "published_on_display", "kind", "status"]
    list_filter = ["status", "kind", "outlet", "language"]
    search_fields = ["title", "outlet", "authors", "contributors", "url"]
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["kind", "outlet", "title", "authors", "contributors", "language"]}),
        ("Published", {"fields": date_fields("published_on")}),
        ("Where to find it", {"fields": ["url", "archive_url", "notes"]}),
        PUBLISHING_FIELDS,
    ]

    @admin.display(description="published", ordering="published_on")
    def published_on_display(self, source: Source):
        return source.published_on_display


class RelationshipInline(LoadsLabels, admin.TabularInline):
    model = Relationship
    label_related = ("subject", "object")
    fk_name = "subject"
    extra = 0
    autocomplete_fields = ["object"]
    fields = [
        "kind",
        "object",
        "start_on",
        "start_on_precision",
        "end_on",
        "end_on_precision",
        "status",
    ]
    show_change_link = True
    readonly_fields = ["status"]  # changed only through the publishing workflow


@admin.register(Actor)
class ActorAdmin(PublishableAdmin):
    inlines = [RelationshipInline, CitationInline, CorrectionInline]
    list_display = ["name", "kind", "country", "wikidata_id", "status", "updated_at"]
    list_filter = ["status", "kind", "country"]
    search_fields = ["name", "short_name", "native_name", "aliases", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "country", "wikidata_id"]}),
        ("Other names", {"fields": ["native_name", "native_language", "aliases"]}),
        ("About", {"fields": ["description"]}),
        PUBLISHING_FIELDS,
    ]


@admin.register(Relationship)
class RelationshipAdmin(PublishableAdmin):
    list_display = ["subject", "kind", "object", "start_on", "end_on", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["subject__name", "object__name", "description"]
    autocomplete_fields = ["subject", "object"]
    fieldsets = [
        (None, {"fields": ["subject", "kind", "object", "description"]}),
        ("Start", {"fields": date_fields("start_on")}),
        ("End", {"fields": date_fields("end_on")}),
        PUBLISHING_FIELDS,
    ]


class ParticipationInline(LinkInlineMixin, LoadsLabels, admin.TabularInline):
    model = Participation
    label_related = ("actor", "negotiation")
    extra = 1
    autocomplete_fields = ["actor"]
    fields = ["actor", "role", "note", "order"]


class KeyFigureInline(admin.TabularInline):
    model = KeyFigure
    extra = 0
    fields = ["label", "qualifier", "value", "unit", "as_of", "as_of_precision", "status"]
    readonly_fields = ["status"]  # changed only through the publishing workflow
    show_change_link = True


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0
    fields = ["order", "title", "slug", "question", "status"]
    readonly_fields = ["status"]  # changed only through the publishing workflow
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


@admin.register(Negotiation)
class NegotiationAdmin(PublishableAdmin):
    inlines = [
        ParticipationInline,
        TopicInline,
        KeyFigureInline,
        CitationInline,
        CorrectionInline,
    ]
    list_display = ["title", "state", "start_on_display", "status", "updated_at"]
    list_filter = ["status", "state"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "start_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "state", "summary"]}),
        ("Start", {"fields": date_fields("start_on")}),
        ("End", {"fields": date_fields("end_on")}),
        PUBLISHING_FIELDS,
    ]

    @admin.display(description="start", ordering="start_on")
    def start_on_display(self, talks: Negotiation):
        return talks.start_on_display


@admin.register(Participation)
class ParticipationAdmin(LinkAdminMixin, ImportAdminMixin, SimpleHistoryAdmin):
    record_field = "negotiation"
    list_display = ["actor", "role", "negotiation", "order"]
    list_filter = ["role", "negotiation"]
    search_fields = ["actor__name", "negotiation__title", "note"]
    autocomplete_fields = ["actor", "negotiation"]


@admin.register(KeyFigure)
class KeyFigureAdmin(PublishableAdmin):
    list_display = ["label", "display_value", "as_of_display", "negotiation", "status"]
    list_filter = ["status", "negotiation"]
    search_fields = ["label", "unit", "negotiation__title"]
    autocomplete_fields = ["negotiation"]
    fieldsets = [
        (None, {"fields": ["negotiation", "label", "qualifier", "value", "unit"]}),
        ("As of", {"fields": date_fields("as_of")}),
        PUBLISHING_FIELDS,
    ]

    @admin.display(description="as of", ordering="as_of")
    def as_of_display(self, figure: KeyFigure):
        return figure.as_of_display


class PositionInline(LoadsLabels, admin.TabularInline):
    model = Position
    label_related = ("actor", "topic")
    extra = 0
    fields = ["actor", "stance", "as_of", "as_of_precision", "basis", "summary", "status"]
    readonly_fields = ["status"]  # changed only through the publishing workflow
    autocomplete_fields = ["actor"]
    show_change_link = True


@admin.register(Topic)
class TopicAdmin(PublishableAdmin):
    inlines = [PositionInline, CitationInline, CorrectionInline]
    list_display = ["title", "question", "negotiation", "order", "status"]
    list_filter = ["status", "negotiation"]
    search_fields = ["title", "question", "description", "slug"]
    autocomplete_fields = ["negotiation"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["negotiation", "title", "slug", "question", "description", "order"]}),
        PUBLISHING_FIELDS,
    ]


@admin.register(Position)
class PositionAdmin(PublishableAdmin):
    list_display = ["actor", "topic", "stance", "as_of_display", "basis", "status"]
    list_filter = ["status", "stance", "basis", "topic__negotiation"]
    search_fields = ["actor__name", "topic__title", "topic__question", "summary"]
    autocomplete_fields = ["actor", "topic", "evidence"]
    date_hierarchy = "as_of"
    fieldsets = [
        (None, {"fields": ["actor", "topic", "stance", "basis", "summary", "evidence"]}),
        ("As of", {"fields": date_fields("as_of")}),
        PUBLISHING_FIELDS,
    ]

    @admin.display(description="as of", ordering="as_of")
    def as_of_display(self, position: Position):
        return position.as_of_display


@admin.register(Statement)
class StatementAdmin(PublishableAdmin):
    list_display = [
        "short_text",
        "attribution",
        "form",
        "channel",
        "stated_on_display",
        "verification",
        "status",
    ]
    list_filter = [
        "status",
        "verification",
        "attribution_kind",
        "form",
        "kind",
        "channel",
        "negotiation",
    ]
    search_fields = ["text", "original_text", "attribution", "speaker__name"]
    autocomplete_fields = ["speaker", "topics", "event", "negotiation"]
    date_hierarchy = "stated_on"
    fieldsets = [
        (None, {"fields": ["negotiation", "kind", "form", "text"]}),
        ("Who said it", {"fields": ["speaker", "attribution", "attribution_kind", "channel"]}),
        ("When", {"fields": date_fields("stated_on")}),
        ("Original language", {"fields": ["original_text", "original_language"]}),
        ("Verification", {"fields": ["verification", "verification_note"]}),
        ("Context", {"fields": ["event", "topics"]}),
        PUBLISHING_FIELDS,
    ]

    @admin.display(description="text")
    def short_text(self, statement: Statement) -> str:
        return statement.text if len(statement.text) <= 70 else statement.text[:69] + "…"

    @admin.display(description="stated on", ordering="stated_on")
    def stated_on_display(self, statement: Statement):
        return statement.stated_on_display


class EventRoleInline(LinkInlineMixin, LoadsLabels, admin.TabularInline):
    model = EventRole
    label_related = ("actor", "event")
    extra = 1
    autocomplete_fields = ["actor"]
    fields = ["actor", "role", "note"]


class AccountInline(admin.TabularInline):
    """The statements that give an account of the event, which may conflict."""

    model = Statement
    fk_name = "event"
    extra = 0
    fields = ["attribution", "form", "text", "verification", "status"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name = "account"
    verbose_name_plural = "accounts of the event"

    def has_add_permission(self, request, obj=None) -> bool:
        # An account is a full statement: it is written on the statement's own page.
        return False


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    inlines = [EventRoleInline, AccountInline, CitationInline, CorrectionInline]
    list_display = ["title", "kind", "occurred_on_display", "place_display", "status"]
    list_filter = ["status", "kind", "country", "negotiation"]
    search_fields = ["title", "summary", "place_name", "district", "city"]
    autocomplete_fields = ["negotiation"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "occurred_on"
    fieldsets = [
        (None, {"fields": ["negotiation", "title", "slug", "kind", "summary"]}),
        ("When", {"fields": date_fields("occurred_on")}),
        (
            "Where",
            {"fields": ["place_name", "district", "city", "country", ("latitude", "longitude")]},
        ),
        PUBLISHING_FIELDS,
    ]

    @admin.display(description="occurred", ordering="occurred_on")
    def occurred_on_display(self, event: Event):
        return event.occurred_on_display


@admin.register(EventRole)
class EventRoleAdmin(LinkAdminMixin, ImportAdminMixin, SimpleHistoryAdmin):
    record_field = "event"
    list_display = ["actor", "role", "event"]
    list_filter = ["role"]
    search_fields = ["actor__name", "event__title", "note"]
    autocomplete_fields = ["actor", "event"]


@admin.register(Milestone)
class MilestoneAdmin(PublishableAdmin):
    list_display = ["title", "kind", "state", "planned_on", "held_on", "negotiation", "status"]
    list_filter = ["status", "kind", "state", "negotiation"]
    search_fields = ["title", "outcome", "slug"]
    autocomplete_fields = ["negotiation", "statements", "events"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "planned_on"
    fieldsets = [
        (None, {"fields": ["negotiation", "title", "slug", "kind", "state", "outcome"]}),
        ("Planned for", {"fields": date_fields("planned_on")}),
        ("Held on", {"fields": date_fields("held_on")}),
        ("Linked records", {"fields": ["statements", "events"]}),
        PUBLISHING_FIELDS,
    ]


@admin.register(Citation)
class CitationAdmin(LinkAdminMixin, ImportAdminMixin, SimpleHistoryAdmin):
    record_field = "record"
    list_display = ["source", "content_type", "object_id", "locator"]
    list_filter = ["content_type"]
    search_fields = ["source__title", "source__outlet", "locator"]
    autocomplete_fields = ["source"]


@admin.register(Correction)
class CorrectionAdmin(PublishableAdmin):
    inlines = [CitationInline]
    list_display = ["date", "kind", "content_type", "object_id", "status"]
    list_filter = ["status", "kind", "content_type"]
    search_fields = ["text"]
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["content_type", "object_id", "kind", "date", "text"]}),
        PUBLISHING_FIELDS,
    ]
