// reference-server: parses the command line, opens the storage, serves until SIGINT or
// SIGTERM, then shuts down cleanly (calls in flight get a few seconds to finish).

#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "reapi/byte_size.h"
#include "server/command_line.h"
#include "server/reference_server.h"
#include "storage/storage_spec.h"

namespace {

std::string join(const std::vector<std::string>& items, bool quote) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += quote ? "'" + item + "'" : item;
  }
  return out;
}

int run(int argc, char** argv) {
  auto config = reference::parse_command_line(argc, argv);
  if (!config.ok()) {
    if (absl::IsCancelled(config.status())) return 0;  // --help
    std::cerr << "reference-server: " << config.status().message() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level));

  // Signals are taken synchronously by this thread; every gRPC thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto storage = reference::open_storage(config->storage);
  if (!storage.ok()) {
    std::cerr << "reference-server: --storage: " << storage.status().message() << "\n";
    return 2;
  }
  const std::string storage_description = (*storage)->describe();
  auto server = reference::ReferenceServer::start(*config, *std::move(storage));
  if (!server.ok()) {
    std::cerr << "reference-server: " << server.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> listening;
  for (std::size_t i = 0; i < config->listen.size(); ++i) {
    const auto& address = config->listen[i];
    const int port = (*server)->ports()[i];
    listening.push_back(
        port == 0 ? address : address.substr(0, address.rfind(':') + 1) + std::to_string(port));
  }
  std::vector<std::string> functions;
  for (auto fn : config->digest_functions) functions.emplace_back(reapi::name(fn));
  spdlog::info(
      "serving on {} | storage {} | instances {} | digest functions {} | read-only {} | "
      "early return on existing blobs {} | batch limit {} | receive limit {} | blob limit {} | "
      "split/splice {} | tree cache {} for {} min | pending uploads {} for {} min",
      join(listening, false), storage_description, join(config->instances, true),
      join(functions, false), config->read_only ? "yes" : "no",
      config->disable_overwrite_early_return ? "off" : "on",
      reapi::format_byte_size(config->max_batch_total_size_bytes),
      reapi::format_byte_size(config->max_receive_message_size),
      config->max_cas_blob_size_bytes > 0 ? reapi::format_byte_size(config->max_cas_blob_size_bytes)
                                          : "none",
      config->split_splice && !config->read_only
          ? "on (FastCDC 2020, average " +
                reapi::format_byte_size(config->fast_cdc_avg_chunk_size) + ")"
          : "off",
      config->tree_cache_size, config->tree_cache_ttl_minutes, config->max_pending_uploads,
      config->pending_upload_ttl_minutes);
  if (!config->port_file.empty()) {
    const std::string temp = config->port_file + ".tmp";
    std::ofstream(temp) << (*server)->ports().front() << "\n";
    std::rename(temp.c_str(), config->port_file.c_str());
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
