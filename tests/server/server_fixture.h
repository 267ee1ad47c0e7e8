#pragma once
// The fixture every in-process server test uses: a ReferenceServer on 127.0.0.1:0 over a
// fresh storage backend (memory, or disk in a temporary directory removed afterwards), a
// client channel to it, and small helpers that make one RPC each and hand back the status
// and what came back, so the tests read as "call, then compare".
//
// Every suite is parameterised on the backend (INSTANTIATE_ON_BOTH_BACKENDS), so each test
// runs once on memory and once on disk.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/digest.h"
#include "reapi/digest_function.h"
#include "server/reference_server.h"
#include "server/server_config.h"

namespace reference::testing {

namespace v2 = build::bazel::remote::execution::v2;
namespace bs = google::bytestream;

enum class Backend { memory, disk };
// So gtest names the parameter ("memory", "disk") instead of dumping its bytes.
void PrintTo(Backend backend, std::ostream* os);

// A directory created for one test and removed, with everything in it, on destruction.
// Placed on /dev/shm when it exists: the disk backend fsyncs every blob, which costs
// milliseconds per blob on a real disk and would make the tree tests slow.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A blob and its digest.
struct Blob {
  std::string data;
  v2::Digest digest;
};
Blob make_blob(std::string data, reapi::DigestFunction fn = reapi::DigestFunction::sha256);
// Deterministic pseudo-random bytes (incompressible).
std::string random_bytes(std::size_t size, std::uint64_t seed);
// Bytes zstd shrinks a lot (a short pattern repeated).
std::string compressible_bytes(std::size_t size, std::uint64_t seed);
// The digest of bytes nobody uploads (random, from a fresh seed each call).
v2::Digest absent_digest(std::int64_t size = 10,
                         reapi::DigestFunction fn = reapi::DigestFunction::sha256);
v2::Digest digest(const std::string& hash, std::int64_t size);
std::string to_upper(std::string text);
// A fresh version-4 UUID in its 8-4-4-4-12 form.
std::string new_uuid();
// zstd one or more frames, with libzstd directly (independent of reapi/compression.h).
std::string zstd(std::string_view data);
// What a zstd stream of one or more whole frames decodes to; nullopt if it is not one.
std::optional<std::string> try_unzstd(std::string_view data);
// Same, recording a test failure (and returning "") if it is not valid zstd.
std::string unzstd(std::string_view data);

// ByteStream resource names (bytestream.md 1.1) for SHA-256 digests.
std::string read_name(const v2::Digest& d, const std::string& instance = "");
std::string compressed_read_name(const v2::Digest& d, const std::string& instance = "",
                                 const std::string& compressor = "zstd");
std::string upload_name(const v2::Digest& d, const std::string& instance = "",
                        const std::string& uuid = new_uuid());
std::string compressed_upload_name(const v2::Digest& d, const std::string& instance = "",
                                   const std::string& uuid = new_uuid(),
                                   const std::string& compressor = "zstd");

// One WriteRequest.
bs::WriteRequest write_request(const std::string& name, std::int64_t offset, std::string data,
                               bool finish);
// `data` as a Write stream in pieces of `piece` bytes, offsets counted from `first_offset`,
// the name on the first message only, finish_write on the last.
std::vector<bs::WriteRequest> write_stream(const std::string& name, const std::string& data,
                                           std::size_t piece, std::int64_t first_offset = 0);

// OK, or a failure message naming the expected and actual codes and the server's message.
::testing::AssertionResult has_code(const grpc::Status& status, grpc::StatusCode expected);
::testing::AssertionResult has_code(const google::rpc::Status& status, grpc::StatusCode expected);

struct ReadResult {
  grpc::Status status;
  std::string data;                        // all data fields concatenated
  std::vector<std::size_t> message_sizes;  // data bytes of each ReadResponse
};

struct WriteResult {
  grpc::Status status;
  std::int64_t committed_size = 0;
  std::size_t messages_accepted = 0;  // Write() calls that returned true
};

struct TreeCall {
  grpc::Status status;
  std::vector<v2::GetTreeResponse> messages;
};

// Digest (as "hash/size") of each Directory, in the order received.
std::vector<std::string> directory_digests(
    const std::vector<v2::GetTreeResponse>& messages,
    reapi::DigestFunction fn = reapi::DigestFunction::sha256);

// Runs a rapidcheck property with at most `max_success` cases of at most `max_size`, so the
// heavy properties stay fast; RC_PARAMS can lower these but not raise them.
void check_property(int max_success, int max_size, const std::function<void()>& property);

class ServerTest : public ::testing::TestWithParam<Backend> {
 protected:
  // Serves instances "" and "a/b" with the default digest functions.
  static ServerConfig default_config();

  void SetUp() override;
  void TearDown() override;
  // Stops the current server and starts one with `config` over a fresh, empty storage.
  void restart(const ServerConfig& config);
  void stop();

  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  v2::Capabilities::Stub& capabilities() { return *capabilities_; }
  v2::ContentAddressableStorage::Stub& cas() { return *cas_; }
  bs::ByteStream::Stub& bytestream() { return *bytestream_; }
  v2::ActionCache::Stub& action_cache() { return *action_cache_; }

  // A client context with a deadline, so a hung server fails the test instead of hanging it.
  static std::unique_ptr<grpc::ClientContext> context();

  grpc::Status get_capabilities(const std::string& instance, v2::ServerCapabilities& out);

  // BatchUpdateBlobs of `blobs`; success when the call and every entry are OK.
  ::testing::AssertionResult upload(const std::vector<Blob>& blobs,
                                    const std::string& instance = "", int digest_function = 0);
  grpc::Status batch_update(const v2::BatchUpdateBlobsRequest& request,
                            v2::BatchUpdateBlobsResponse& response);
  grpc::Status batch_read(const v2::BatchReadBlobsRequest& request,
                          v2::BatchReadBlobsResponse& response);
  // FindMissingBlobs; the digests listed missing, or the failed status.
  grpc::Status find_missing(const std::vector<v2::Digest>& digests,
                            std::vector<v2::Digest>& missing, const std::string& instance = "",
                            int digest_function = 0);
  // True when FindMissingBlobs (which must succeed) reports `d` present.
  bool is_stored(const v2::Digest& d, const std::string& instance = "", int digest_function = 0);

  ReadResult read(const std::string& name, std::int64_t offset = 0, std::int64_t limit = 0);
  WriteResult write(const std::vector<bs::WriteRequest>& messages);
  // Uploads `blob` with ByteStream in 256 KiB messages; success when the call is OK with
  // committed_size = size.
  ::testing::AssertionResult write_blob(const Blob& blob, const std::string& instance = "");
  grpc::Status query_write_status(const std::string& name, bs::QueryWriteStatusResponse& out);

  // One GetTree stream, read to its end.
  TreeCall get_tree(const v2::Digest& root, std::int32_t page_size = 0,
                    const std::string& page_token = "", const std::string& instance = "",
                    int digest_function = 0);

  Backend backend() const { return GetParam(); }

  std::unique_ptr<ReferenceServer> server_;
  std::optional<TempDir> disk_dir_;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v2::Capabilities::Stub> capabilities_;
  std::unique_ptr<v2::ContentAddressableStorage::Stub> cas_;
  std::unique_ptr<bs::ByteStream::Stub> bytestream_;
  std::unique_ptr<v2::ActionCache::Stub> action_cache_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace reference::testing

// Runs every test of `suite` (a ServerTest subclass) on the memory and the disk backend.
#define INSTANTIATE_ON_BOTH_BACKENDS(suite)                                         \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                         \
                           ::testing::Values(::reference::testing::Backend::memory, \
                                             ::reference::testing::Backend::disk),  \
                           ::reference::testing::backend_name)
