#pragma once
// reapi-smoke: calls every RPC of a REAPI storage server once or a few times and prints one
// line per call. This header holds what the call groups share: the stubs, the digest
// function in use, per-run random data, the expectations of one call and the report.
// It is a smoke test, not the conformance suite: it checks the happy paths and a few
// obvious errors, citing rule IDs from shared/reapi where they apply.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/compression.h"
#include "reapi/digest.h"
#include "reapi/digest_function.h"
#include "reapi/target.h"

namespace smoke {

namespace v2 = build::bazel::remote::execution::v2;

// What GetCapabilities told us; the defaults are what we assume when it fails.
struct ServerFacts {
  std::vector<reapi::DigestFunction> digest_functions;
  std::int64_t max_batch_total_size_bytes = 0;
  std::vector<reapi::Compressor> compressors;
  bool update_enabled = false;
  bool split_blob_support = false;
  bool splice_blob_support = false;

  bool advertises(reapi::Compressor c) const;
};

// The unmet expectations of one call; the call passes when there are none.
class Expect {
 public:
  // Records `failure` unless `ok`.
  Expect& that(bool ok, std::string failure);
  // Expects the call to have ended with `wanted`.
  Expect& code(const grpc::Status& status, grpc::StatusCode wanted);
  bool met() const { return failures_.empty(); }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  std::vector<std::string> failures_;
};

// Prints one line per call and counts outcomes.
class Report {
 public:
  void call(std::string_view rpc, std::string_view sent, const grpc::Status& status,
            std::string_view got, const Expect& expect);
  void skip(std::string_view rpc, std::string_view why);
  // "N passed, M failed".
  void summary() const;
  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  int passed_ = 0;
  int failed_ = 0;
};

// Random data, unique to each run.
class RandomData {
 public:
  RandomData();
  // Incompressible bytes.
  std::string bytes(std::size_t n);
  // Random lowercase letters: still unique, but zstd shrinks them (for compressed transfers).
  std::string letters(std::size_t n);
  // A version-4 UUID in 8-4-4-4-12 form, for upload resource names.
  std::string uuid();
  // Uniform in [low, high].
  std::int64_t between(std::int64_t low, std::int64_t high);

 private:
  std::mt19937_64 engine_;
};

struct Smoke {
  explicit Smoke(reapi::Target t);

  reapi::Target target;
  std::unique_ptr<v2::Capabilities::Stub> capabilities;
  std::unique_ptr<v2::ContentAddressableStorage::Stub> cas;
  std::unique_ptr<v2::ActionCache::Stub> action_cache;
  std::unique_ptr<google::bytestream::ByteStream::Stub> bytestream;
  reapi::DigestFunction function = reapi::DigestFunction::sha256;
  ServerFacts facts;
  RandomData random;
  Report report;

  const std::string& instance() const { return target.instance_name(); }
  reapi::Digest digest(std::string_view data) const;
  v2::Digest digest_proto(std::string_view data) const;
  v2::DigestFunction::Value function_proto() const;
  // ByteStream names for `digest` in this run's instance and digest function (bytestream.md 1.1).
  std::string read_name(const reapi::Digest& digest,
                        reapi::Compressor c = reapi::Compressor::identity) const;
  // An upload name with a fresh UUID.
  std::string write_name(const reapi::Digest& digest,
                         reapi::Compressor c = reapi::Compressor::identity);
  // Largest data payload per ByteStream message: 1 MiB, or less under a small message limit.
  std::size_t chunk_size() const;
};

// "1a2b3c4d5e6f../1234": enough of a digest to recognise it in a report line.
std::string brief(const reapi::Digest& digest);
std::string brief(const v2::Digest& digest);
// A resource name with its hash shortened the same way.
std::string brief_name(std::string_view resource_name);
inline bool same_digest(const v2::Digest& a, const v2::Digest& b) {
  return a.hash() == b.hash() && a.size_bytes() == b.size_bytes();
}
// "17 B", "11.6 KiB", "3.06 MiB" for report lines.
std::string size_text(std::int64_t bytes);
// "1 message", "4 messages".
std::string messages_text(int messages);

// A blob to upload: its digest (of the bytes, unless a test wants a mismatch) and data.
struct Blob {
  v2::Digest digest;
  std::string data;
};
// BatchUpdateBlobs of `blobs` as a preparation step of another group; prints one line
// ("sent: <what>") and expects every blob stored. True when all were.
bool upload_blobs(Smoke& s, std::string_view what, const std::vector<Blob>& blobs);

// ByteStream helpers shared by the call groups.
struct WriteOutcome {
  grpc::Status status;
  std::int64_t committed_size = 0;
  int messages = 0;
};
// Writes `data` to `resource_name` in messages of at most `chunk` bytes, the first at
// `first_offset` and each next one after the bytes sent before it (BS-WRITE-02, BS-COMP-05).
// With `finish`, the last message carries finish_write; without, the stream is half-closed.
WriteOutcome write_stream(Smoke& s, const std::string& resource_name, std::string_view data,
                          std::int64_t first_offset, bool finish, std::size_t chunk);

struct ReadOutcome {
  grpc::Status status;
  std::string data;
  int messages = 0;
};
ReadOutcome read_stream(Smoke& s, const std::string& resource_name, std::int64_t offset = 0,
                        std::int64_t limit = 0);

// The call groups, in the order main() runs them.
// Fills s.facts and s.function; false when the server cannot be used at all (unreachable,
// or no digest function this client can hash).
bool capabilities_calls(Smoke& s);
void cas_calls(Smoke& s);
void get_tree_calls(Smoke& s);
void split_splice_calls(Smoke& s);
void bytestream_calls(Smoke& s);
void compressed_calls(Smoke& s);
void action_cache_calls(Smoke& s);

}  // namespace smoke
