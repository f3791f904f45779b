#!/usr/bin/env bash
# Smoke test of the benchmark: a small generated dataset in a throwaway SQLite
# database, a few requests per page kind. It checks that generate_data and bench
# run end to end and write their JSON; it asserts no timings (CI machines vary).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG=1
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
export DATABASE_URL="sqlite:///$workdir/bench.sqlite3"
unset REDIS_URL
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py generate_data --statements 2000
.venv/bin/python manage.py bench --output "$workdir/bench.json" \
  --requests 3 --warm 3 --memory-requests 200 --file-requests 1
.venv/bin/python - "$workdir/bench.json" <<'PY'
import json
import sys

results = json.load(open(sys.argv[1]))
assert set(results) == {"statements", "baseline_ms", "pages"}, results.keys()
assert results["statements"] == 2000
assert len(results["pages"]) >= 30, len(results["pages"])
print(f"bench smoke test passed: {len(results['pages'])} page kinds measured")
PY
