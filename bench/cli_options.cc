#include "cli_options.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <string_view>

#include "reapi/byte_size.h"
#include "reapi/digest_function.h"

namespace reapi_bench {
namespace {

constexpr const char* kDescription =
    "reapi-bench: ByteStream throughput and small-blob latency of an REAPI server, side by "
    "side with the raw gRPC streaming rate of this machine (an in-process null ByteStream "
    "server). Google Benchmark flags (--benchmark_filter=REGEX, --benchmark_repetitions=N, "
    "--benchmark_out=FILE, --benchmark_out_format=json, ...) are accepted too.";

constexpr const char* kBenchmarkFlags =
    "\nGoogle Benchmark flags (use the --flag=value form):\n"
    "  --benchmark_filter=REGEX        Run only matching benchmarks, e.g. 'raw' or 'Write'\n"
    "  --benchmark_repetitions=N       Repeat each benchmark N times (summary averages them)\n"
    "  --benchmark_format=console|json Display format (the summary goes to stderr for json)\n"
    "  --benchmark_out=FILE            Also write the results to FILE\n"
    "  --benchmark_out_format=json|console|csv\n"
    "  --benchmark_list_tests=true     List the benchmarks and exit\n"
    "\nExample:\n"
    "  reapi-bench --target grpc://127.0.0.1:50051 --blob-size 256MiB\n";

// Option values as typed, before they are checked and converted into a CommandLine.
struct TypedOptions {
  std::string blob_size = "256MiB";
  std::string small_blob_size = "4KiB";
  std::string digest_function = "sha256";
  bool quick = false;
  CLI::Option* blob_size_option = nullptr;
  CLI::Option* iterations_option = nullptr;
  CLI::Option* latency_option = nullptr;
};

void add_options(CLI::App& app, CommandLine& cl, TypedOptions& typed) {
  reapi::add_target_options(app, cl.target);
  app.get_option("--target")
      ->required(false)
      ->description(
          "Server to benchmark: grpc://HOST:PORT, grpcs://HOST:PORT or unix:/PATH; "
          "without it only the raw baseline runs");
  typed.blob_size_option =
      app.add_option("--blob-size", typed.blob_size, "Size of each big ByteStream transfer")
          ->capture_default_str();
  typed.iterations_option = app.add_option("--iterations", cl.config.transfer_iterations,
                                           "Iterations of each big transfer (a fresh blob each)")
                                ->capture_default_str()
                                ->check(CLI::PositiveNumber);
  typed.latency_option = app.add_option("--latency-iterations", cl.config.latency_iterations,
                                        "Iterations of each small-blob call")
                             ->capture_default_str()
                             ->check(CLI::PositiveNumber);
  app.add_option("--batch-blobs", cl.config.small_blob_count,
                 "Blobs per FindMissingBlobs / BatchUpdateBlobs / BatchReadBlobs call")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  app.add_option("--batch-blob-size", typed.small_blob_size, "Size of each blob in those batches")
      ->capture_default_str();
  app.add_option("--digest-function", typed.digest_function,
                 "Digest function of the blobs: sha256, sha1, md5, sha384, sha512, ...")
      ->capture_default_str();
  app.add_flag("--quick", typed.quick,
               "A tiny run (used by the tests): 1 iteration per transfer, 5 per small call, "
               "4MiB blobs unless --blob-size says otherwise");
}

}  // namespace

bool wants_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return true;
  }
  return false;
}

std::string help_text() {
  CommandLine cl;
  TypedOptions typed;
  CLI::App app{kDescription, "reapi-bench"};
  add_options(app, cl, typed);
  return app.help() + kBenchmarkFlags;
}

std::variant<CommandLine, int> parse_command_line(int argc, char** argv) {
  CommandLine cl;
  TypedOptions typed;
  CLI::App app{kDescription, "reapi-bench"};
  add_options(app, cl, typed);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::string& blob_size = typed.blob_size;
  std::string& small_blob_size = typed.small_blob_size;
  std::string& digest_function = typed.digest_function;

  if (typed.quick) {
    if (typed.blob_size_option->count() == 0) blob_size = "4MiB";
    if (typed.iterations_option->count() == 0) cl.config.transfer_iterations = 1;
    if (typed.latency_option->count() == 0) cl.config.latency_iterations = 5;
  }
  auto parsed_size = reapi::parse_byte_size(blob_size);
  if (!parsed_size.ok() || *parsed_size <= 0) {
    std::cerr << "reapi-bench: --blob-size '" << blob_size << "' must be a positive size, e.g. "
              << "256MiB\n";
    return 2;
  }
  cl.config.blob_size = *parsed_size;
  auto parsed_small = reapi::parse_byte_size(small_blob_size);
  if (!parsed_small.ok() || *parsed_small <= 0) {
    std::cerr << "reapi-bench: --batch-blob-size '" << small_blob_size
              << "' must be a positive size, e.g. 4KiB\n";
    return 2;
  }
  cl.config.small_blob_size = *parsed_small;
  auto fn = reapi::digest_function_from_name(digest_function);
  if (!fn || !reapi::is_hashable(*fn)) {
    std::cerr << "reapi-bench: --digest-function '" << digest_function
              << "' is not one this tool can hash\n";
    return 2;
  }
  cl.config.digest_function = *fn;
  return cl;
}

}  // namespace reapi_bench
