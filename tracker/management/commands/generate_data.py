"""``manage.py generate_data``: fill the database with a large, realistic dataset for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from tracker import generate


class Command(BaseCommand):
    help = (
        "Fill the configured database with a generated, realistic dataset: about 50 talks, "
        "2,000 actors and 500 topics at 200,000 statements, and position histories, events, "
        "milestones, sources, citations, relationships, participations, key figures and "
        "corrections in proportion. Most records are published; a realistic share are drafts "
        "or in review. The same --statements and --seed always give the same rows. "
        "It refuses to touch a database that already holds Parley records unless --flush is "
        "given, which first deletes every Parley record (talks, actors, statements, sources, "
        "their links, history and the search index; never user accounts), so re-running "
        "with --flush is idempotent. Generated rows get no history rows (they have no editor) "
        "and the search index is rebuilt at the end. For benchmarks, not for production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--statements",
            type=int,
            default=200_000,
            help="How many statements to generate; every other count scales with it "
            "(default 200000).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Seed of the random generator; the same seed gives the same rows (default 1).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete every Parley record first (user accounts stay). Without it the "
            "command only runs on a database with no talks, actors, statements or sources.",
        )

    def handle(self, *args, statements: int, seed: int, flush: bool, **options):
        if statements < 1:
            raise CommandError("--statements must be at least 1.")
        started = time.perf_counter()
        if generate.has_records():
            if not flush:
                raise CommandError(
                    "The database already holds Parley records. Use --flush to delete them "
                    "all and generate afresh (user accounts are kept)."
                )
            generate.flush()
            self.stdout.write(f"  {'flush':<24} {time.perf_counter() - started:6.1f} s")
        log = self.stdout.write if options["verbosity"] > 0 else (lambda line: None)
        counts = generate.generate(statements, seed=seed, log=log)
        elapsed = time.perf_counter() - started
        if options["verbosity"] > 0:
            for name, count in counts.items():
                self.stdout.write(f"{name:>26}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {statements} statements (seed {seed}) in {elapsed:.1f} s."
            )
        )
