#!/usr/bin/env bash
# A real client against the reference server: Bazel (Debian's bazel-bootstrap) builds a
# small workspace with --remote_cache, cleans, builds again, and every action must come
# back as a remote cache hit with the right outputs. Run for memory and disk storage.
# Usage: bazel_remote_cache_test.sh REFERENCE_SERVER_BINARY
set -euo pipefail
server_bin=$1
if ! command -v bazel >/dev/null; then
  echo "SKIP: bazel is not installed (apt-get install bazel-bootstrap)"
  exit 77
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/ws/sub"
touch "$work/ws/WORKSPACE"
cat > "$work/ws/BUILD" <<'BUILD'
genrule(name = "small", outs = ["small.txt"], cmd = "echo small-output > $@")
genrule(name = "big", outs = ["big.bin"], cmd = "head -c 3000000 /dev/zero | tr '\\0' 'x' > $@")
genrule(name = "combined", srcs = [":small", "//sub:lib"], outs = ["combined.txt"],
        cmd = "cat $(SRCS) > $@")
BUILD
cat > "$work/ws/sub/BUILD" <<'BUILD'
genrule(name = "lib", outs = ["lib.txt"], cmd = "echo from-sub > $@; echo to-stderr >&2",
        visibility = ["//visibility:public"])
BUILD

bazel_build() {
  (cd "$work/ws" && timeout 300 bazel --output_user_root="$work/root" --batch build \
    //:small //:big //:combined --remote_cache="grpc://127.0.0.1:$port" --spawn_strategy=local \
    --noshow_progress 2>&1)
}

for storage in "memory:256MiB" "disk:$work/cas:1GiB"; do
  echo "== storage $storage"
  rm -f "$work/port"
  "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port" --storage "$storage" \
    > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(cat "$work/port")

  first=$(bazel_build) || { echo "$first"; cat "$work/server.log"; exit 1; }
  echo "$first" | grep -E "processes" || true
  (cd "$work/ws" && timeout 300 bazel --output_user_root="$work/root" --batch clean >/dev/null 2>&1)
  second=$(bazel_build) || { echo "$second"; cat "$work/server.log"; exit 1; }
  echo "$second" | grep -E "processes"
  if ! echo "$second" | grep -q "4 remote cache hit"; then
    echo "FAIL: expected all 4 actions to be remote cache hits after a clean"
    echo "$second"
    cat "$work/server.log"
    exit 1
  fi
  [ "$(cat "$work/ws/bazel-bin/combined.txt")" = "$(printf 'small-output\nfrom-sub')" ] ||
    { echo "FAIL: combined.txt has the wrong content"; exit 1; }
  [ "$(wc -c < "$work/ws/bazel-bin/big.bin")" -eq 3000000 ] ||
    { echo "FAIL: big.bin has the wrong size"; exit 1; }
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=
  (cd "$work/ws" && timeout 300 bazel --output_user_root="$work/root" --batch clean >/dev/null 2>&1)
done
echo "PASS: Bazel got every action from the reference server's cache on both backends"
