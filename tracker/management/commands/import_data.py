"""``manage.py import_data``: read back what ``export_data`` wrote, all of it or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.generate import refresh_statistics
from tracker.imports import ImportRefused, import_document, read_document


class Command(BaseCommand):
    help = (
        "Load a JSON document written by export_data into the database, in one transaction: "
        "either every record is loaded or nothing changes. Ids, statuses, timestamps and "
        "versions are kept exactly as exported, so exporting again gives an identical file. "
        "By default the database must hold no Parley data yet (a fresh migration); --merge "
        "loads into a database that has some, overwriting rows with the same id. The search "
        "index is rebuilt and the database's statistics refreshed afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The JSON document to read (UTF-8).")
        parser.add_argument(
            "--merge",
            action="store_true",
            help="Allow a database that already holds Parley data; rows with the same id "
            "are overwritten, other rows are kept.",
        )

    def handle(self, *args, file: str, merge: bool, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        try:
            counts = import_document(read_document(text), merge=merge)
        except ImportRefused as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        refresh_statistics()
        total = sum(counts.values())
        self.stdout.write(f"Imported {total} records from {len(counts)} tables.")
        if options["verbosity"] > 1:
            for label, count in counts.items():
                self.stdout.write(f"{label:>20}: {count}")
