#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: first the normal build, then the
# same tests under AddressSanitizer + UndefinedBehaviorSanitizer, then the concurrent parts
# under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh

echo "== build (RelWithDebInfo, -Werror)"
bash ci/build.sh build/ci
echo "== tests"
ctest --test-dir build/ci --output-on-failure -j "$(nproc)" --timeout 600

echo "== build (ASan + UBSan)"
BUILD_TYPE=Debug bash ci/build.sh build/asan -DCMAKE_CXX_FLAGS=-O1 -DREAPI_SANITIZE=address,undefined -DREAPI_BENCH=OFF
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$(nproc)" --timeout 900

echo "== build (TSan) of the concurrent parts: the storage backends"
BUILD_TYPE=Debug bash ci/build.sh build/tsan -DCMAKE_CXX_FLAGS=-O1 -DREAPI_SANITIZE=thread -DREAPI_BENCH=OFF -DREAPI_TEST_GROUPS=storage
echo "== storage tests under TSan"
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan --output-on-failure -j "$(nproc)" \
  --timeout 900 -LE fuzz

