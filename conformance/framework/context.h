#pragma once
// What a check works with: the target and its stubs, the server's capabilities, the digest
// function of the run, data unique to this run, deadlines, and the SHOULD-level findings
// a check records without failing.
//
// One Session per run; one Context per check. Every call a check makes goes through
// prepare(), which bounds it by the per-call deadline, the check's time budget and the
// whole run's bound, so a server that never answers cannot make the suite hang.

#include <grpcpp/client_context.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "framework/check.h"
#include "framework/server_facts.h"
#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/digest.h"
#include "reapi/digest_function.h"
#include "reapi/target.h"

namespace conformance {

using Clock = std::chrono::steady_clock;

struct SuiteOptions {
  std::uint64_t seed = 0;
  int cases = 12;                                  // property cases per check
  std::int64_t max_blob_size = 3 << 20;            // largest generated blob
  std::chrono::milliseconds check_timeout{30000};  // per check, shrinking included
  std::chrono::milliseconds run_timeout{300000};   // the whole run
  bool shrink = true;
};

class Session {
 public:
  Session(reapi::Target target, SuiteOptions options);

  const reapi::Target& target() const { return target_; }
  const SuiteOptions& options() const { return options_; }
  const ServerFacts& facts() const { return facts_; }
  reapi::DigestFunction function() const { return function_; }
  Clock::time_point run_deadline() const { return run_deadline_; }

  // Asks GetCapabilities and picks the digest function: SHA-256 when advertised (or when
  // the server does not say), else the first advertised one this suite can hash.
  // An error when the server cannot be used at all (it does not answer).
  grpc::Status discover();

  v2::Capabilities::Stub& capabilities() { return *capabilities_; }
  v2::ContentAddressableStorage::Stub& cas() { return *cas_; }
  v2::ActionCache::Stub& action_cache() { return *action_cache_; }
  google::bytestream::ByteStream::Stub& bytestream() { return *bytestream_; }

  // A process-unique counter and a per-run random nonce: the source of unique data.
  std::uint64_t next_serial() { return serial_++; }
  const std::string& nonce() const { return nonce_; }

 private:
  reapi::Target target_;
  SuiteOptions options_;
  Clock::time_point run_deadline_;
  ServerFacts facts_;
  reapi::DigestFunction function_ = reapi::DigestFunction::sha256;
  std::unique_ptr<v2::Capabilities::Stub> capabilities_;
  std::unique_ptr<v2::ContentAddressableStorage::Stub> cas_;
  std::unique_ptr<v2::ActionCache::Stub> action_cache_;
  std::unique_ptr<google::bytestream::ByteStream::Stub> bytestream_;
  std::atomic<std::uint64_t> serial_{0};
  std::string nonce_;
};

class Context {
 public:
  Context(Session& session, const CheckInfo& info, std::uint64_t seed);

  Session& session() { return session_; }
  const Session& session() const { return session_; }
  const CheckInfo& info() const { return info_; }
  const ServerFacts& facts() const { return session_.facts(); }
  const SuiteOptions& options() const { return session_.options(); }
  const std::string& instance() const { return session_.target().instance_name(); }
  reapi::DigestFunction function() const { return session_.function(); }
  v2::DigestFunction::Value function_proto() const;
  // This check's rapidcheck seed: derived from the run's seed and the check ID, so
  // `--seed N --filter ID` replays exactly the cases of a full run.
  std::uint64_t seed() const { return seed_; }

  v2::Capabilities::Stub& capabilities() { return session_.capabilities(); }
  v2::ContentAddressableStorage::Stub& cas() { return session_.cas(); }
  v2::ActionCache::Stub& action_cache() { return session_.action_cache(); }
  google::bytestream::ByteStream::Stub& bytestream() { return session_.bytestream(); }

  // Headers and deadline for one call: the per-call deadline (longer by one second per
  // MiB of `payload_bytes`), never past the check's budget or the run's bound.
  void prepare(grpc::ClientContext& context, std::int64_t payload_bytes = 0) const;
  bool out_of_time() const { return Clock::now() >= deadline_; }
  Clock::time_point deadline() const { return deadline_; }

  // Largest ByteStream data payload per message: 1 MiB, or less under a small message limit
  // (this client's, or the server's as its advertised batch limit implies).
  std::int64_t chunk_size() const;

  // Data unique to this run and check (thread-safe). Blobs of 16 bytes or more are unique
  // across runs; shorter ones may already exist on the server and checks allow for that.
  std::string unique_bytes(std::size_t n);
  // Unique but compressible (for compressed transfers); unique from 16 bytes, as above.
  std::string unique_text(std::size_t n);
  // A random version-4 UUID for upload names.
  std::string uuid();
  // A digest that no server holds: a random hash of the run's function, with `size`.
  reapi::Digest absent_digest(std::int64_t size);
  reapi::Digest digest_of(std::string_view data) const;

  // A SHOULD-level finding that does not fail the check (thread-safe); the first is kept.
  void warn(std::string message);
  const std::string& warning() const { return warning_; }
  // Judge the failure the property is about to raise at `level` instead of the check's.
  void failing_at(Level level) { failing_at_ = level; }
  std::optional<Level> take_failing_at();

 private:
  Session& session_;
  CheckInfo info_;
  std::uint64_t seed_;
  Clock::time_point deadline_;
  std::mutex mutex_;
  std::string warning_;
  std::optional<Level> failing_at_;
};

}  // namespace conformance
