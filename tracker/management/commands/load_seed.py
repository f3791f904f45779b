from django.core.management.base import BaseCommand

from tracker.seed.loader import load_seed


class Command(BaseCommand):
    help = (
        "Load Parley's seed data: the 2024 Iraq–United States talks on the US-led coalition "
        "as reported by NPR on 8 February 2024 (tracker/seed/). Every record is published and "
        "cites the report. Safe to run again: records that already match are left untouched."
    )

    def handle(self, *args, **options) -> None:
        loader = load_seed()
        if not loader.created and not loader.updated:
            self.stdout.write("Seed data already loaded; nothing changed.")
            return
        for name, count in sorted(loader.created.items()):
            self.stdout.write(f"created {count} {name}")
        for name, count in sorted(loader.updated.items()):
            self.stdout.write(f"updated {count} {name}")
