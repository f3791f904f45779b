"""Reading an admin page as a browser would, to post its forms back in tests."""

import datetime
import decimal

from django.contrib.messages import get_messages
from django.urls import reverse


def change_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def changelist_url(model) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _posted(value):
    """A form value as a browser posts it; None when a browser would post nothing."""
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, (datetime.date, decimal.Decimal, int)):
        return str(value)
    return value


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = _posted(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value


def form_data(response) -> dict:
    """What submitting the admin change form in ``response`` unchanged would post.

    The main form (hidden fields included) and every inline formset with its
    management form, with the values the page shows.
    """
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    inlines = response.context.get("inline_admin_formsets") or []  # none on the revert page
    for inline in inlines:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, model, action: str, records, **extra):
    """POST an admin changelist action on ``records``, as the action bar does."""
    data = {
        "action": action,
        "index": 0,
        "_selected_action": [str(record.pk) for record in records],
        **extra,
    }
    return client.post(changelist_url(model), data)
