#include "bench_error.h"

#include <iostream>

namespace reapi_bench {

void fail_benchmark(benchmark::State& state, const std::string& message) {
  std::cerr << "reapi-bench: ERROR: " << message << std::endl;
  state.SkipWithError(message.c_str());
}

void fail_before_loop(benchmark::State& state, const std::string& message) {
  fail_benchmark(state, message);
  for (auto _ : state) {
  }
}

}  // namespace reapi_bench
