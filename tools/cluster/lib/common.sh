# Shared by up, down and restart-apiserver: paths and helpers for one control plane whose state lives in a directory.
# shellcheck shell=bash

cluster_dir() {
  [[ $# -eq 1 && -n "$1" ]] || { echo "usage: $(basename "$0") DIR" >&2; exit 2; }
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# Waits for a command to succeed, at most $1 seconds; says what it waited for when it gives up.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "cluster: gave up after ${seconds}s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

# True while the pid in DIR/pids/NAME.pid is alive and still one of ours (its command line names DIR), so a pid the
# kernel has since given to another process is never signalled.
ours_alive() {
  local dir="$1" name="$2" pid
  pid="$(cat "$dir/pids/$name.pid" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir"
}

# Stops one process that up started, by its recorded pid: TERM, then KILL if it lingers.
stop_one() {
  local dir="$1" name="$2" pid
  if ours_alive "$dir" "$name"; then
    pid="$(cat "$dir/pids/$name.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$dir/pids/$name.pid"
}

# Starts a process detached from the caller's session, logging to DIR/logs/NAME.log, and records its pid.
start_one() {
  local dir="$1" name="$2"; shift 2
  mkdir -p "$dir/pids" "$dir/logs"
  setsid "$@" </dev/null >>"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

apiserver_ready() {
  local dir="$1"
  # shellcheck source=/dev/null
  source "$dir/ports.env"
  [[ "$(curl -sS --max-time 2 --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" --key "$dir/pki/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz")" == ok ]]
}
