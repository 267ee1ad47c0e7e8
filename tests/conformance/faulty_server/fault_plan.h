#pragma once
// What one fault changes in the reference server: per-call interceptors, a storage
// decorator, or (hang-all) no gRPC at all. Faults are test-only bugs that prove each
// conformance check can fail; none of this is part of the shipped server.

#include <grpcpp/support/server_interceptor.h>

#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "storage/storage.h"

namespace faulty {

struct FaultPlan {
  // The interceptor for one call, or nullptr for the calls the fault leaves alone.
  using MakeInterceptor = std::function<std::unique_ptr<grpc::experimental::Interceptor>(
      grpc::experimental::ServerRpcInfo&)>;
  using WrapStorage =
      std::function<std::unique_ptr<reference::Storage>(std::unique_ptr<reference::Storage>)>;

  MakeInterceptor interceptor;  // unset: no interceptor
  WrapStorage wrap_storage;     // unset: the storage as opened
  // Runs on SIGINT/SIGTERM before the server shuts down: lets go of calls held back.
  std::function<void()> before_shutdown;
  // Listen on a plain TCP socket that accepts and reads but never answers (no gRPC).
  bool silent_socket = false;
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

struct FaultEntry {
  std::string_view name;
  std::string_view description;
  FaultPlan (*make)();
};

// Every fault, "none" first.
std::span<const FaultEntry> all_faults();
const FaultEntry* find_fault(std::string_view name);

// The faults, one family per file.
FaultPlan no_hash_verification();  // cas_faults.cc
FaultPlan empty_blob_missing();
FaultPlan batch_read_corrupt();
FaultPlan repeat_page();
FaultPlan ignore_read_offset();  // bytestream_read_faults.cc
FaultPlan lost_last_chunk();
FaultPlan compressed_ignored();
FaultPlan uppercase_hash_accepted();
FaultPlan wrong_committed_size();  // bytestream_write_faults.cc
FaultPlan racing_writes_fail();
FaultPlan wrong_status_code();  // status_faults.cc
FaultPlan capabilities_no_digest_functions();
FaultPlan capabilities_split_splice_unbacked();  // capabilities_faults.cc
FaultPlan lost_writes();                         // storage_faults.cc
FaultPlan action_cache_ignores_update();
FaultPlan hang_get_tree();            // stall_faults.cc
FaultPlan hang_after_capabilities();  // stall_faults.cc
FaultPlan hang_all();                 // silent_server.cc

}  // namespace faulty
