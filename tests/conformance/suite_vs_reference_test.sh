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

# The two runs differ in configuration so that between them every optional path runs:
# memory has a per-blob limit at the suite's largest blob (3 MiB, under the batch limit) so
# the size-limit checks run, and SplitBlob/SpliceBlob; disk has neither, so the checks of
# blobs over 4 MiB run and CAS-SPLIT-01 sees the calls refused. Each run names the checks
# that must have run and passed there (not been skipped).
case $storage in
  memory)
    spec=memory:2GiB
    options=(--max-cas-blob-size 3MiB)
    must_pass=(cas.split.advertise_or_refuse cas.split.chunks_reassemble
      cas.split.chunk_digests_use_request_function cas.split.absent_blob_not_found
      cas.split.chunking_function_reported cas.split.splice_creates_blob
      cas.split.splice_missing_chunk_not_found cas.split.splice_verifies_digest
      cas.split.splice_existing_blob cas.split.splice_requires_blob_digest
      capabilities.split_splice_flags_truthful capabilities.chunking_params_in_range
      capabilities.max_blob_size_valid cas.batch_update.rejects_blob_over_max_size
      bytestream.write.over_max_size_rejected)
    ;;
  disk)
    spec=disk:$work/cas:4GiB
    options=(--no-split-splice)
    must_pass=(cas.split.advertise_or_refuse capabilities.split_splice_flags_truthful
      bytestream.read.chunked_under_4mib)
    ;;
  *) echo "unknown storage $storage" >&2; exit 2 ;;
esac
"$server" --listen 127.0.0.1:0 --port-file "$work/port" --storage "$spec" --log-level warn \
  "${options[@]}" >"$work/server.log" 2>&1 &
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

# The reports: every check present in both, none failed, the XML parses, and the checks
# this configuration is for ran and passed.
/usr/bin/python3 - "$work/report.json" "$work/report.xml" "${must_pass[@]}" <<'PY'
import json, sys, xml.etree.ElementTree as ET
report = json.load(open(sys.argv[1]))
checks = report["checks"]
assert report["exit_code"] == 0, report["summary"]
assert len(checks) == report["summary"]["checks"] > 100, len(checks)
bad = [c["id"] for c in checks if c["result"] not in ("passed", "skipped", "info")]
assert not bad, bad
result = {c["id"]: c["result"] for c in checks}
not_run = [(i, result.get(i)) for i in sys.argv[3:] if result.get(i) != "passed"]
assert not not_run, f"expected to run and pass here: {not_run}"
root = ET.parse(sys.argv[2]).getroot()
cases = root.findall("./testsuite/testcase")
assert len(cases) == len(checks), (len(cases), len(checks))
assert not root.findall(".//failure"), "JUnit lists failures"
skipped = [c for c in checks if c["result"] == "skipped"]
print(f"{len(checks)} checks, {len(skipped)} skipped:", ", ".join(c["id"] for c in skipped))
PY
echo "PASS: the suite passes against the reference server ($storage)"
