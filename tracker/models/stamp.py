"""The publication stamp: one row that changes whenever anything the public may see changes."""

from django.db import models
from django.utils import timezone

from tracker.models.base import QuickLoading


class PublicationStamp(QuickLoading):
    """When Parley's records last changed, and a counter of changes.

    ``tracker.caching`` bumps it from the save, delete and many-to-many signals
    of every record and link, in the same transaction as the change, and
    derives every public page's ETag, Last-Modified and cache key from it: one
    cheap read tells whether anything a page shows may have changed.
    """

    version = models.PositiveBigIntegerField("version", default=0)
    changed_at = models.DateTimeField("changed at", default=timezone.now)

    class Meta:
        verbose_name = "publication stamp"
        verbose_name_plural = "publication stamp"

    def __str__(self) -> str:
        return f"Publication stamp {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
