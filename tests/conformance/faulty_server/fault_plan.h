#pragma once
// What one fault changes in the reference server: per-call interceptors, a storage
// decorator, a proxy that shapes its bytes, or (hang-all) no gRPC at all. Faults are test-only bugs
// that prove each conformance check can fail; none of this is part of the shipped server.

#include <grpcpp/support/server_interceptor.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shaping_proxy.h"
#include "storage/storage.h"

namespace faulty {

struct FaultPlan {
  // The interceptor for one call, or nullptr for the calls the fault leaves alone.
  using MakeInterceptor = std::function<std::unique_ptr<grpc::experimental::Interceptor>(
      grpc::experimental::ServerRpcInfo&)>;
  using WrapStorage =
      std::function<std::unique_ptr<reference::Storage>(std::unique_ptr<reference::Storage>)>;

  MakeInterceptor interceptor{};  // unset: no interceptor
  WrapStorage wrap_storage{};     // unset: the storage as opened
  // Runs on SIGINT/SIGTERM before the server shuts down: lets go of calls held back.
  std::function<void()> before_shutdown{};
  // Listen on a plain TCP socket that accepts and reads but never answers (no gRPC).
  bool silent_socket = false;
  // Put a proxy that shapes the server's bytes between the clients and the server.
  std::optional<Shaping> shaping{};
};

// Hands gRPC a plan's interceptors, one set per call (gRPC owns each one it is given).
class InterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit InterceptorFactory(FaultPlan::MakeInterceptor make) : make_(std::move(make)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return make_(*info).release();
  }

 private:
  FaultPlan::MakeInterceptor make_;
};

// What the conformance suite must report against a fault; the fault injection test runs
// the suite against every fault and holds it to this.
struct Expectation {
  enum class Exit { zero, one, nonzero };
  std::string filter{};                   // --filter of the run; empty: every check
  std::vector<std::string> fails{};       // checks the report must list as "failed"
  std::vector<std::string> warns{};       // ... as "warning" (SHOULD rules)
  std::vector<std::string> infos{};       // ... as "info" (MAY rules)
  std::vector<std::string> extra_args{};  // further reapi-conformance options
  std::string message_has{};  // each check in `fails` says this in its message (e.g. a status)
  Exit exit = Exit::one;
  int bound_seconds = 120;  // reapi-conformance is killed after this
};

struct FaultEntry {
  std::string name{};
  std::string description{};
  std::function<FaultPlan()> make{};
  Expectation expect{};
};

// Every fault, "none" first.
const std::vector<FaultEntry>& all_faults();
const FaultEntry* find_fault(std::string_view name);

// The faults of each family, with what must catch them, from the file that implements them.
std::vector<FaultEntry> cas_faults();                 // cas_faults.cc
std::vector<FaultEntry> bytestream_read_faults();     // bytestream_read_faults.cc
std::vector<FaultEntry> bytestream_write_faults();    // bytestream_write_faults.cc
std::vector<FaultEntry> status_faults();              // status_faults.cc
std::vector<FaultEntry> capabilities_faults();        // capabilities_faults.cc
std::vector<FaultEntry> storage_faults();             // storage_faults.cc
std::vector<FaultEntry> stall_faults();               // stall_faults.cc
std::vector<FaultEntry> silent_faults();              // silent_server.cc
std::vector<FaultEntry> common_faults();              // common_faults.cc
std::vector<FaultEntry> bytestream_name_faults();     // bytestream_name_faults.cc
std::vector<FaultEntry> compressed_faults();          // compressed_faults.cc
std::vector<FaultEntry> query_write_status_faults();  // query_write_status_faults.cc
std::vector<FaultEntry> concurrency_faults();         // concurrency_faults.cc
std::vector<FaultEntry> action_cache_faults();        // action_cache_faults.cc
std::vector<FaultEntry> split_faults();               // split_faults.cc
std::vector<FaultEntry> size_limit_faults();          // size_limit_faults.cc
std::vector<FaultEntry> transport_faults();           // transport_faults.cc
std::vector<FaultEntry> empty_blob_faults();          // empty_blob_faults.cc
std::vector<FaultEntry> get_tree_faults();            // get_tree_faults.cc
std::vector<FaultEntry> cas_storage_faults();         // cas_storage_faults.cc

}  // namespace faulty
