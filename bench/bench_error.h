#pragma once
// Failing a benchmark loudly: the message goes to stderr at once (the table may be far
// below) and the run is marked as errored, which makes reapi-bench exit non-zero.

#include <benchmark/benchmark.h>

#include <string>

namespace reapi_bench {

void fail_benchmark(benchmark::State& state, const std::string& message);
// For failures in set-up, before the timed loop: fails and lets the (now empty) loop end,
// as Google Benchmark requires of every benchmark function.
void fail_before_loop(benchmark::State& state, const std::string& message);

}  // namespace reapi_bench
