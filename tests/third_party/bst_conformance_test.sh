#!/usr/bin/env bash
# The conformance suite against a server nobody here wrote: BuildStream's artifact server
# (Debian package buildstream). Each of its failures was read against its rule and is a
# fault of that server (listed, with the reason, in bst_expected_failures.txt). The test
# fails when the suite reports a failure not on that list (a new false alarm, or a changed
# check), or stops reporting one that is (a check that lost its teeth).
# Usage: bst_conformance_test.sh REAPI_CONFORMANCE       (exit 77: buildstream not installed)
set -euo pipefail
suite=$1
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 -c 'import buildstream' 2>/dev/null || { echo "buildstream not installed"; exit 77; }

work=$(mktemp -d /dev/shm/bst-conformance.XXXXXX 2>/dev/null || mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$here/bst_artifact_server.py" --repo "$work/repo" --port-file "$work/port" \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 150); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || { echo "bst artifact server did not start"; cat "$work/server.log"; exit 1; }

status=0
timeout 300 "$suite" --target "grpc://127.0.0.1:$(cat "$work/port")" --seed 1 --no-shrink \
  --json "$work/report.json" >"$work/suite.log" 2>&1 || status=$?
cat "$work/suite.log"
[[ $status -eq 1 ]] || { echo "FAIL: expected exit 1 (the server has known faults), got $status"; exit 1; }

/usr/bin/python3 - "$work/report.json" "$here/bst_expected_failures.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
failed = {c["id"] for c in report["checks"] if c["result"] == "failed"}
expected = set()
for line in open(sys.argv[2]):
    line = line.split("#", 1)[0].strip()
    if line:
        expected.add(line.split()[0])
new, gone = sorted(failed - expected), sorted(expected - failed)
for i in new:
    print("NEW FAILURE (read it against its rule; fix the check or add it to the list):", i)
for i in gone:
    print("EXPECTED FAILURE NOT REPORTED:", i)
sys.exit(1 if new or gone else 0)
PY
echo "PASS: bst-artifact-server fails exactly the $(grep -c '^[a-z]' "$here/bst_expected_failures.txt") known checks"
