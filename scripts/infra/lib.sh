# shellcheck shell=bash
# Shared settings and helpers for the dev/CI servers (sourced by kafka.sh, clickhouse.sh, infra.sh).
# Everything listens on 127.0.0.1 only; state lives in QUANT_INFRA_DIR (default <repo>/.infra) and
# downloads in <repo>/.cache/infra, both git-ignored.

INFRA_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_SCRIPTS_DIR/../.." && pwd)"

INFRA_HOST=127.0.0.1
INFRA_DIR="${QUANT_INFRA_DIR:-$REPO_ROOT/.infra}"
INFRA_CACHE_DIR="${QUANT_INFRA_CACHE_DIR:-$REPO_ROOT/.cache/infra}"
# Seconds a server gets to become ready, and to stop after SIGTERM before it is killed.
INFRA_START_TIMEOUT="${QUANT_INFRA_START_TIMEOUT:-120}"
INFRA_STOP_TIMEOUT="${QUANT_INFRA_STOP_TIMEOUT:-30}"

KAFKA_PORT="${QUANT_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${QUANT_KAFKA_CONTROLLER_PORT:-9093}"
CLICKHOUSE_HTTP_PORT="${QUANT_CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${QUANT_CLICKHOUSE_TCP_PORT:-9000}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() {
  printf '[infra] error: %s\n' "$*" >&2
  exit 1
}

# A port setting must be a number, otherwise the error would surface much later as a bind failure.
check_port_setting() {
  local name="$1" value="$2"
  [[ "$value" =~ ^[0-9]+$ ]] && ((value > 0 && value < 65536)) || die "$name must be a TCP port (1-65535), got '$value'"
}

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp: no extra tool needed).
port_open() {
  (exec 3<>"/dev/tcp/$INFRA_HOST/$1") 2>/dev/null
}

# Fails with a clear message when a port we are about to bind is taken by someone else.
require_port_free() {
  local port="$1" setting="$2" what="$3"
  if port_open "$port"; then
    local owner=""
    if command -v ss >/dev/null 2>&1; then
      owner="$(ss -ltnpH "sport = :$port" 2>/dev/null | head -n 3)"
    fi
    die "port $port ($setting) for $what is already in use by another process${owner:+:
$owner}
Stop that process, or choose another port with $setting=<port>."
  fi
}

pid_alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null
}

# The pid from a pid file when that process still runs and its command line contains $2 (guards
# against a recycled pid after a reboot or a crash). Prints nothing otherwise.
running_pid() {
  local pid_file="$1" marker="$2" pid args
  [[ -f "$pid_file" ]] || return 0
  pid="$(tr -d '[:space:]' <"$pid_file")"
  pid_alive "$pid" || return 0
  args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || ps -o args= -p "$pid" 2>/dev/null || true)"
  [[ "$args" == *"$marker"* ]] && printf '%s' "$pid"
  return 0
}

# SIGTERM, wait up to INFRA_STOP_TIMEOUT seconds, then SIGKILL.
# Stops a server given its live pid (possibly empty) and forgets its pid and info files.
# Usage: stop_server NAME PID PID_FILE INFO_FILE STATE_DIR
stop_server() {
  local name=$1 pid=$2 pid_file=$3 info_file=$4 state=$5
  if [[ -z "$pid" ]]; then
    rm -f "$pid_file"
    printf '%s: not running (state %s)\n' "$name" "$state"
    return 0
  fi
  log "stopping $name (pid $pid)"
  stop_pid "$pid" "$name"
  rm -f "$pid_file" "$info_file"
  printf '%s: stopped (pid %s)\n' "$name" "$pid"
}

stop_pid() {
  local pid="$1" what="$2" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while pid_alive "$pid"; do
    if ((waited >= INFRA_STOP_TIMEOUT * 10)); then
      log "$what (pid $pid) still running after ${INFRA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Starts a long-running server in its own session, detached from the caller's terminal and pipes
# (so `npx quant infra up | tee` returns and Ctrl-C in the caller's shell does not kill it).
# Usage: start_detached <pid file> <stdout+stderr file> <command...>
start_detached() {
  local pid_file="$1" out_file="$2"
  shift 2
  # setsid execs in place here (a background job of a non-interactive shell is not a group leader),
  # so $! is the server's own pid.
  setsid "$@" >>"$out_file" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$pid_file"
}

# Prints the last lines of each existing log file, for start-up failures.
show_log_tail() {
  local f
  for f in "$@"; do
    if [[ -s "$f" ]]; then
      printf -- '----- last 40 lines of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

# GET a URL (or POST a body with -d) and print the response; curl when present, Node otherwise.
http_request() {
  local url="$1" body="${2:-}"
  if command -v curl >/dev/null 2>&1; then
    if [[ -n "$body" ]]; then
      curl -fsS --max-time 5 --data-binary "$body" "$url"
    else
      curl -fsS --max-time 5 "$url"
    fi
  else
    node -e '
      const [url, body] = process.argv.slice(1);
      fetch(url, { ...(body ? { method: "POST", body } : {}), signal: AbortSignal.timeout(5000) })
        .then(async (r) => { const t = await r.text(); if (!r.ok) { process.stderr.write(t); process.exit(1); } process.stdout.write(t); })
        .catch((e) => { process.stderr.write(String(e) + "\n"); process.exit(1); });
    ' "$url" "$body"
  fi
}

# Installs Debian packages (with sudo when not root). The package lists are refreshed only when the
# first attempt fails, so a warm machine never touches the network here.
apt_install() {
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "installing $* needs root or sudo; install them by hand: apt-get install -y $*"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these packages by hand: $*"
  log "installing Debian packages: $*"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; then
    log "apt-get install failed, refreshing the package lists and retrying"
    "${sudo[@]}" apt-get update -q >&2 || die "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 || die "apt-get install -y $* failed"
  fi
}

# Minimal JSON string escaping for the --json status output (paths and versions only).
json_str() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

json_or_null() {
  if [[ -n "${1:-}" ]]; then json_str "$1"; else printf 'null'; fi
}

# Seconds since the epoch with a decimal part, for the timings printed by `up`.
now_s() { date +%s.%N; }
elapsed_s() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
