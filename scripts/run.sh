#!/usr/bin/env bash
# Serve OpenCity: the web app over WSGI (granian, bounded threads) and the huey worker.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONPATH=src
export OPENCITY_WARM_ADDRESSES=True
trap 'kill 0 2>/dev/null' EXIT INT TERM
$BIN/python manage.py run_huey --quiet &
echo
echo "  OpenCity is running: http://$HOST:$PORT/"
$BIN/python manage.py demo_logins || true
echo "  Stop with Ctrl+C."
echo
$BIN/granian --interface wsgi --host "$HOST" --port "$PORT" \
  --workers "${OPENCITY_WEB_WORKERS:-1}" --blocking-threads "${OPENCITY_WEB_THREADS:-8}" \
  --working-dir src opencity.wsgi:application
