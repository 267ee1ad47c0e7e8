#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, starts the reference server on a
# free loopback port, runs the conformance suite (reapi-conformance) against it, prints the
# report, stops the server, and exits with the suite's status. Reports are also written to
# build/main/conformance-report.{xml,json}.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/main
server_bin=$build/reference/server/reference-server
suite_bin=$build/conformance/reapi-conformance
ready_timeout_s=30
stop_timeout_s=10

echo "== install missing Debian packages"
bash ci/install-deps.sh

echo "== build ($build, RelWithDebInfo, -Werror)"
bash ci/build.sh "$build"
for binary in "$server_bin" "$suite_bin"; do
  if [ ! -x "$binary" ]; then
    echo "main.sh: $binary was not built" >&2
    exit 1
  fi
done

workdir=$(mktemp -d)
port_file=$workdir/port
server_log=$build/reference-server.log
server_pid=
suite_pid=

# shellcheck disable=SC2317  # run by the EXIT trap
stop_server() {
  if [ -n "$suite_pid" ]; then kill -TERM "$suite_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # The server drains calls in flight on SIGTERM; give it a bounded time, then force it.
    for _ in $(seq $((stop_timeout_s * 10))); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "main.sh: server did not stop within ${stop_timeout_s}s; sending SIGKILL" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
    echo "== reference server stopped"
  fi
  rm -rf "$workdir"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_log() {
  echo "-- last lines of the server log:" >&2
  tail -n 30 "$server_log" >&2 || true
}

# Port 0: the server picks a free port itself and writes it to the port file, so no other
# process can take the port between choosing and binding it.
echo "== start reference server (127.0.0.1, free port, memory:1GiB)"
"$server_bin" --listen 127.0.0.1:0 --port-file "$port_file" --storage memory:1GiB \
  >"$server_log" 2>&1 &
server_pid=$!

port=
for _ in $(seq $((ready_timeout_s * 10))); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "main.sh: reference server exited during startup" >&2
    show_server_log
    exit 1
  fi
  if [ -z "$port" ] && [ -s "$port_file" ]; then port=$(tr -dc '0-9' <"$port_file"); fi
  # Ready once the port accepts a TCP connection.
  if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$port" ] || ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "main.sh: reference server not accepting connections after ${ready_timeout_s}s" >&2
  show_server_log
  exit 1
fi
echo "== reference server pid $server_pid listening on 127.0.0.1:$port (log: $server_log)"

echo "== reapi-conformance --target grpc://127.0.0.1:$port"
# In the background so that a signal to this script is handled at once (by the traps).
"$suite_bin" --target "grpc://127.0.0.1:$port" \
  --junit "$build/conformance-report.xml" --json "$build/conformance-report.json" &
suite_pid=$!
status=0
wait "$suite_pid" || status=$?
suite_pid=
if [ "$status" -ne 0 ]; then
  echo "main.sh: reapi-conformance failed (exit status $status)" >&2
  show_server_log
else
  echo "== main job passed"
fi
exit "$status"
