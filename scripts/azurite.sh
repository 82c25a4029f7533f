#!/usr/bin/env bash
# Starts or stops a local Azurite (Azure Storage emulator) for tests and development.
#
#   scripts/azurite.sh start   install azurite@3.37.0 under .tools/ if needed, start it on
#                              127.0.0.1:10000-10002 with a fresh data folder, wait until it listens
#   scripts/azurite.sh stop    stop the Azurite this script started (by the pid it recorded)
#
# Azurite runs as one plain `node` process (never npx, whose wrapper leaves an orphaned node behind
# when killed), so the recorded pid is the server itself and killing it stops it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="3.37.0"
TOOLS="$ROOT/.tools"
PREFIX="$TOOLS/azurite"
ENTRY="$PREFIX/node_modules/azurite/dist/src/azurite.js"
DATA_ROOT="$TOOLS/azurite-data"
PID_FILE="$TOOLS/azurite.pid"
LOG_FILE="$TOOLS/azurite.log"
HOST="127.0.0.1"
BLOB_PORT=10000
# Blob, queue, table: Orleans clustering and reminders use the table port, so wait for all three.
PORTS=(10000 10001 10002)

log() { echo "azurite: $*" >&2; }
die() { log "$*"; exit 1; }

port_open() {
  # bash's /dev/tcp connect; the subshell closes the socket again at once.
  (exec 3<>"/dev/tcp/$HOST/${1:-$BLOB_PORT}") 2>/dev/null
}

all_ports_open() {
  local port
  for port in "${PORTS[@]}"; do port_open "$port" || return 1; done
}

installed_version() {
  local pkg="$PREFIX/node_modules/azurite/package.json"
  [[ -f "$pkg" ]] || return 0
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$pkg" | head -n 1
}

ensure_installed() {
  command -v node >/dev/null || die "node is not on PATH (Node.js 20 or later is needed to run Azurite)"
  if [[ "$(installed_version)" == "$VERSION" && -f "$ENTRY" ]]; then return 0; fi
  command -v npm >/dev/null || die "npm is not on PATH (needed once to install azurite@$VERSION)"
  log "installing azurite@$VERSION into $PREFIX"
  mkdir -p "$PREFIX"
  # azurite 3.37 declares Node 22 or later, but everything it does for the tests runs on Node 20 (the Node of
  # Debian 12's machines here, where the whole suite passes), so npm's EBADENGINE warnings say nothing useful;
  # --engine-strict=false keeps the install going and --loglevel=error keeps those warnings out of the output.
  npm install --prefix "$PREFIX" "azurite@$VERSION" --no-audit --no-fund --engine-strict=false --loglevel=error >&2
  [[ -f "$ENTRY" ]] || die "npm finished but $ENTRY is missing"
}

# The pid from the pid file if that process is still an Azurite node; a stale or recycled pid is not ours.
recorded_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q azurite; then
    echo "$pid"
  fi
}

start() {
  if port_open; then
    local pid
    pid="$(recorded_pid)"
    if [[ -n "$pid" ]]; then
      log "already running (pid $pid) on $HOST:$BLOB_PORT"
    else
      # Someone else's Azurite (or another service) owns the port: use it, but never stop it.
      rm -f "$PID_FILE"
      log "port $HOST:$BLOB_PORT is already open; reusing that server (no pid recorded, stop will not touch it)"
    fi
    return 0
  fi
  rm -f "$PID_FILE"
  ensure_installed

  # Fresh data every start: tests must not depend on what an earlier run left behind.
  rm -rf "$DATA_ROOT"
  mkdir -p "$DATA_ROOT/current"

  # --skipApiVersionCheck: newer Azure SDKs speak API versions Azurite 3.37 does not know yet.
  # stdin/stdout/stderr are detached so the caller's pipes close when the caller exits.
  node "$ENTRY" \
    --silent --disableTelemetry --skipApiVersionCheck \
    --location "$DATA_ROOT/current" \
    --blobHost "$HOST" --queueHost "$HOST" --tableHost "$HOST" \
    </dev/null >"$LOG_FILE" 2>&1 &
  local pid=$!
  echo "$pid" > "$PID_FILE"

  local waited=0
  until all_ports_open; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      die "exited before listening on $HOST:$BLOB_PORT; its output: $(tail -n 20 "$LOG_FILE" 2>/dev/null | tr '\n' ' ')"
    fi
    if (( waited >= 300 )); then
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "not listening on $HOST:${PORTS[*]} after 30 s; log: $LOG_FILE"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  log "started (pid $pid) on $HOST:10000-10002, data in $DATA_ROOT/current"
}

stop() {
  local pid
  pid="$(recorded_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    log "no Azurite started by this script is running"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= 100 )); then
      log "pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
