"""``manage.py rebuild_search_index``: rewrite the search index from the public records."""

import time

from django.core.management.base import BaseCommand

from tracker import search


class Command(BaseCommand):
    help = (
        "Rewrite the search index from every public record: talks, actors, topics, positions, "
        "statements, events, milestones and sources. Saving a record keeps the index current "
        "on its own; run this after bulk loads that bypass model saves (bulk_create, update(), "
        "loaddata) or after a migration that rebuilt the search table. Safe to run at any time: "
        "it works in one transaction and gives the same result when repeated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="How many records to read and write at a time (default 2000).",
        )

    def handle(self, *args, batch_size: int, **options):
        started = time.perf_counter()
        counts = search.rebuild(batch_size=batch_size)
        elapsed = time.perf_counter() - started
        for kind, count in counts.items():
            self.stdout.write(f"{kind:>10}: {count}")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} records in {elapsed:.1f} s."))
