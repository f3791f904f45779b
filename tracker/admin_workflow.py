"""The publishing workflow in the admin: actions, buttons, locking, and the delete guard.

``WorkflowAdminMixin`` goes on every publishable record's ModelAdmin. It

- makes ``status`` read-only in every form: a status changes only through
  the workflow (tracker/publishing.py), which checks permissions and
  publishing rules on the server;
- adds the actions and change-form buttons "submit for review", "publish",
  "return to draft" and "retract" (with a correction note);
- carries the version the editor loaded in a hidden field, and refuses a save
  from a stale version with what changed in between (optimistic locking);
- refuses to delete published and retracted records;
- lets editors change drafts and records in review only: records on file are
  read-only for anyone who may not publish them, on the history page too
  (reverting to an old version is a change like any other);
- links to the staff preview of a record that is not published.

``LinkAdminMixin`` and ``LinkInlineMixin`` hold the links that hang on a
record (its citations, a talks' participations, an event's roles) to the same
rule as the record: whoever may not change the record may not add, change or
remove its links either, on the link's own pages or in the record's inlines.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.db.models import Model, ProtectedError, RestrictedError, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator, capfirst
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from tracker import publishing
from tracker.models import CorrectionKind, Publishable, Status
from tracker.models.base import RecordOnFileError, StaleRecordError, refuse_deleting_records_on_file
from tracker.publishing import link_refusal

# Fields whose change says nothing to an editor comparing versions.
_NOISE_FIELDS = ["updated_at", "version"]


def current_version(record) -> int | None:
    """The version of ``record`` now in the database (None if it is gone)."""
    return type(record)._base_manager.filter(pk=record.pk).values_list("version", flat=True).first()


def _show(value) -> str:
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, list):
        value = "; ".join(value)
    return "“" + Truncator(str(value)).chars(200) + "”"


def changes_between(record, loaded: int, current: int) -> list[str]:
    """Each save between version ``loaded`` and ``current``: who, when, and which fields changed.

    Read from the record's history (django-simple-history's diff).
    """
    entries = list(
        record.history.filter(version__gte=loaded, version__lte=current)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    # A save and the changes of its links (evidence, topics) share a version:
    # the last entry of each version holds the whole record as saved.
    last_of_version = {entry.version: entry for entry in entries}
    later = [last_of_version[v] for v in sorted(last_of_version) if v > loaded]
    if loaded not in last_of_version or not later:
        return ["The record's history does not say what changed."]
    lines = []
    previous = last_of_version[loaded]
    for entry in later:
        delta = entry.diff_against(previous, excluded_fields=_NOISE_FIELDS)
        who = entry.history_user or "someone"
        when = entry.history_date.strftime("%d %b %Y %H:%M UTC")
        changed = []
        for change in delta.changes:
            field = record._meta.get_field(change.field)
            old, new = readable_value(field, change.old), readable_value(field, change.new)
            changed.append(f"{capfirst(field.verbose_name)}: {_show(old)} → {_show(new)}")
        what = "; ".join(changed) if changed else "no field you can edit changed"
        lines.append(f"Version {entry.version}, saved by {who} on {when}: {what}.")
        previous = entry
    return lines


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """Shows a choice by its label in the history's diff: "In review", not "in_review"."""

    def prepare_delta_change_value(self, change, value):
        return readable_value(self.model._meta.get_field(change.field), value)


def readable_value(field, value):
    """A value from a history diff as an editor reads it: labels, and names for links."""
    if field.many_to_many:
        key = get_m2m_reverse_field_name(field)
        linked = [row[key] for row in value]  # records, or their ids
        ids = [item for item in linked if not isinstance(item, Model)]
        found = field.related_model._base_manager.in_bulk(ids) if ids else {}
        return [
            str(item) if isinstance(item, Model) else str(found.get(item, f"#{item} (deleted)"))
            for item in linked
        ]
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


class VersionedAdminForm(forms.ModelForm):
    """A change form that remembers the version it was loaded at and refuses stale saves."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._is_change():
            # The version in the database, not the instance's: the history
            # page's revert form edits an old copy of the record.
            self.fields["loaded_version"].initial = current_version(self.instance)

    def _is_change(self) -> bool:
        return self.instance.pk is not None and not self.instance._state.adding

    def clean(self):
        cleaned = super().clean()
        if not self._is_change():
            return cleaned
        current = current_version(self.instance)
        loaded = cleaned.get("loaded_version")
        if current is None:
            return cleaned
        if loaded != current:
            name = self.instance._meta.verbose_name
            # Show the form again at the current version: saving it once more,
            # having seen what changed, is a decision rather than an accident.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = str(current)
            if loaded is None:
                raise ValidationError(
                    f"This form did not say which version of the {name} it started from, "
                    f"so nothing was saved. Version {current} is now current; check the "
                    f"fields and save again."
                )
            raise ValidationError(
                [
                    f"Someone else saved this {name} while you were editing it, so nothing "
                    f"was saved from this form: you started from version {loaded}, and "
                    f"version {current} is now saved.",
                    *changes_between(self.instance, loaded, current),
                    "Your edits are still in the form below, and so are the old values of "
                    "the fields listed above: bring those changes into the form, then save "
                    "again to keep both.",
                ]
            )
        # The model checks this once more under a row lock as it saves.
        self.instance.version = loaded
        return cleaned


class RetractForm(forms.Form):
    """The correction note a retraction publishes, shown at the record's URL with the 410."""

    kind = forms.ChoiceField(
        label="kind of note",
        choices=[
            (CorrectionKind.RETRACTION, CorrectionKind.RETRACTION.label),
            (CorrectionKind.CORRECTION, CorrectionKind.CORRECTION.label),
        ],
        initial=CorrectionKind.RETRACTION,
    )
    note = forms.CharField(
        label="correction note",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Published at once: on the record's page, which will answer 410 Gone, and "
        "in the public changes log. Say what was wrong. Markdown.",
    )


# Buttons on the change form: POST name, workflow step, what a success message says.
_BUTTONS = {
    "_submit_for_review": (publishing.submit_for_review, "submitted for review"),
    "_publish": (publishing.publish, "published"),
    "_return_to_draft": (publishing.return_to_draft, "returned to draft"),
}


class WorkflowAdminMixin:
    """Publishing workflow, optimistic locking and delete guard for a publishable ModelAdmin."""

    form = VersionedAdminForm
    change_form_template = "admin/tracker/workflow_change_form.html"
    history_list_display = ["version"]
    actions = ["submit_for_review", "publish_selected", "return_to_draft", "retract_selected"]

    # Permissions -----------------------------------------------------------

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return publishing.can_publish(request.user, self.model)

    def has_retract_permission(self, request: HttpRequest) -> bool:
        return publishing.can_retract(request.user, self.model)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            return publishing.can_edit(request.user, record_now(obj))
        return allowed

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.is_on_record)

    # Forms -----------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if "status" in fields else ["status", *fields]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = [
            (name, {**options, "fields": list(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and "loaded_version" not in flatten_fieldsets(fieldsets):
            fieldsets[-1][1]["fields"].append("loaded_version")
        return fieldsets

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        """Save content only: the status stays what the workflow last made it.

        A form cannot carry a status (the field is read-only), but the history
        page's revert form saves a whole old copy, status and all.
        """
        if change:
            now = type(obj)._base_manager.filter(pk=obj.pk).values("status", "published_at")
            now = now.first()
            if now is not None:
                obj.status, obj.published_at = now["status"], now["published_at"]
        else:
            obj.status, obj.published_at = Status.DRAFT, None
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleRecordError as error:
            # Lost the race between the form's check and the locked save.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        if obj is not None:
            context["workflow"] = {
                "can_submit": obj.status == Status.DRAFT
                and user.has_perm(f"tracker.change_{obj._meta.model_name}"),
                "can_return": obj.status == Status.IN_REVIEW
                and user.has_perm(f"tracker.change_{obj._meta.model_name}"),
                "can_publish": obj.status in (Status.DRAFT, Status.IN_REVIEW)
                and publishing.can_publish(user, obj),
                "can_retract": obj.status == Status.PUBLISHED and publishing.can_retract(user, obj),
                "preview_url": None if obj.is_public else preview_url(obj),
                "problems": publishing.problems_before_publishing(obj)
                if obj.status in (Status.DRAFT, Status.IN_REVIEW)
                else [],
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request: HttpRequest, obj) -> HttpResponse:
        for name, (step, done) in _BUTTONS.items():
            if name in request.POST:
                self._step_one(request, step, obj, done)
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request: HttpRequest, obj, post_url_continue=None) -> HttpResponse:
        for name, (step, done) in _BUTTONS.items():
            if name in request.POST:
                self._step_one(request, step, obj, done)
                opts = obj._meta
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                return HttpResponseRedirect(url)
        return super().response_add(request, obj, post_url_continue)

    def _step_one(self, request, step, obj, done: str) -> None:
        try:
            step(obj, request.user)
        except PermissionDenied as error:
            self.message_user(request, f"Saved, but not {done}: {error}", messages.ERROR)
        except publishing.WorkflowError as refusal:
            reasons = "; ".join(refusal.reasons)
            self.message_user(request, f"Saved, but not {done}: {reasons}.", messages.ERROR)
        else:
            self.message_user(request, f"The {publishing.describe(obj)} was {done}.")

    def get_view_on_site_url(self, obj=None):
        if obj is not None and not obj.is_public and not obj.is_on_record:
            return preview_url(obj)
        return super().get_view_on_site_url(obj)

    # History -----------------------------------------------------------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The "Changes" column of the history page: each save's diff against the one before.

        As django-simple-history computes it, without the fields every save
        touches (``updated_at``, ``version``: the version has a column of its own).
        """
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=_NOISE_FIELDS,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One old version of a record, and the button that reverts the record to it.

        django-simple-history saves a revert for anyone who may *view* the
        record; here it is saved only for those who may change the record as
        it now stands (``publishing.can_edit``): an editor reverts drafts and
        records in review, never a record on file.
        """
        if request.method == "POST":
            record = self.get_object(request, unquote(object_id))
            # A deleted record has no status to protect: restoring it is django-simple-history's.
            if record is not None and not self.has_change_permission(request, record):
                if not self.has_view_permission(request, record):
                    raise PermissionDenied
                self.message_user(
                    request, f"Nothing was reverted: {revert_refusal(record)}.", messages.ERROR
                )
                # The same version again, to read: without the revert button now.
                return HttpResponseRedirect(request.get_full_path())
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Deleting ----------------------------------------------------------------

    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        try:
            refuse_deleting_records_on_file(list(objs), using=router.db_for_write(self.model))
        except RecordOnFileError as error:
            protected = list(protected) + [
                f"{publishing.describe(record)}: {record.get_status_display().lower()}, "
                "so it is never deleted (retract it instead)"
                for record in error.protected_objects
            ]
            # Say why rather than "no permission": the protected list blocks deleting anyway.
            perms_needed = set()
        except (ProtectedError, RestrictedError):
            pass  # Django's own list above already names what blocks the delete
        return deleted, counts, perms_needed, protected

    # Actions -----------------------------------------------------------------

    def _step_many(self, request, step, queryset, done: str, **kwargs) -> None:
        outcome = publishing.apply_to_each(step, queryset, request.user, **kwargs)
        opts = self.model._meta
        if outcome.done:
            count = len(outcome.done)
            noun = opts.verbose_name if count == 1 else opts.verbose_name_plural
            self.message_user(request, f"{count} {noun} {done}.", messages.SUCCESS)
        for refusal in outcome.refused:
            reasons = "; ".join(refusal.reasons)
            self.message_user(
                request,
                f"Not {done}: {publishing.describe(refusal.record)}: {reasons}.",
                messages.ERROR,
            )

    @admin.action(
        description="Submit selected %(verbose_name_plural)s for review", permissions=["change"]
    )
    def submit_for_review(self, request, queryset):
        self._step_many(request, publishing.submit_for_review, queryset, "submitted for review")

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._step_many(request, publishing.publish, queryset, "published")

    @admin.action(
        description="Return selected %(verbose_name_plural)s to draft", permissions=["change"]
    )
    def return_to_draft(self, request, queryset):
        self._step_many(request, publishing.return_to_draft, queryset, "returned to draft")

    @admin.action(
        description="Retract selected %(verbose_name_plural)s, with a correction note…",
        permissions=["retract"],
    )
    def retract_selected(self, request, queryset):
        """Ask for the correction note first (an intermediate page, as for deleting)."""
        form = RetractForm(request.POST if "confirm_retract" in request.POST else None)
        if form.is_valid():
            self._step_many(
                request,
                publishing.retract,
                queryset,
                "retracted",
                note=form.cleaned_data["note"],
                kind=form.cleaned_data["kind"],
            )
            return None
        return self._retract_page(request, form, list(queryset), bulk=True)

    def _retract_page(self, request, form, records, bulk: bool) -> TemplateResponse:
        opts = self.model._meta
        noun = opts.verbose_name_plural if len(records) > 1 else opts.verbose_name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Retract {noun}",
            "opts": opts,
            "records": records,
            "form": form,
            "bulk": bulk,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tracker/retract.html", context)

    # The single-record retract page -----------------------------------------

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_retract"
        view = self.admin_site.admin_view(self.retract_view)
        return [path("<path:object_id>/retract/", view, name=name), *super().get_urls()]

    def retract_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Retract one published record with a correction note.

        Template: admin/tracker/retract.html.
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such record.")
        if not self.has_retract_permission(request):
            raise PermissionDenied
        form = RetractForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                publishing.retract(
                    obj, request.user, form.cleaned_data["note"], form.cleaned_data["kind"]
                )
            except publishing.WorkflowError as refusal:
                reasons = "; ".join(refusal.reasons)
                self.message_user(request, f"Not retracted: {reasons}.", messages.ERROR)
            else:
                self.message_user(request, f"The {publishing.describe(obj)} was retracted.")
            opts = obj._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            return HttpResponseRedirect(url)
        return self._retract_page(request, form, [obj], bulk=False)


def record_now(obj):
    """The record as the database holds it now, for an old copy from its history.

    The history page hands the admin's permission checks the old version
    itself, status and all: a record published since would pass for a draft.
    Any other record is returned as it is.
    """
    if getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is None:
        return obj
    return type(obj)._base_manager.filter(pk=obj.pk).first() or obj


def revert_refusal(record) -> str:
    """Why the history page will not revert ``record`` for someone who may not change it."""
    if record.is_on_record:
        return (
            f"the {publishing.describe(record)} is {record.get_status_display().lower()}, "
            "and only someone who may publish it can change it"
        )
    return f"you may not change {record._meta.verbose_name_plural}"


def preview_url(obj) -> str:
    """The staff-only preview of a record's public page (see tracker/preview.py)."""
    return reverse("tracker:preview", args=[obj._meta.model_name, obj.pk])


# Links on a record ---------------------------------------------------------------


class LinkAdminForm(forms.ModelForm):
    """A link's form: saved only if the user may change the record it hangs on, before and after.

    ``LinkAdminMixin.get_form`` sets ``link_user`` and ``record_field``.
    """

    link_user = None
    record_field = ""

    def clean(self):
        cleaned = super().clean()
        # Both ends of a move: off the record it hangs on now, onto the one asked for.
        for record in (self._record_now(), self._record_wanted(cleaned)):
            refusal = link_refusal(self.link_user, record)
            if refusal:
                raise ValidationError(f"Nothing was saved: {refusal}.")
        return cleaned

    def _record_now(self):
        """The record the link hangs on in the database, before this save (None if new)."""
        if self.instance.pk is None:
            return None
        link = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        return None if link is None else getattr(link, self.record_field)

    def _value(self, cleaned: dict, name: str):
        if name in self.fields:
            return cleaned.get(name)
        return getattr(self.instance, name)

    def _record_wanted(self, cleaned: dict):
        """The record the form would hang the link on; a form error if there is none."""
        field = self._meta.model._meta.get_field(self.record_field)
        if not isinstance(field, GenericForeignKey):
            return self._value(cleaned, field.name)
        content_type = self._value(cleaned, field.ct_field)
        pk = self._value(cleaned, field.fk_field)
        if content_type is None or pk is None:
            return None  # the field's own error says what is missing
        model = content_type.model_class()
        if model is None or not issubclass(model, Publishable):
            self.add_error(field.ct_field, "Choose a kind of Parley record.")
            return None
        record = model._base_manager.filter(pk=pk).first()
        if record is None:
            self.add_error(field.fk_field, f"There is no {model._meta.verbose_name} with id {pk}.")
        return record


class LinkAdminMixin:
    """For the ModelAdmin of a link that hangs on one record (``record_field`` names it).

    The link's change and delete pages are read-only for anyone who may not
    change its record, its form refuses to hang it on (or take it off) such a
    record, and deleting links in bulk lists those it may not delete.
    """

    form = LinkAdminForm
    record_field: str = ""

    def record_of(self, link):
        return getattr(link, self.record_field)

    def _may_change(self, request: HttpRequest, link) -> bool:
        return link is None or link_refusal(request.user, self.record_of(link)) is None

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        # A class made for this request (modelform_factory), so it may carry the user.
        form = super().get_form(request, obj, change, **kwargs)
        form.link_user, form.record_field = request.user, self.record_field
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A citation hangs on a Parley record, so offer only those kinds.
        field = self.model._meta.get_field(self.record_field)
        if isinstance(field, GenericForeignKey) and db_field.name == field.ct_field:
            records = [
                m for m in apps.get_app_config("tracker").get_models() if issubclass(m, Publishable)
            ]
            kwargs["queryset"] = ContentType.objects.filter(
                app_label="tracker", model__in=[m._meta.model_name for m in records]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request: HttpRequest):
        # Load each link's record once; Django's delete page asks about each link.
        links = list(objs)
        prefetch_related_objects(links, self.record_field)
        deleted, counts, perms_needed, protected = super().get_deleted_objects(links, request)
        refused = [
            f"{publishing.describe(link)}: {refusal}"
            for link in links
            if (refusal := link_refusal(request.user, self.record_of(link)))
        ]
        if refused:
            # Say why rather than "no permission": the protected list blocks deleting anyway.
            protected, perms_needed = [*protected, *refused], set()
        return deleted, counts, perms_needed, protected


class LinkInlineMixin:
    """For an inline of a record's links: editable only while the record (``obj``) is."""

    def _may_change(self, request: HttpRequest, record) -> bool:
        return record is None or link_refusal(request.user, record) is None

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._may_change(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)
