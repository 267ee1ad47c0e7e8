#include "server/command_line.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "reapi/byte_size.h"

namespace reference {

absl::StatusOr<ServerConfig> parse_command_line(int argc, const char* const* argv) {
  ServerConfig config;
  std::vector<std::string> functions;
  std::string batch_limit = "4032KiB";
  std::string receive_limit = "16MiB";
  std::string blob_limit = "0";
  bool no_split_splice = false;

  CLI::App app(
      "reference-server: a small, correct REAPI v2 storage server (CAS, ByteStream,\n"
      "Capabilities, ActionCache) over memory or disk storage.\n\n"
      "Examples:\n"
      "  reference-server --listen 127.0.0.1:50051 --storage memory:2GiB\n"
      "  reference-server --listen 127.0.0.1:50051 --storage disk:/var/cas:50GiB\n"
      "  reference-server --listen 127.0.0.1:0 --port-file /tmp/port --instance main\n",
      "reference-server");
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", config.listen,
                 "Address to serve on, HOST:PORT (port 0 picks a free one) or unix:/PATH; "
                 "repeatable");
  app.add_option("--storage", config.storage,
                 "Where blobs live: memory:SIZE (in-memory LRU), disk:PATH:SIZE (durable, "
                 "survives restarts), or cache:FRONT,BACK (e.g. "
                 "cache:memory:256MiB,disk:/var/cas:50GiB, small blobs also kept in FRONT); "
                 "each evicts least-recently-used blobs beyond its SIZE");
  app.add_option("--instance", config.instances,
                 "Instance name to serve (repeatable; default: only the empty name). Requests "
                 "for any other instance are refused");
  app.add_option("--digest-function", functions,
                 "Digest function to accept (repeatable): sha256, sha1, md5, sha384, sha512 "
                 "(default: all of them)");
  app.add_flag("--read-only", config.read_only,
               "Refuse every write (PERMISSION_DENIED); serve reads");
  app.add_flag("--disable-overwrite-early-return", config.disable_overwrite_early_return,
               "Receive every ByteStream upload in full, even of a blob already stored");
  app.add_option("--max-batch-size", batch_limit,
                 "Advertised max_batch_total_size_bytes for BatchUpdateBlobs/BatchReadBlobs");
  app.add_option("--max-receive-message-size", receive_limit,
                 "Largest gRPC message accepted (must exceed the batch size by 64KiB)");
  app.add_option("--max-cas-blob-size", blob_limit,
                 "Largest CAS blob accepted, advertised as max_cas_blob_size_bytes; larger "
                 "uploads and splices are refused with INVALID_ARGUMENT (0: no limit)");
  app.add_flag("--no-split-splice", no_split_splice,
               "Neither serve nor advertise SplitBlob/SpliceBlob (they answer UNIMPLEMENTED)");
  app.add_option("--tree-cache-size", config.tree_cache_size,
                 "GetTree results to cache, by root (0 disables the cache)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--tree-cache-ttl-minutes", config.tree_cache_ttl_minutes,
                 "How long a cached GetTree result is used")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-pending-uploads", config.max_pending_uploads,
                 "Unfinished ByteStream uploads kept for resumption")
      ->check(CLI::PositiveNumber);
  app.add_option("--pending-upload-ttl-minutes", config.pending_upload_ttl_minutes,
                 "How long an idle unfinished upload is kept")
      ->check(CLI::PositiveNumber);
  app.add_option("--port-file", config.port_file,
                 "Write the first bound port to this file once serving (for --listen ...:0)");
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return absl::CancelledError("");
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(std::string(e.what()) + "\nRun with --help for usage.");
  }

  auto batch = reapi::parse_byte_size(batch_limit);
  if (!batch.ok())
    return absl::InvalidArgumentError("--max-batch-size: " + std::string(batch.status().message()));
  auto receive = reapi::parse_byte_size(receive_limit);
  if (!receive.ok()) {
    return absl::InvalidArgumentError("--max-receive-message-size: " +
                                      std::string(receive.status().message()));
  }
  if (*receive > (std::int64_t{1} << 31) - 1) {
    return absl::InvalidArgumentError("--max-receive-message-size must be below 2GiB");
  }
  auto blob = reapi::parse_byte_size(blob_limit);
  if (!blob.ok()) {
    return absl::InvalidArgumentError("--max-cas-blob-size: " +
                                      std::string(blob.status().message()));
  }
  config.max_batch_total_size_bytes = *batch;
  config.max_receive_message_size = *receive;
  config.max_cas_blob_size_bytes = *blob;
  config.split_splice = !no_split_splice;
  if (!functions.empty()) {
    config.digest_functions.clear();
    for (const std::string& f : functions) {
      auto fn = reapi::digest_function_from_name(f);
      if (!fn || !reapi::is_hashable(*fn)) {
        return absl::InvalidArgumentError("--digest-function '" + f +
                                          "' is not one of sha256, sha1, md5, sha384, sha512");
      }
      config.digest_functions.push_back(*fn);
    }
  }
  return config;
}

}  // namespace reference
