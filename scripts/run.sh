#!/usr/bin/env bash
# Serve OpenCity: the web app over WSGI (granian, bounded threads) and the huey worker.
#
# No orphans (docs/deployment.md): both run as children of this script and die with it — Ctrl+C
# or SIGTERM stops both (trap), SIGKILL of this script reaches them through the kernel
# (setpriv --pdeathsig), and if either stops, the other is stopped too. A granian worker whose
# main process was killed stops by itself (opencity/lib/lifeline.py).
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONPATH=src
# Load the address converter's tables in the background (~0.3 s once VAR_DIR/cache holds them).
export OPENCITY_WARM_ADDRESSES=${OPENCITY_WARM_ADDRESSES:-True}
trap 'trap - EXIT INT TERM; kill 0 2>/dev/null' EXIT INT TERM

# Run "$@" (in the background: `with_lifeline … &`) so that it gets SIGTERM when this script
# dies, even by SIGKILL (Linux). exec: the command replaces the subshell `&` made, so its parent
# is this script.
with_lifeline() {
  if command -v setpriv >/dev/null 2>&1; then
    exec setpriv --pdeathsig TERM -- "$@"
  else
    exec "$@"
  fi
}

with_lifeline $BIN/python manage.py run_huey --quiet &
echo
echo "  OpenCity is running: http://$HOST:$PORT/"
$BIN/python manage.py demo_logins || true
echo "  Stop with Ctrl+C."
echo
with_lifeline $BIN/granian --interface wsgi --host "$HOST" --port "$PORT" \
  --workers "${OPENCITY_WEB_WORKERS:-1}" --blocking-threads "${OPENCITY_WEB_THREADS:-8}" \
  --working-dir src opencity.wsgi:application &
# Whichever stops first (a crash, a kill), the other is stopped with this script (the trap).
wait -n
