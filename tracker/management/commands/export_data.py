"""``manage.py export_data``: all of Parley as one JSON document, for backup and migration."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.exports import write_export


class Command(BaseCommand):
    help = (
        "Write every record of Parley's data as one JSON document: all statuses (drafts, in "
        "review, published, retracted), every table including the link tables (participations, "
        "actors' roles in events, citations, corrections) and many-to-many links, with primary "
        "keys and timestamps. The output is deterministic (sorted keys, rows by id), so two "
        "exports of the same data are identical. Read it back with import_data. The audit "
        "history, user accounts and the search index are not part of the format."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            required=True,
            metavar="FILE",
            help='Where to write the JSON document (UTF-8); "-" writes to standard output.',
        )

    def handle(self, *args, output: str, **options):
        if output == "-":
            counts = write_export(sys.stdout)
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"No such directory: {path.parent}")
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as stream:
                counts = write_export(stream)
            partial.replace(path)  # never leave half a backup under the real name
        finally:
            partial.unlink(missing_ok=True)
        total = sum(counts.values())
        self.stderr.write(f"Wrote {total} records from {len(counts)} tables to {path}.")
        if options["verbosity"] > 1:
            for label, count in counts.items():
                self.stderr.write(f"{label:>20}: {count}")
