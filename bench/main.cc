// reapi-bench: measures an REAPI server's ByteStream throughput and small-blob latency, and,
// in the same run, the raw gRPC streaming rate of this machine through an in-process null
// ByteStream server, then prints both side by side.

#include <benchmark/benchmark.h>
#include <grpcpp/client_context.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>

#include "bench_config.h"
#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "cli_options.h"
#include "null_server.h"
#include "reapi/byte_size.h"
#include "reapi/status.h"
#include "small_blob_benchmarks.h"
#include "summary.h"
#include "transfer_benchmarks.h"

namespace reapi_bench {
namespace {

namespace rev2 = build::bazel::remote::execution::v2;

// Room left in a message for everything but the blob bytes (resource name, offsets, framing).
constexpr std::int64_t kMessageOverhead = 4096;
constexpr std::int64_t kMiB = std::int64_t{1} << 20;

// The value of --benchmark_format, read before benchmark::Initialize removes it, so the
// summary can wrap the display reporter the user asked for.
std::string_view requested_format(int argc, char** argv) {
  constexpr std::string_view flag = "--benchmark_format=";
  std::string_view format = "console";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(flag)) format = arg.substr(flag.size());
  }
  return format;
}

std::unique_ptr<benchmark::BenchmarkReporter> display_reporter(std::string_view format) {
  if (format == "json") return std::make_unique<benchmark::JSONReporter>();
  // CSV is deprecated in Google Benchmark; anything but json gets the console table.
  return std::make_unique<benchmark::ConsoleReporter>(
      isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                            : benchmark::ConsoleReporter::OO_Tabular);
}

absl::Status wait_connected(const reapi::Target& target) {
  const auto deadline = std::chrono::system_clock::now() + target.deadline();
  if (!target.channel()->WaitForConnected(deadline)) {
    return absl::UnavailableError("cannot connect to " + target.address());
  }
  return absl::OkStatus();
}

// Connects to the target and asks for its capabilities, so an unreachable or misconfigured
// server fails here with one clear message rather than in every benchmark.
absl::StatusOr<rev2::ServerCapabilities> preflight(const reapi::Target& target) {
  if (absl::Status connected = wait_connected(target); !connected.ok()) return connected;
  auto stub = rev2::Capabilities::NewStub(target.channel());
  grpc::ClientContext context;
  target.prepare(context);
  rev2::GetCapabilitiesRequest request;
  request.set_instance_name(target.instance_name());
  rev2::ServerCapabilities capabilities;
  const grpc::Status status = stub->GetCapabilities(&context, request, &capabilities);
  if (!status.ok()) return reapi::from_grpc(status);
  return capabilities;
}

void warn_about_capabilities(const rev2::ServerCapabilities& capabilities,
                             const BenchConfig& config) {
  const auto& cache = capabilities.cache_capabilities();
  const auto wanted = static_cast<rev2::DigestFunction::Value>(config.digest_function);
  if (cache.digest_functions_size() > 0 &&
      std::find(cache.digest_functions().begin(), cache.digest_functions().end(), wanted) ==
          cache.digest_functions().end()) {
    std::cerr << "reapi-bench: warning: the server does not list digest function "
              << reapi::name(config.digest_function) << " in its capabilities\n";
  }
  const std::int64_t batch_bytes = config.small_blob_count * config.small_blob_size;
  if (cache.max_batch_total_size_bytes() > 0 &&
      cache.max_batch_total_size_bytes() < batch_bytes + kMessageOverhead) {
    std::cerr << "reapi-bench: warning: the server's max_batch_total_size_bytes ("
              << cache.max_batch_total_size_bytes() << ") is below a batch of "
              << config.small_blob_count << " x " << reapi::format_byte_size(config.small_blob_size)
              << "; the batch benchmarks may fail\n";
  }
}

// Options for the channel to the null server: the user's, pointed at 127.0.0.1 without TLS,
// so both channels have the same message limits and headers.
reapi::TargetOptions null_server_options(reapi::TargetOptions options,
                                         const NullByteStreamServer& server) {
  options.address = server.address();
  options.tls_ca_file.clear();
  options.tls_cert_file.clear();
  options.tls_key_file.clear();
  options.tls_server_name.clear();
  return options;
}

int fail(const std::string& message) {
  std::cerr << "reapi-bench: ERROR: " << message << "\n";
  return 1;
}

int run(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::cout << help_text();
    return 0;
  }
  const std::string format(requested_format(argc, argv));
  benchmark::Initialize(&argc, argv);
  auto parsed = parse_command_line(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  CommandLine& cl = std::get<CommandLine>(parsed);
  BenchConfig& config = cl.config;

  // The message limit comes from --max-message-size; each chunk of blob data leaves room for
  // the rest of its message.
  auto probe = reapi::parse_byte_size(cl.target.max_message_size);
  if (!probe.ok()) return fail("--max-message-size: " + std::string(probe.status().message()));
  if (*probe < 16 * 1024) return fail("--max-message-size must be at least 16KiB");
  config.chunk_size = std::min(kMiB, *probe - kMessageOverhead);

  auto null_server = NullByteStreamServer::start(config.chunk_size);
  if (!null_server.ok()) return fail(null_server.status().ToString());
  auto raw_target = reapi::Target::connect(null_server_options(cl.target, *null_server));
  if (!raw_target.ok()) return fail(raw_target.status().ToString());
  if (absl::Status connected = wait_connected(*raw_target); !connected.ok()) {
    return fail("null server: " + connected.ToString());
  }

  // Generous: at least --deadline, and a full minute plus a second per MiB moved.
  config.transfer_deadline = std::max(
      raw_target->deadline(), std::chrono::milliseconds(60000 + 1000 * (config.blob_size / kMiB)));

  std::optional<reapi::Target> target;
  if (!cl.target.address.empty()) {
    auto connected = reapi::Target::connect(cl.target);
    if (!connected.ok()) return fail(connected.status().ToString());
    target = *std::move(connected);
    auto capabilities = preflight(*target);
    if (capabilities.ok()) {
      warn_about_capabilities(*capabilities, config);
    } else if (absl::IsUnimplemented(capabilities.status())) {
      // A bare ByteStream server can still be measured; GetCapabilities will show as failed.
      std::cerr << "reapi-bench: warning: " << target->address()
                << " does not implement GetCapabilities\n";
    } else {
      return fail(target->address() + ": " + capabilities.status().ToString());
    }
  }

  std::mt19937_64 rng = seeded_rng();
  TransferBuffers buffers(config.blob_size, config.digest_function, rng);
  TransferBench raw(*raw_target, config, buffers, rng, /*verify_reads=*/false);
  register_transfer_benchmarks("raw", raw, config);
  std::optional<TransferBench> target_transfers;
  std::optional<SmallBlobBench> small_blobs;
  if (target) {
    target_transfers.emplace(*target, config, buffers, rng, /*verify_reads=*/true);
    register_transfer_benchmarks("target", *target_transfers, config);
    small_blobs.emplace(*target, config, rng);
    register_small_blob_benchmarks(*small_blobs, config);
  }

  SummaryReporter reporter(display_reporter(format));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::string heading = reapi::format_byte_size(config.blob_size) + " blobs in " +
                        reapi::format_byte_size(config.chunk_size) + " messages, " +
                        std::to_string(config.transfer_iterations) + " iteration(s) per transfer";
  heading += target ? "; target " + target->address() : "; no --target, raw baseline only";
  // Machine-readable formats keep stdout to themselves.
  reporter.print(format == "json" ? std::cerr : std::cout, heading);
  if (reporter.any_error()) return fail("some benchmarks failed (see above)");
  return 0;
}

}  // namespace
}  // namespace reapi_bench

int main(int argc, char** argv) { return reapi_bench::run(argc, argv); }
