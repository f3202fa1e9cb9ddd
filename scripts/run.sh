#!/usr/bin/env bash
# Serve OpenCity: the web app over WSGI (granian, bounded threads), the huey worker and, when the
# MQTT broker answers, the MQTT ingest worker (manage.py mqtt_ingest; docs/monitoring.md).
#
# No orphans (docs/deployment.md): both run as children of this script and die with it — Ctrl+C,
# SIGTERM or a closed terminal stop both (the trap below), SIGKILL of this script reaches them
# through the kernel (setpriv --pdeathsig), and if one stops, the others are stopped too. A
# granian worker whose main process was killed stops by itself (opencity/lib/lifeline.py).
#
# Ctrl+C reaches only this script: each child runs in its own session (setsid), so the terminal's
# SIGINT does not hit granian's worker at the same moment as the SIGTERM its main process sends
# it. granian 2.8's WSGI worker could miss its stop signal in that race and hang, its main process
# waited for it forever, and the old `kill 0` of the whole process group (make included) ended
# `make run` in "Terminated" or "Segmentation fault" with the server still on the port (issue 14).
# Here the script stops each child once, waits, and exits 0 with one line.
set -uo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONPATH=src
# Load the address converter's tables in the background (~0.3 s once VAR_DIR/cache holds them).
export OPENCITY_WARM_ADDRESSES=${OPENCITY_WARM_ADDRESSES:-True}
# The demo places typed street addresses ("32 Lê Văn Hưu") with OpenStreetMap's Nominatim (one
# signed-in person's lookup at a time, cached); without a network a lookup just finds nothing
# and the form asks for a pin. A city sets its own service, or `none` (docs/configuration.md).
export OPENCITY_GEOCODER=${OPENCITY_GEOCODER:-nominatim}
# Seconds a child may take to stop before it (and its process group) is killed.
GRACE=${OPENCITY_STOP_GRACE:-10}

# Run "$@" in the background (`with_lifeline … &`) in a session of its own, so that it gets
# SIGTERM when this script dies, even by SIGKILL (Linux). exec: the command replaces the subshell
# `&` made (setsid execs too: the subshell is not a group leader), so its parent is this script
# and its pid is its process group's id.
with_lifeline() {
  local pre=()
  if command -v setpriv >/dev/null 2>&1; then pre+=(setpriv --pdeathsig TERM --); fi
  if command -v setsid >/dev/null 2>&1; then pre+=(setsid); fi
  exec "${pre[@]}" "$@"
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Ask the children to stop, once: granian by SIGTERM (graceful; it stops its workers), huey by
# SIGINT (graceful: it finishes the task in hand), the MQTT worker by SIGTERM (it stores and
# acknowledges what it has received, then leaves the broker).
ask_to_stop() {
  if [ "$asked" != "$WEB $WORKER $MQTT" ]; then  # once per child (a signal may come before all run)
    if alive "$WEB"; then kill -TERM "$WEB" 2>/dev/null; fi
    if alive "$WORKER"; then kill -INT "$WORKER" 2>/dev/null; fi
    if alive "$MQTT"; then kill -TERM "$MQTT" 2>/dev/null; fi
    asked="$WEB $WORKER $MQTT"
  fi
  return 0
}

# Stop the children and reap them; whatever is still there after $GRACE s is killed with its
# process group.
stop_all() {
  trap '' INT TERM HUP  # a second Ctrl+C does not interrupt the stop
  ask_to_stop
  local waited=0
  while { alive "$WEB" || alive "$WORKER" || alive "$MQTT"; } && [ "$waited" -lt $((GRACE * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in $WEB $WORKER $MQTT; do
    if alive "$pid"; then
      echo "  Process $pid did not stop within $GRACE s: killed." >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
  done
  wait 2>/dev/null
  return 0
}

stopped() {
  stop_all
  echo "  OpenCity stopped."
  exit 0
}

WEB=""
WORKER=""
MQTT=""
interrupted=""
asked=""
# The handler asks the children to stop at once: even if the signal lands just before `wait -n`
# starts, their exit ends the wait.
trap 'interrupted=1; ask_to_stop' INT TERM HUP
trap 'stop_all' EXIT

with_lifeline $BIN/python manage.py run_huey --quiet &
WORKER=$!
[ -z "$interrupted" ] || stopped

# The MQTT ingest worker, when the broker answers (a local Mosquitto is started if it is installed
# and not running, for the default 127.0.0.1:1883); without a broker, HTTP ingest still works.
MQTT_HOST=${OPENCITY_MQTT_HOST:-127.0.0.1}
MQTT_PORT=${OPENCITY_MQTT_PORT:-1883}
broker_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$MQTT_HOST/$MQTT_PORT" 2>/dev/null; }
if ! broker_answers && [[ "$MQTT_HOST" == 127.0.0.1 || "$MQTT_HOST" == localhost ]] && [ "$MQTT_PORT" = 1883 ] \
    && command -v mosquitto >/dev/null 2>&1 && [ -r /etc/mosquitto/mosquitto.conf ]; then
  echo "  Starting Mosquitto (mosquitto -d -c /etc/mosquitto/mosquitto.conf)."
  mosquitto -d -c /etc/mosquitto/mosquitto.conf 2>/dev/null || true
  for _ in $(seq 1 20); do broker_answers && break; sleep 0.25; done
fi
if broker_answers; then
  with_lifeline $BIN/python manage.py mqtt_ingest &
  MQTT=$!
  [ -z "$interrupted" ] || stopped
  MQTT_NOTE="  MQTT ingest: $MQTT_HOST:$MQTT_PORT, topics ${OPENCITY_MQTT_TOPIC_PREFIX:-opencity/ingest}/<datastream> (live readings: manage.py monitoring_simulate --rise)."
else
  MQTT_NOTE="  MQTT broker not reachable at $MQTT_HOST:$MQTT_PORT; MQTT ingest is off (HTTP ingest works)."
fi
echo
echo "  OpenCity is running: http://$HOST:$PORT/"
$BIN/python manage.py demo_logins || true
case "${OPENCITY_SMS_BACKEND:-ConsoleBackend}" in
  *ConsoleBackend)
    # Refused at start-up unless meant (OPENCITY_SMS_ALLOW_CONSOLE=True, as `make run` sets).
    echo "  Text messages (sign-up codes) are printed below, not sent: console SMS backend."
    echo "  Production sets an SMS gateway (docs/configuration.md, \"Text messages\")." ;;
esac
echo "$MQTT_NOTE"
echo "  Stop with Ctrl+C."
echo
with_lifeline $BIN/granian --interface wsgi --host "$HOST" --port "$PORT" \
  --workers "${OPENCITY_WEB_WORKERS:-1}" --blocking-threads "${OPENCITY_WEB_THREADS:-8}" \
  --workers-kill-timeout "$GRACE" --working-dir src opencity.wsgi:application &
WEB=$!
[ -z "$interrupted" ] || stopped
# Until a signal comes or a child stops (a crash, a kill); then both are stopped (stop_all).
while [ -z "$interrupted" ] && alive "$WEB" && alive "$WORKER" && { [ -z "$MQTT" ] || alive "$MQTT"; }; do
  wait -n
done
[ -z "$interrupted" ] || stopped
if ! alive "$WEB"; then who="the web server (granian)"
elif ! alive "$WORKER"; then who="the worker (huey)"
else who="the MQTT ingest worker"; fi
stop_all
echo "  OpenCity stopped: $who exited." >&2
exit 1
