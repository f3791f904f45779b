#!/usr/bin/env bash
# Fuzz the live read-only API against its own OpenAPI schema with schemathesis.
#
# Starts Parley with runserver on a free port of 127.0.0.1, against a fresh
# SQLite database (migrated and seeded) in a temporary folder, with production
# settings (DEBUG off), then runs every schemathesis check on every operation of
# /api/v1/schema/. Fails on any server error, any response that strays from the
# schema, any invalid input accepted or valid input rejected. Bounded in time:
# a few minutes on two cores, killed at $SCHEMATHESIS_TIMEOUT seconds.
#
# Usage: bash .ci/schemathesis.sh   (from anywhere; needs .venv with requirements-dev.txt)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SCHEMATHESIS=${SCHEMATHESIS:-.venv/bin/schemathesis}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-20}
SEED=${SCHEMATHESIS_SEED:-20240208}
TIMEOUT=${SCHEMATHESIS_TIMEOUT:-600}

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Production settings, served over plain HTTP on the loopback address.
export DJANGO_DEBUG=0
export DJANGO_HTTPS=0
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECRET_KEY
DJANGO_SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DATABASE_URL="sqlite:///$work/db.sqlite3"
export DJANGO_STATIC_ROOT="$work/static"

port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "schemathesis: migrating and seeding a database in $work"
"$PYTHON" manage.py migrate --no-input --verbosity 0
"$PYTHON" manage.py load_seed --verbosity 0
# Production serves hashed static files from a manifest, as after a deploy.
"$PYTHON" manage.py collectstatic --no-input --verbosity 0

echo "schemathesis: serving on http://127.0.0.1:$port/"
"$PYTHON" manage.py runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server=$!

status=0
timeout "$TIMEOUT" "$SCHEMATHESIS" run "http://127.0.0.1:$port/api/v1/schema/?format=json" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers 2 \
    --wait-for-schema 60 \
    --request-timeout 30 \
    --no-color || status=$?

# Belt and braces: the server's own log must show no 5xx answer and no traceback.
if grep -qE '" 5[0-9]{2} |Traceback' "$work/server.log"; then
    grep -nE -A 30 '" 5[0-9]{2} |Traceback' "$work/server.log" | head -200 >&2
    echo "schemathesis: the server answered with an error (log above)" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "schemathesis: FAILED (exit $status)" >&2
else
    echo "schemathesis: no server error, no schema violation"
fi
exit "$status"
