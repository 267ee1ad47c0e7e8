#!/usr/bin/env bash
# The whole conformance suite against the reference server must pass, SHOULD rules
# included (--strict), and its JUnit and JSON reports must be complete and well formed.
# The reference is correct in every configuration its flags allow, so any failure here is
# a false alarm of the suite.
# Usage: suite_vs_reference_test.sh REFERENCE_SERVER REAPI_CONFORMANCE CONFIGURATION
#   CONFIGURATION: memory | disk | small-limits | tight-transport | instance-md5 | read-only
set -euo pipefail
server=$1 suite=$2 config=$3
work=$(mktemp -d /dev/shm/suite-vs-reference.XXXXXX 2>/dev/null || mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The runs differ in configuration so that between them every optional path runs and the
# suite adapts to every limit a server may advertise: memory has a per-blob limit at the
# suite's largest blob (3 MiB, under the batch limit) so the size-limit checks run, and
# SplitBlob/SpliceBlob; disk has neither, so the checks of blobs over 4 MiB run and
# CAS-SPLIT-01 sees the calls refused; the others are described at each. Each run names the
# checks that must have run and passed there (not been skipped). `warns` lists the checks
# whose SHOULD-level warning is a true statement about that configuration: those runs are
# not --strict, and exactly those warnings must appear.
spec=memory:2GiB
options=()
suite_options=()
strict=(--strict)
warns=()
case $config in
  memory)
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
  small-limits)
    # The smallest batch limit swept (1 KiB), with a blob limit above it: blobs a check
    # stores or reads back go by ByteStream when they do not fit a batch, batch sizes are
    # drawn within the limit, and the checks that upload under every advertised digest
    # function (the false alarms once seen here) keep within it too.
    options=(--max-batch-size 1KiB --max-cas-blob-size 20KiB)
    must_pass=(cas.batch_update.over_limit_rejected cas.batch_update.at_limit_accepted
      cas.batch_read.over_limit_rejected capabilities.batch_limit_fits_transport
      common.hashes_lowercase_hex common.explicit_digest_function
      common.digest_function_inferred_when_unset capabilities.listed_functions_work
      cas.get_tree.uses_request_digest_function bytestream.name.write_name_form
      bytestream.name.digest_function_segment action_cache.digest_function_field
      bytestream.write.over_max_size_rejected)
    ;;
  tight-transport)
    # A gRPC receive limit far below the default, with the batch limit the reference then
    # requires under it: ByteStream messages must stay within what the advertised batch
    # limit implies the server receives, blobs up to 3 MiB included. The suite's own message
    # limit is small too: it shapes what the suite sends, never which replies it accepts
    # (the reference's 1 MiB read chunks once failed reads here, blaming the server).
    options=(--max-receive-message-size 128KiB --max-batch-size 64KiB)
    suite_options=(--max-message-size 160KiB)
    must_pass=(capabilities.batch_limit_fits_transport cas.batch_update.at_limit_accepted
      bytestream.write.successful_upload bytestream.write.no_messages_after_finish
      bytestream.read.chunked_under_4mib common.resource_name_header
      concurrency.concurrent_uploads_same_blob)
    ;;
  instance-md5)
    # A named instance and a single digest function that is not SHA-256 (MD5, whose hash
    # length it shares with MURMUR3), with a small batch limit: every name, request and
    # read-back path must carry the instance and the function.
    options=(--instance main --digest-function md5 --max-batch-size 4KiB)
    suite_options=(--instance main)
    must_pass=(common.instance_name_consistent common.explicit_digest_function
      common.digest_function_inferred_when_unset capabilities.listed_functions_work
      bytestream.name.write_name_form bytestream.name.digest_function_segment
      cas.get_tree.uses_request_digest_function action_cache.digest_function_field)
    ;;
  read-only)
    # Every write refused: the checks that must write skip rather than fail, and the one
    # warning is CAP-08's true statement that Bazel with default flags refuses this cache.
    options=(--read-only)
    strict=()
    warns=(capabilities.writable_for_bazel)
    must_pass=(capabilities.listed_functions_work capabilities.update_flag_truthful
      action_cache.update_matches_capability common.empty_blob_always_present
      bytestream.read.absent_not_found)
    ;;
  *) echo "unknown configuration $config" >&2; exit 2 ;;
esac
"$server" --listen 127.0.0.1:0 --port-file "$work/port" --storage "$spec" --log-level warn \
  "${options[@]}" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || { echo "server did not start"; cat "$work/server.log"; exit 1; }

status=0
timeout 300 "$suite" --target "grpc://127.0.0.1:$(cat "$work/port")" "${strict[@]}" \
  "${suite_options[@]}" --json "$work/report.json" --junit "$work/report.xml" || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAIL: the suite exited $status against the reference server ($config)"
  tail -n 50 "$work/server.log"
  exit 1
fi

# The reports: every check present in both, none failed, only the expected warnings, the
# XML parses, and the checks this configuration is for ran and passed.
/usr/bin/python3 - "$work/report.json" "$work/report.xml" "${warns[*]}" "${must_pass[@]}" <<'PY'
import json, sys, xml.etree.ElementTree as ET
report = json.load(open(sys.argv[1]))
checks = report["checks"]
assert report["exit_code"] == 0, report["summary"]
assert len(checks) == report["summary"]["checks"] > 100, len(checks)
bad = [c["id"] for c in checks if c["result"] not in ("passed", "skipped", "info", "warning")]
assert not bad, bad
warned = sorted(c["id"] for c in checks if c["result"] == "warning")
assert warned == sorted(sys.argv[3].split()), f"warnings {warned}, expected {sys.argv[3].split()}"
result = {c["id"]: c["result"] for c in checks}
not_run = [(i, result.get(i)) for i in sys.argv[4:] if result.get(i) != "passed"]
assert not not_run, f"expected to run and pass here: {not_run}"
root = ET.parse(sys.argv[2]).getroot()
cases = root.findall("./testsuite/testcase")
assert len(cases) == len(checks), (len(cases), len(checks))
assert not root.findall(".//failure"), "JUnit lists failures"
skipped = [c for c in checks if c["result"] == "skipped"]
print(f"{len(checks)} checks, {len(skipped)} skipped:", ", ".join(c["id"] for c in skipped))
PY
echo "PASS: the suite passes against the reference server ($config)"
