#pragma once
// reapi-bench's command line: the shared target options (with --target optional, so the raw
// baseline can run alone) plus the sizes and iteration counts of the benchmarks. Google
// Benchmark's own --benchmark_* flags are consumed before this parser sees the arguments.

#include <absl/status/statusor.h>

#include <string>
#include <variant>

#include "bench_config.h"
#include "reapi/target.h"

namespace reapi_bench {

struct CommandLine {
  reapi::TargetOptions target;  // address empty: no target, raw baseline only
  BenchConfig config;           // chunk_size and transfer_deadline are set once connected
};

// True if the arguments ask for --help (checked before Google Benchmark, which would
// answer it with its own flags only).
bool wants_help(int argc, char** argv);
// The usage of reapi-bench, its own options and Google Benchmark's.
std::string help_text();

// Parses the arguments left after benchmark::Initialize. Returns the process exit code
// instead when the program should stop (--help, or a usage error already printed).
std::variant<CommandLine, int> parse_command_line(int argc, char** argv);

}  // namespace reapi_bench
