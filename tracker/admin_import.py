"""Importing records in the admin: upload a CSV or JSON file, preview, then confirm.

``ImportAdminMixin`` gives a ModelAdmin an "Import" button on its change list
and an ``import/`` page (URL name ``admin:tracker_<model>_import``):

1. The editor uploads a file. ``tracker.imports.parse_file`` reads it (UTF-8,
   at most 5 MB, the columns the table needs) and ``plan_import`` checks every
   row without writing anything.
2. The preview lists what would be created, changed (field by field) or
   rejected (row, field, reason). The parsed rows wait in the editor's session
   (no temporary files), under a one-time token.
3. Confirming checks the rows again and writes all of them in one transaction,
   or none if anything fails. Cancelling forgets them.

Statuses in the file are kept only when the editor may publish (see
``tracker.imports.can_publish``); otherwise new records arrive as drafts. A
file of links (citations, participations, event roles) adds, changes or moves
only those the editor could in the admin: none on a published or retracted
record unless they may publish it (``tracker.publishing.link_refusal``).
"""

import hashlib
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tracker.imports import (
    MAX_IMPORT_BYTES,
    ImportColumns,
    ImportRefused,
    apply_import,
    can_publish,
    parse_file,
)

SESSION_KEY = "tracker_pending_import"


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=f"CSV (first line naming the columns) or JSON, UTF-8, at most "
        f"{MAX_IMPORT_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )


class ImportAdminMixin:
    """Adds the import page and an "Import" button to a ModelAdmin's change list."""

    change_list_template = "admin/tracker/import_change_list.html"

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import"
        urls = [path("import/", self.admin_site.admin_view(self.import_view), name=name)]
        return urls + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload, preview and confirm. Templates: admin/tracker/import.html and
        admin/tracker/import_preview.html."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request)
        if request.method == "POST" and "cancel" in request.POST:
            _forget(request)
            self.message_user(request, "Import cancelled; nothing was changed.", messages.INFO)
            return HttpResponseRedirect(request.path)
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", _too_big(upload.size))
            else:
                try:
                    content = upload.read()
                    rows = parse_file(content, upload.name, self.model)
                except ImportRefused as error:
                    form.add_error("file", f"Nothing was imported. {error}")
                else:
                    return self._preview(request, rows, upload.name, content)
        return TemplateResponse(request, "admin/tracker/import.html", self._context(request, form))

    def _preview(self, request, rows, filename: str, content: bytes) -> HttpResponse:
        # A rehearsal inside a rolled-back transaction: it finds what only
        # writing reveals (the publishing checks), and leaves nothing behind.
        plan = apply_import(rows, self.model, request.user, dry_run=True, links_on=self._links_on)
        token = ""
        if plan.ok:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "model": self.model._meta.label_lower,
                "filename": filename,
                "sha256": hashlib.sha256(content).hexdigest(),
                "rows": rows,
            }
        else:
            _forget(request)
        context = self._context(request, None, plan=plan, token=token, filename=filename)
        return TemplateResponse(request, "admin/tracker/import_preview.html", context)

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        pending = request.session.get(SESSION_KEY)
        token = request.POST.get("token", "")
        if (
            not pending
            or not secrets.compare_digest(str(pending.get("token", "")), token)
            or pending.get("model") != self.model._meta.label_lower
        ):
            self.message_user(
                request,
                "That import is no longer waiting (it was confirmed, cancelled or has expired). "
                "Nothing was changed; upload the file again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        plan = apply_import(pending["rows"], self.model, request.user, links_on=self._links_on)
        if not plan.ok:
            # The data changed since the preview; show what now stands in the way.
            context = self._context(
                request, None, plan=plan, token="", filename=pending["filename"], stale=True
            )
            _forget(request)
            return TemplateResponse(request, "admin/tracker/import_preview.html", context)
        _forget(request)
        self.message_user(
            request,
            f"Imported {pending['filename']}: {plan.count('create')} created, "
            f"{plan.count('change')} changed, {plan.count('unchanged')} unchanged.",
            messages.SUCCESS,
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    @property
    def _links_on(self) -> str:
        """For a link's table, the field naming the record each link hangs on.

        As ``LinkAdminMixin.record_field`` says: the import then adds, changes
        or moves only the links the user could in the admin.
        """
        return getattr(self, "record_field", "")

    def _context(self, request, form, **extra) -> dict:
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Import {opts.verbose_name_plural}",
            "form": form,
            "columns": ImportColumns(self.model).describe(),
            "may_publish": can_publish(request.user, self.model),
            "is_publishable": hasattr(self.model, "is_public"),
            "max_megabytes": MAX_IMPORT_BYTES // 1024 // 1024,
            **extra,
        }
        plan = extra.get("plan")
        if plan is not None:
            context["counts"] = {
                "create": plan.count("create"),
                "change": plan.count("change"),
                "unchanged": plan.count("unchanged"),
                "rejected": plan.rejected_rows,
            }
        return context


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def _too_big(size: int) -> str:
    return (
        f"Nothing was imported. The file is {size / 1024 / 1024:.1f} MB; imports are limited "
        f"to {MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into smaller files."
    )
