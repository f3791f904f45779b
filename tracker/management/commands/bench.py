"""``manage.py bench``: measure every public page kind against a minimal Django view."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.bench import runner
from tracker.models import Statement


class Command(BaseCommand):
    help = (
        "Benchmark Parley on the configured database: serve it with gunicorn and production "
        "settings (2 workers on 127.0.0.1, a generated secret key) and measure every public "
        "page kind, each API list, search and the downloads against a baseline page (a "
        "minimal view rendering a small template, no database). Cold: up to --requests "
        "different URLs of each kind, each once, with the page cache off. Warm: one URL of "
        "each kind repeated --warm times, revalidating with its ETag, with caching as "
        "deployed. Also counts each page's SQL queries and reads the workers' memory after "
        "--memory-requests requests. Prints a table and writes JSON to --output. Fill the "
        "database first, e.g. with generate_data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Where to write the JSON results.")
        parser.add_argument(
            "--requests",
            type=int,
            default=100,
            help="Different URLs per page kind for the cold measurement (default 100).",
        )
        parser.add_argument(
            "--warm",
            type=int,
            default=50,
            help="Repeated revalidations per page kind for the warm measurement (default 50).",
        )
        parser.add_argument(
            "--memory-requests",
            type=int,
            default=10_000,
            help="Requests the warm server answers before its workers' memory is read "
            "(default 10000).",
        )
        parser.add_argument(
            "--file-requests",
            type=int,
            default=10,
            help="Different download files per format: whole files are slow (default 10).",
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=120.0,
            help="Seconds of cold requests per page kind; a kind slower than that is "
            "measured on fewer URLs, and the table says how many (default 120).",
        )

    def handle(self, *args, output: str, **options):
        for name in ("requests", "warm", "memory_requests", "file_requests"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if not Statement.objects.exists():
            raise CommandError("The database holds no statements; run generate_data first.")
        started = time.perf_counter()
        log = self.stdout.write if options["verbosity"] > 1 else (lambda line: None)
        results = runner.run(
            requests=options["requests"],
            warm=options["warm"],
            memory_requests=options["memory_requests"],
            file_requests=options["file_requests"],
            budget=options["budget"],
            log=log,
        )
        Path(output).write_text(json.dumps(results.as_json(), indent=2) + "\n")
        self.stdout.write(runner.table(results))
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {output} in {time.perf_counter() - started:.0f} s.")
        )
