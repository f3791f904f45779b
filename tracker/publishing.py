"""The publishing workflow: draft → in review → published → retracted.

Every step here checks the user's permission on the server, saves the record
one by one (so django-simple-history keeps who, when and why), and refuses
with reasons a reader can act on. The admin's actions and buttons call these
functions; nothing else changes a record's status.

Permissions (made by migration 0004, see tracker/models/base.py):

- ``tracker.change_<model>``: submit a draft for review, send it back to draft;
- ``tracker.publish_<model>``: publish (after the checks in ``problems_before_publishing``);
- ``tracker.retract_<model>`` with ``tracker.add_correction``: retract, with a correction note.

Editors hold the first; Publishers hold all three.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tracker.models import Citation, Correction, CorrectionKind, Publishable, Status


class WorkflowError(Exception):
    """A step the record's current state does not allow, with the reasons why."""

    def __init__(self, record: Publishable, reasons: list[str]):
        self.record = record
        self.reasons = reasons
        super().__init__(f"{describe(record)}: {'; '.join(reasons)}")


@dataclass
class Outcome:
    """What a step over many records did: the records changed and those refused, with reasons."""

    done: list = field(default_factory=list)
    refused: list[WorkflowError] = field(default_factory=list)


def describe(record: Publishable) -> str:
    """The record as an editor would name it in a message: 'statement “…”'."""
    return f"{record._meta.verbose_name} “{record}”"


def _codename(action: str, record_or_model) -> str:
    return f"tracker.{action}_{record_or_model._meta.model_name}"


def can_publish(user, record_or_model) -> bool:
    """May ``user`` publish records of this kind? (``tracker.publish_<model>``)."""
    return user.is_active and user.has_perm(_codename("publish", record_or_model))


def can_retract(user, record_or_model) -> bool:
    """May ``user`` retract records of this kind? Retracting writes a correction too."""
    return (
        user.is_active
        and user.has_perm(_codename("retract", record_or_model))
        and user.has_perm("tracker.add_correction")
    )


def can_edit(user, record: Publishable) -> bool:
    """May ``user`` change this record? Records on file are changed only by publishers."""
    if not user.has_perm(_codename("change", record)):
        return False
    return not record.is_on_record or can_publish(user, record)


def link_refusal(user, record) -> str | None:
    """Why ``user`` may not add, change or remove the links of ``record``; None if they may.

    The rule for the record itself (``can_edit``): editors change the links of
    drafts and records in review; the links of a record on file change only by
    those who may publish it. A link whose record is gone shows nothing to the
    public, so anyone may tidy it up. The admin (``tracker.admin_workflow``) and
    the admin's import (``tracker.imports``) both ask it.
    """
    if not isinstance(record, Publishable) or can_edit(user, record):
        return None
    if record.is_on_record:
        return (
            f"the {describe(record)} is {record.get_status_display().lower()}, "
            "and only someone who may publish it can change what it links to"
        )
    return f"you may not change {record._meta.verbose_name_plural}, nor what they link to"


def _require(allowed: bool, user, action: str, record: Publishable) -> None:
    if not allowed:
        raise PermissionDenied(f"{user} may not {action} {record._meta.verbose_name_plural}.")


def _published_citations(record: Publishable):
    return Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        source__status=Status.PUBLISHED,
    )


def _source_problems(record: Publishable) -> list[str]:
    if _published_citations(record).exists():
        return []
    return ["it needs at least one source: cite a published source under “sources cited”"]


def _position_problems(position) -> list[str]:
    evidence = list(position.evidence.all())
    if not evidence:
        return ["it needs at least one evidence statement"]
    unpublished = [s for s in evidence if not s.is_public]
    if unpublished:
        names = "; ".join(f"“{s}” ({s.get_status_display().lower()})" for s in unpublished)
        return [f"its evidence statements must be published first: {names}"]
    return []


def _event_problems(event) -> list[str]:
    problems = []
    if event.occurred_on is None:
        problems.append("it needs a date: when did it happen?")
    return problems + _source_problems(event)


def _correction_problems(correction) -> list[str]:
    model = correction.content_type.model_class()
    record = model._base_manager.filter(pk=correction.object_id).first() if model else None
    if record is None:
        return ["the record it corrects no longer exists"]
    if not isinstance(record, Publishable) or not record.is_on_record:
        return ["it corrects a record that is not published: correct drafts by editing them"]
    return []


_CHECKS = {
    "position": _position_problems,
    "statement": _source_problems,
    "event": _event_problems,
    "correction": _correction_problems,
}


def problems_before_publishing(record: Publishable) -> list[str]:
    """What stops ``record`` from being published, in words; empty when it may be.

    A position needs evidence statements that are themselves published; a
    statement needs a published source; an event needs a date and a source;
    a correction needs a published (or retracted) record to correct.
    """
    if record.status == Status.PUBLISHED:
        return ["it is already published"]
    if record.status == Status.RETRACTED:
        return ["it was retracted; retracted records stay retracted"]
    check = _CHECKS.get(record._meta.model_name)
    return check(record) if check else []


def _save(record: Publishable, user, reason: str) -> None:
    record._history_user = user
    record._change_reason = reason
    record.save()


def submit_for_review(record: Publishable, user) -> None:
    """Draft → in review. Needs ``change_<model>``."""
    _require(user.has_perm(_codename("change", record)), user, "submit", record)
    if record.status != Status.DRAFT:
        raise WorkflowError(record, [f"it is {record.get_status_display().lower()}, not a draft"])
    record.status = Status.IN_REVIEW
    _save(record, user, "Submitted for review")


def return_to_draft(record: Publishable, user) -> None:
    """In review → draft, to be worked on again. Needs ``change_<model>``."""
    _require(user.has_perm(_codename("change", record)), user, "send back", record)
    if record.status != Status.IN_REVIEW:
        raise WorkflowError(record, [f"it is {record.get_status_display().lower()}, not in review"])
    record.status = Status.DRAFT
    _save(record, user, "Returned to draft")


def publish(record: Publishable, user) -> None:
    """Draft or in review → published, when ``problems_before_publishing`` finds none.

    Needs ``publish_<model>``. The first publication sets ``published_at``.
    """
    _require(can_publish(user, record), user, "publish", record)
    problems = problems_before_publishing(record)
    if problems:
        raise WorkflowError(record, problems)
    record.status = Status.PUBLISHED
    if record.published_at is None:
        record.published_at = timezone.now()
    _save(record, user, "Published")


@transaction.atomic
def retract(
    record: Publishable, user, note: str, kind: str = CorrectionKind.RETRACTION
) -> Correction:
    """Published → retracted, with a published correction saying why.

    The record keeps its URL, which then answers 410 with the note. Needs
    ``retract_<model>`` and ``add_correction`` (Publishers).
    """
    _require(can_retract(user, record), user, "retract", record)
    note = (note or "").strip()
    reasons = []
    if record.status != Status.PUBLISHED:
        reasons.append(f"it is {record.get_status_display().lower()}, not published")
    if not note:
        reasons.append("a retraction needs a correction note saying why")
    if reasons:
        raise WorkflowError(record, reasons)
    record.status = Status.RETRACTED
    _save(record, user, "Retracted")
    correction = Correction(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        kind=kind,
        date=timezone.localdate(),
        text=note,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    correction._history_user = user
    correction._change_reason = f"Retraction of {describe(record)}"
    correction.save()
    return correction


def apply_to_each(step, records, user, **kwargs) -> Outcome:
    """Run ``step`` on each record in turn, collecting what it did and what it refused.

    Each record is saved on its own, so each gets its own history entry; one
    refusal does not stop the others. A missing permission stops everything.
    """
    outcome = Outcome()
    for record in records:
        try:
            with transaction.atomic():
                step(record, user, **kwargs)
        except WorkflowError as refusal:
            outcome.refused.append(refusal)
        else:
            outcome.done.append(record)
    return outcome
