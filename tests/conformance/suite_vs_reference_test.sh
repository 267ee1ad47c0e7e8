#!/usr/bin/env bash
# The whole conformance suite against the reference server must pass, SHOULD rules
# included (--strict), and its JUnit and JSON reports must be complete and well formed.
# Usage: suite_vs_reference_test.sh REFERENCE_SERVER REAPI_CONFORMANCE memory|disk
set -euo pipefail
server=$1 suite=$2 storage=$3
work=$(mktemp -d /dev/shm/suite-vs-reference.XXXXXX 2>/dev/null || mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

case $storage in
  memory) spec=memory:2GiB ;;
  disk) spec=disk:$work/cas:4GiB ;;
  *) echo "unknown storage $storage" >&2; exit 2 ;;
esac
"$server" --listen 127.0.0.1:0 --port-file "$work/port" --storage "$spec" --log-level warn \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || { echo "server did not start"; cat "$work/server.log"; exit 1; }

status=0
timeout 300 "$suite" --target "grpc://127.0.0.1:$(cat "$work/port")" --strict \
  --json "$work/report.json" --junit "$work/report.xml" || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAIL: the suite exited $status against the reference server ($storage)"
  tail -n 50 "$work/server.log"
  exit 1
fi

# The reports: every check present in both, none failed, the XML parses.
/usr/bin/python3 - "$work/report.json" "$work/report.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
report = json.load(open(sys.argv[1]))
checks = report["checks"]
assert report["exit_code"] == 0, report["summary"]
assert len(checks) == report["summary"]["checks"] > 100, len(checks)
bad = [c["id"] for c in checks if c["result"] not in ("passed", "skipped", "info")]
assert not bad, bad
root = ET.parse(sys.argv[2]).getroot()
cases = root.findall("./testsuite/testcase")
assert len(cases) == len(checks), (len(cases), len(checks))
assert not root.findall(".//failure"), "JUnit lists failures"
skipped = [c for c in checks if c["result"] == "skipped"]
print(f"{len(checks)} checks, {len(skipped)} skipped:", ", ".join(c["id"] for c in skipped))
PY
echo "PASS: the suite passes against the reference server ($storage)"
