#pragma once
// The calls checks make, one function per RPC, each bounded by Context::prepare(). Every
// reply carries the status, the response and a one-line description of the request, so a
// failure message can say exactly what was sent and what came back.
//
// The plain forms build a correct request (this run's instance and digest function); the
// `raw` forms send a request exactly as given, for checks of malformed input.

#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "framework/context.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/compression.h"
#include "reapi/digest.h"

namespace conformance {

template <typename Response>
struct Reply {
  grpc::Status status;
  Response response;
  std::string request;  // what was sent, in brief

  bool ok() const { return status.ok(); }
  grpc::StatusCode code() const { return status.error_code(); }
};

struct Blob {
  v2::Digest digest;
  std::string data;
};
// A blob of `size` unique bytes (compressible text when `text`), with its digest.
Blob make_blob(Context& ctx, std::int64_t size, bool text = false);
// A blob whose digest is correct for `data`.
Blob blob_of(Context& ctx, std::string data);
// A blob of `data` with its digest under `fn` (any function, not only the run's).
Blob blob_with(reapi::DigestFunction fn, std::string data);
v2::DigestFunction::Value proto_of(reapi::DigestFunction fn);
v2::Digest to_v2(const reapi::Digest& digest);
v2::Digest absent(Context& ctx, std::int64_t size);
v2::Digest empty_blob_digest(Context& ctx);

// --- CAS ---
Reply<v2::FindMissingBlobsResponse> find_missing(Context& ctx,
                                                 const std::vector<v2::Digest>& digests);
Reply<v2::FindMissingBlobsResponse> find_missing_raw(Context& ctx,
                                                     const v2::FindMissingBlobsRequest& request);

Reply<v2::BatchUpdateBlobsResponse> batch_update(Context& ctx, const std::vector<Blob>& blobs);
Reply<v2::BatchUpdateBlobsResponse> batch_update_raw(Context& ctx,
                                                     const v2::BatchUpdateBlobsRequest& request);
// An update request for `blobs` in this run's instance and digest function, to alter.
v2::BatchUpdateBlobsRequest batch_update_request(Context& ctx, const std::vector<Blob>& blobs);

Reply<v2::BatchReadBlobsResponse> batch_read(
    Context& ctx, const std::vector<v2::Digest>& digests,
    const std::vector<v2::Compressor::Value>& acceptable = {});
Reply<v2::BatchReadBlobsResponse> batch_read_raw(Context& ctx,
                                                 const v2::BatchReadBlobsRequest& request);

// One GetTree stream: every message it sent, up to `max_messages` (then cancelled).
struct TreeStream {
  grpc::Status status;
  std::vector<v2::GetTreeResponse> messages;
  std::string request;
  bool truncated = false;  // more than max_messages arrived
};
TreeStream get_tree_raw(Context& ctx, const v2::GetTreeRequest& request, int max_messages = 1000);
TreeStream get_tree_page(Context& ctx, const v2::Digest& root, int page_size,
                         const std::string& page_token);
// Follows next_page_token from the first page to the last, at most `max_pages` calls; a
// token seen twice ends the walk with an error status (a pagination loop).
struct TreeWalk {
  grpc::Status status;
  std::vector<v2::Directory> directories;  // every Directory of every page, in order
  std::vector<std::string> tokens;         // the next_page_token of each page
  int pages = 0;
  std::string request;
};
TreeWalk get_tree_all(Context& ctx, const v2::Digest& root, int page_size, int max_pages = 200);

// The most blob bytes one batch call of this run may carry (counted as the sum of
// size_bytes, cas.md N3): the advertised max_batch_total_size_bytes (4 MiB less framing
// room when none is advertised), and never more than this client may send in one message.
std::int64_t batch_capacity(const Context& ctx);
// Whether blobs of `bytes` in all fit one BatchUpdateBlobs / BatchReadBlobs call.
bool fits_batch(const Context& ctx, std::int64_t bytes);
// The largest blob a check may put through a batch call on its own: max_blob(cap), within
// batch_capacity().
std::int64_t max_batch_blob(const Context& ctx, std::int64_t cap = 0);

// Uploads blobs hashed with `fn` (the run's function when unset) and requires every one
// stored (a fixture step: a failure here fails the current case with what went wrong;
// PERMISSION_DENIED skips the check, as a read-only server may refuse writes). Blobs go
// through BatchUpdateBlobs in calls within batch_capacity(), any too large for one call
// through ByteStream.
void upload(Context& ctx, const std::vector<Blob>& blobs,
            std::optional<reapi::DigestFunction> fn = std::nullopt);
// Probes with a fresh blob whether the server refuses uploads (a read-only deployment): the
// reason to skip a check that must write, or nothing when the upload was not refused.
std::optional<std::string> writes_refused(Context& ctx);
// Whether FindMissingBlobs lists `digest` (requires the call to succeed); `detail` gets the
// request, for messages.
bool reported_missing(Context& ctx, const v2::Digest& digest, std::string& detail);

// --- ByteStream ---
std::string read_name(Context& ctx, const v2::Digest& digest,
                      reapi::Compressor c = reapi::Compressor::identity);
// A fresh upload name (new UUID) for `digest`.
std::string upload_name(Context& ctx, const v2::Digest& digest,
                        reapi::Compressor c = reapi::Compressor::identity);

struct ReadResult {
  grpc::Status status;
  std::string data;  // every data payload, concatenated
  int messages = 0;
  std::string request;
};
ReadResult read(Context& ctx, const std::string& name, std::int64_t offset = 0,
                std::int64_t limit = 0, std::int64_t max_bytes = -1);
ReadResult read_raw(Context& ctx, const google::bytestream::ReadRequest& request,
                    std::int64_t max_bytes);

struct WriteResult {
  grpc::Status status;
  std::int64_t committed_size = -2;  // -2: no response
  int messages_sent = 0;
  bool stream_broken = false;  // the server ended the stream before every message was sent
  std::string request;
};
// Writes `data` as messages of the given `pieces` sizes (summing to data.size(); empty =
// chunks of chunk_size()), the first at `first_offset`; the last carries finish_write
// when `finish`, else the stream is half-closed without it.
WriteResult write(Context& ctx, const std::string& name, std::string_view data,
                  const std::vector<std::int64_t>& pieces = {}, std::int64_t first_offset = 0,
                  bool finish = true);
// Sends `requests` exactly as given.
WriteResult write_raw(Context& ctx, const std::vector<google::bytestream::WriteRequest>& requests);
// Uploads `blob` (hashed with `fn`, the run's function when unset) through ByteStream and
// requires OK (a fixture step, as upload()).
void upload_bytestream(Context& ctx, const Blob& blob,
                       std::optional<reapi::DigestFunction> fn = std::nullopt);

// A blob read back to verify an earlier step.
struct ReadBack {
  bool ok = false;  // the read succeeded: `data` is what the server returned for the blob
  std::string data;
  std::string text;  // the call and how it ended, for messages
};
// Reads `digest` (of `fn`, the run's function when unset) through BatchReadBlobs when it fits
// batch_capacity(), else through ByteStream Read: the verification read of checks whose rule
// is not about BatchReadBlobs itself, so that a small batch limit never fails them.
ReadBack read_back(Context& ctx, const v2::Digest& digest,
                   std::optional<reapi::DigestFunction> fn = std::nullopt);

// The largest blob a check may generate: `cap` (or the run's --max-blob-size), never above
// the server's advertised max_cas_blob_size_bytes, which it may enforce.
std::int64_t max_blob(const Context& ctx, std::int64_t cap = 0);
// A Write refused with PERMISSION_DENIED means a read-only server: the check cannot test
// its rule there and is skipped (as the upload fixtures do). Otherwise returns `w`.
WriteResult unless_refused(WriteResult w);
// write(), skipping the check on a read-only server.
WriteResult send(Context& ctx, const std::string& name, std::string_view data,
                 const std::vector<std::int64_t>& pieces = {}, std::int64_t first_offset = 0,
                 bool finish = true);

Reply<google::bytestream::QueryWriteStatusResponse> query_write_status(Context& ctx,
                                                                       const std::string& name);

// --- ActionCache ---
Reply<v2::ActionResult> get_action_result(Context& ctx, const v2::Digest& action,
                                          bool inline_stdout = false, bool inline_stderr = false,
                                          const std::vector<std::string>& inline_files = {});
Reply<v2::ActionResult> get_action_result_raw(Context& ctx,
                                              const v2::GetActionResultRequest& request);
Reply<v2::ActionResult> update_action_result(Context& ctx, const v2::Digest& action,
                                             const v2::ActionResult& result);
Reply<v2::ActionResult> update_action_result_raw(Context& ctx,
                                                 const v2::UpdateActionResultRequest& request);

Reply<v2::ServerCapabilities> get_capabilities(Context& ctx, const std::string& instance);

// --- text for messages ---
// "NOT_FOUND (message)" or "OK".
std::string status_text(const grpc::Status& status);
std::string status_text(const google::rpc::Status& status);
// "1a2b3c4d5e6f../123".
std::string brief(const v2::Digest& digest);
std::string brief(const reapi::Digest& digest);
// A message in one line of text format, long bytes fields clipped.
std::string brief(const google::protobuf::Message& message, std::size_t limit = 300);
bool same(const v2::Digest& a, const v2::Digest& b);
// Where two byte strings first differ ("byte 1048576 of 2097152" / "length 10 vs 12").
std::string first_difference(std::string_view got, std::string_view wanted);

}  // namespace conformance
