#include "framework/calls.h"

#include <google/protobuf/text_format.h>
#include <grpcpp/client_context.h>

#include <algorithm>
#include <set>

#include "framework/property.h"
#include "reapi/resource_name.h"
#include "reapi/status.h"

namespace conformance {

namespace bs = google::bytestream;

namespace {

std::string clipped(std::string text, std::size_t limit = 200) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

std::string digests_text(const std::vector<v2::Digest>& digests) {
  std::string out = "[";
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (i == 6) {
      out += ", ... " + std::to_string(digests.size()) + " in all";
      break;
    }
    if (i > 0) out += ", ";
    out += brief(digests[i]);
  }
  return out + "]";
}

reapi::BlobResourceName blob_name(Context& ctx, const v2::Digest& digest, reapi::Compressor c,
                                  std::optional<reapi::DigestFunction> fn = std::nullopt) {
  const reapi::DigestFunction function = fn.value_or(ctx.function());
  reapi::BlobResourceName name;
  name.instance_name = ctx.instance();
  name.compressor = c;
  // The function is spelled out only where it cannot be inferred from the hash length.
  if (!reapi::is_inferred_from_length(function)) name.digest_function = function;
  name.digest = reapi::from_proto(digest);
  return name;
}

// " with digest_function NAME" when `fn` is not the run's function, for messages.
std::string function_text(const Context& ctx, std::optional<reapi::DigestFunction> fn) {
  if (!fn || *fn == ctx.function()) return "";
  return " with digest_function " + std::string(reapi::name(*fn));
}

// Requires every entry of a fixture's BatchUpdateBlobs stored; PERMISSION_DENIED skips the
// check (a read-only server).
void require_stored(const Reply<v2::BatchUpdateBlobsResponse>& reply, const std::string& as) {
  if (reply.code() == grpc::StatusCode::PERMISSION_DENIED) {
    skip_check("the server refused the upload this check needs (read-only?): " + reply.request +
               as + " -> " + status_text(reply.status));
  }
  require(reply.ok(),
          "preparing the check: " + reply.request + as + " -> " + status_text(reply.status));
  for (const auto& r : reply.response.responses()) {
    require(r.status().code() == 0, "preparing the check: " + reply.request + as + ": entry " +
                                        brief(r.digest()) + " -> " + status_text(r.status()));
  }
}

// A blob over the advertised max_cas_blob_size_bytes may be refused (CAS-BUP-12, BS-WRITE-12):
// a check whose fixture needs one (a large Directory under a small limit) cannot run there.
void skip_unless_storable(const Context& ctx, const Blob& blob) {
  const std::int64_t limit = ctx.facts().max_cas_blob_size_bytes;
  if (limit <= 0 || blob.digest.size_bytes() <= limit) return;
  skip_check("the check needs to store the " + std::to_string(blob.digest.size_bytes()) +
             "-byte blob " + brief(blob.digest) +
             ", over the advertised max_cas_blob_size_bytes of " + std::to_string(limit));
}

ReadBack batch_read_back(Context& ctx, const v2::Digest& digest,
                         std::optional<reapi::DigestFunction> fn) {
  v2::BatchReadBlobsRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(proto_of(fn.value_or(ctx.function())));
  *request.add_digests() = digest;
  const auto reply = batch_read_raw(ctx, request);
  ReadBack out;
  out.text = reply.request + function_text(ctx, fn) + " -> " + status_text(reply.status);
  if (!reply.ok()) return out;
  if (reply.response.responses_size() != 1) {
    out.text += " with " + std::to_string(reply.response.responses_size()) + " entries";
    return out;
  }
  const auto& entry = reply.response.responses(0);
  out.text += ", entry " + status_text(entry.status());
  // Nothing was offered as acceptable, so the data must come uncompressed.
  if (entry.compressor() != v2::Compressor::IDENTITY) {
    out.text += " compressed as " + v2::Compressor::Value_Name(entry.compressor()) +
                ", though no compressor was acceptable";
    return out;
  }
  out.ok = entry.status().code() == 0;
  out.data = entry.data();
  return out;
}

ReadBack bytestream_read_back(Context& ctx, const v2::Digest& digest,
                              std::optional<reapi::DigestFunction> fn) {
  const std::string name =
      reapi::format_read_resource_name(blob_name(ctx, digest, reapi::Compressor::identity, fn));
  ReadResult r = read(ctx, name);
  ReadBack out;
  out.text = r.request + " -> " + status_text(r.status);
  out.ok = r.status.ok();
  out.data = std::move(r.data);
  return out;
}

}  // namespace

v2::Digest to_v2(const reapi::Digest& digest) { return reapi::to_proto(digest); }

Blob make_blob(Context& ctx, std::int64_t size, bool text) {
  const auto n = static_cast<std::size_t>(std::max<std::int64_t>(size, 0));
  return blob_of(ctx, text ? ctx.unique_text(n) : ctx.unique_bytes(n));
}

Blob blob_of(Context& ctx, std::string data) {
  Blob b;
  b.digest = to_v2(ctx.digest_of(data));
  b.data = std::move(data);
  return b;
}

Blob blob_with(reapi::DigestFunction fn, std::string data) {
  Blob b;
  b.digest = to_v2(reapi::digest_of(fn, data));
  b.data = std::move(data);
  return b;
}

v2::DigestFunction::Value proto_of(reapi::DigestFunction fn) {
  return static_cast<v2::DigestFunction::Value>(static_cast<int>(fn));
}

v2::Digest absent(Context& ctx, std::int64_t size) { return to_v2(ctx.absent_digest(size)); }

v2::Digest empty_blob_digest(Context& ctx) { return to_v2(reapi::empty_digest(ctx.function())); }

// --- CAS ---

Reply<v2::FindMissingBlobsResponse> find_missing(Context& ctx,
                                                 const std::vector<v2::Digest>& digests) {
  v2::FindMissingBlobsRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  for (const v2::Digest& d : digests) *request.add_blob_digests() = d;
  return find_missing_raw(ctx, request);
}

Reply<v2::FindMissingBlobsResponse> find_missing_raw(Context& ctx,
                                                     const v2::FindMissingBlobsRequest& request) {
  Reply<v2::FindMissingBlobsResponse> reply;
  grpc::ClientContext context;
  ctx.prepare(context);
  reply.status = ctx.cas().FindMissingBlobs(&context, request, &reply.response);
  reply.request = "FindMissingBlobs " + brief(request);
  return reply;
}

v2::BatchUpdateBlobsRequest batch_update_request(Context& ctx, const std::vector<Blob>& blobs) {
  v2::BatchUpdateBlobsRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  for (const Blob& b : blobs) {
    auto* entry = request.add_requests();
    *entry->mutable_digest() = b.digest;
    entry->set_data(b.data);
  }
  return request;
}

Reply<v2::BatchUpdateBlobsResponse> batch_update(Context& ctx, const std::vector<Blob>& blobs) {
  return batch_update_raw(ctx, batch_update_request(ctx, blobs));
}

Reply<v2::BatchUpdateBlobsResponse> batch_update_raw(Context& ctx,
                                                     const v2::BatchUpdateBlobsRequest& request) {
  Reply<v2::BatchUpdateBlobsResponse> reply;
  grpc::ClientContext context;
  ctx.prepare(context, static_cast<std::int64_t>(request.ByteSizeLong()));
  reply.status = ctx.cas().BatchUpdateBlobs(&context, request, &reply.response);
  std::vector<v2::Digest> digests;
  for (const auto& r : request.requests()) digests.push_back(r.digest());
  reply.request = "BatchUpdateBlobs of " + std::to_string(request.requests_size()) + " blob(s) " +
                  digests_text(digests);
  return reply;
}

Reply<v2::BatchReadBlobsResponse> batch_read(Context& ctx, const std::vector<v2::Digest>& digests,
                                             const std::vector<v2::Compressor::Value>& acceptable) {
  v2::BatchReadBlobsRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  for (const v2::Digest& d : digests) *request.add_digests() = d;
  for (v2::Compressor::Value c : acceptable) request.add_acceptable_compressors(c);
  return batch_read_raw(ctx, request);
}

Reply<v2::BatchReadBlobsResponse> batch_read_raw(Context& ctx,
                                                 const v2::BatchReadBlobsRequest& request) {
  Reply<v2::BatchReadBlobsResponse> reply;
  std::int64_t bytes = 0;
  for (const auto& d : request.digests()) bytes += std::max<std::int64_t>(d.size_bytes(), 0);
  grpc::ClientContext context;
  ctx.prepare(context, bytes);
  reply.status = ctx.cas().BatchReadBlobs(&context, request, &reply.response);
  std::vector<v2::Digest> digests(request.digests().begin(), request.digests().end());
  reply.request = "BatchReadBlobs of " + digests_text(digests);
  if (request.acceptable_compressors_size() > 0) reply.request += " (compressors accepted)";
  return reply;
}

TreeStream get_tree_raw(Context& ctx, const v2::GetTreeRequest& request, int max_messages) {
  TreeStream out;
  out.request = "GetTree " + brief(request);
  grpc::ClientContext context;
  ctx.prepare(context);
  auto reader = ctx.cas().GetTree(&context, request);
  v2::GetTreeResponse message;
  while (reader->Read(&message)) {
    if (static_cast<int>(out.messages.size()) >= max_messages) {
      out.truncated = true;
      context.TryCancel();
      break;
    }
    out.messages.push_back(std::move(message));
    message.Clear();
  }
  out.status = reader->Finish();
  if (out.truncated) {
    out.status = grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                              "the stream sent more than " + std::to_string(max_messages) +
                                  " messages; the suite stopped reading");
  }
  return out;
}

TreeStream get_tree_page(Context& ctx, const v2::Digest& root, int page_size,
                         const std::string& page_token) {
  v2::GetTreeRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  *request.mutable_root_digest() = root;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return get_tree_raw(ctx, request);
}

TreeWalk get_tree_all(Context& ctx, const v2::Digest& root, int page_size, int max_pages) {
  TreeWalk walk;
  walk.request = "GetTree root " + brief(root) + " page_size " + std::to_string(page_size) +
                 ", following page tokens";
  std::set<std::string> seen;
  std::string token;
  while (true) {
    if (walk.pages >= max_pages) {
      walk.status =
          grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                       "still not at the last page after " + std::to_string(max_pages) + " calls");
      return walk;
    }
    TreeStream page = get_tree_page(ctx, root, page_size, token);
    ++walk.pages;
    if (!page.status.ok()) {
      walk.status = page.status;
      return walk;
    }
    // One call may carry several messages; the last message's token continues the walk.
    std::string next;
    for (const v2::GetTreeResponse& m : page.messages) {
      for (const v2::Directory& d : m.directories()) walk.directories.push_back(d);
      next = m.next_page_token();
    }
    walk.tokens.push_back(next);
    if (next.empty()) return walk;
    if (!seen.insert(next).second || next == token) {
      walk.status = grpc::Status(grpc::StatusCode::ABORTED,
                                 "pagination loop: page " + std::to_string(walk.pages) +
                                     " returned a next_page_token already followed");
      return walk;
    }
    token = next;
  }
}

std::int64_t batch_capacity(const Context& ctx) {
  // Framing room under this client's own message limit, as the server leaves above its (N3).
  return std::min(ctx.facts().effective_batch_limit(),
                  ctx.session().target().max_message_size() - (64 << 10));
}

bool fits_batch(const Context& ctx, std::int64_t bytes) { return bytes <= batch_capacity(ctx); }

std::int64_t max_batch_blob(const Context& ctx, std::int64_t cap) {
  return std::min(max_blob(ctx, cap), batch_capacity(ctx));
}

// Entries per fixture batch: few enough that their framing stays well within the 64 KiB a
// server leaves above its batch limit (cas.md N3).
constexpr std::size_t kMaxBatchEntries = 256;

void upload(Context& ctx, const std::vector<Blob>& blobs, std::optional<reapi::DigestFunction> fn) {
  for (const Blob& b : blobs) skip_unless_storable(ctx, b);
  const std::string as = function_text(ctx, fn);
  std::vector<Blob> batch;
  std::int64_t bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    v2::BatchUpdateBlobsRequest request = batch_update_request(ctx, batch);
    if (fn) request.set_digest_function(proto_of(*fn));
    require_stored(batch_update_raw(ctx, request), as);
    batch.clear();
    bytes = 0;
  };
  for (const Blob& b : blobs) {
    const std::int64_t size = b.digest.size_bytes();
    if (!fits_batch(ctx, size)) {
      upload_bytestream(ctx, b, fn);
      continue;
    }
    if (!fits_batch(ctx, bytes + size) || batch.size() >= kMaxBatchEntries) flush();
    batch.push_back(b);
    bytes += size;
  }
  flush();
}

std::optional<std::string> writes_refused(Context& ctx) {
  const Blob probe = make_blob(ctx, 32);
  const auto reply = batch_update(ctx, {probe});
  const bool denied = reply.code() == grpc::StatusCode::PERMISSION_DENIED ||
                      (reply.ok() && reply.response.responses_size() > 0 &&
                       reply.response.responses(0).status().code() ==
                           static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  if (!denied) return std::nullopt;
  return "the server refuses uploads (" + reply.request + " -> PERMISSION_DENIED): read-only";
}

bool reported_missing(Context& ctx, const v2::Digest& digest, std::string& detail) {
  auto reply = find_missing(ctx, {digest});
  require(reply.ok(),
          "checking the outcome: " + reply.request + " -> " + status_text(reply.status));
  detail = reply.request;
  return std::any_of(reply.response.missing_blob_digests().begin(),
                     reply.response.missing_blob_digests().end(),
                     [&](const v2::Digest& m) { return same(m, digest); });
}

// --- ByteStream ---

std::string read_name(Context& ctx, const v2::Digest& digest, reapi::Compressor c) {
  return reapi::format_read_resource_name(blob_name(ctx, digest, c));
}

std::string upload_name(Context& ctx, const v2::Digest& digest, reapi::Compressor c) {
  reapi::BlobResourceName name = blob_name(ctx, digest, c);
  name.upload_id = ctx.uuid();
  return reapi::format_write_resource_name(name);
}

ReadResult read(Context& ctx, const std::string& name, std::int64_t offset, std::int64_t limit,
                std::int64_t max_bytes) {
  bs::ReadRequest request;
  request.set_resource_name(name);
  request.set_read_offset(offset);
  request.set_read_limit(limit);
  return read_raw(ctx, request, max_bytes);
}

ReadResult read_raw(Context& ctx, const bs::ReadRequest& request, std::int64_t max_bytes) {
  ReadResult out;
  out.request = "Read " + brief(request);
  if (max_bytes < 0) max_bytes = ctx.options().max_blob_size * 2 + (1 << 20);
  grpc::ClientContext context;
  ctx.prepare(context, max_bytes);
  auto reader = ctx.bytestream().Read(&context, request);
  bs::ReadResponse message;
  bool overflow = false;
  while (reader->Read(&message)) {
    ++out.messages;
    if (static_cast<std::int64_t>(out.data.size() + message.data().size()) > max_bytes) {
      overflow = true;
      context.TryCancel();
      break;
    }
    out.data += message.data();
  }
  out.status = reader->Finish();
  if (overflow) {
    out.status = grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                              "the server sent more than " + std::to_string(max_bytes) +
                                  " bytes; the suite stopped reading");
  }
  return out;
}

WriteResult write(Context& ctx, const std::string& name, std::string_view data,
                  const std::vector<std::int64_t>& pieces, std::int64_t first_offset, bool finish) {
  std::vector<std::int64_t> sizes = pieces;
  if (sizes.empty()) {
    const std::int64_t chunk = ctx.chunk_size();
    for (std::int64_t at = 0; at < static_cast<std::int64_t>(data.size()); at += chunk) {
      sizes.push_back(std::min<std::int64_t>(chunk, static_cast<std::int64_t>(data.size()) - at));
    }
    if (sizes.empty()) sizes.push_back(0);
  }
  std::vector<bs::WriteRequest> requests;
  std::int64_t at = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    bs::WriteRequest r;
    if (i == 0) r.set_resource_name(name);
    r.set_write_offset(first_offset + at);
    const auto from = static_cast<std::size_t>(std::min<std::int64_t>(at, data.size()));
    r.set_data(std::string(data.substr(from, static_cast<std::size_t>(sizes[i]))));
    at += sizes[i];
    if (finish && i + 1 == sizes.size()) r.set_finish_write(true);
    requests.push_back(std::move(r));
  }
  WriteResult out = write_raw(ctx, requests);
  out.request = "Write " + name + " of " + std::to_string(data.size()) + " bytes in " +
                std::to_string(sizes.size()) + " message(s) from offset " +
                std::to_string(first_offset) + (finish ? "" : ", without finish_write");
  return out;
}

WriteResult write_raw(Context& ctx, const std::vector<bs::WriteRequest>& requests) {
  WriteResult out;
  std::int64_t bytes = 0;
  for (const auto& r : requests) bytes += static_cast<std::int64_t>(r.data().size());
  out.request = "Write of " + std::to_string(requests.size()) + " message(s)";
  if (!requests.empty()) out.request += " to " + requests.front().resource_name();
  grpc::ClientContext context;
  ctx.prepare(context, bytes);
  bs::WriteResponse response;
  auto writer = ctx.bytestream().Write(&context, &response);
  for (const auto& r : requests) {
    if (!writer->Write(r)) {
      out.stream_broken = true;
      break;
    }
    ++out.messages_sent;
  }
  writer->WritesDone();
  out.status = writer->Finish();
  if (out.status.ok()) out.committed_size = response.committed_size();
  return out;
}

void upload_bytestream(Context& ctx, const Blob& blob, std::optional<reapi::DigestFunction> fn) {
  skip_unless_storable(ctx, blob);
  reapi::BlobResourceName name = blob_name(ctx, blob.digest, reapi::Compressor::identity, fn);
  name.upload_id = ctx.uuid();
  const WriteResult w = write(ctx, reapi::format_write_resource_name(name), blob.data);
  if (w.status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    skip_check("the server refused the upload this check needs (read-only?): " + w.request +
               " -> " + status_text(w.status));
  }
  require(w.status.ok(), "preparing the check: " + w.request + " -> " + status_text(w.status));
}

ReadBack read_back(Context& ctx, const v2::Digest& digest,
                   std::optional<reapi::DigestFunction> fn) {
  if (fits_batch(ctx, digest.size_bytes())) return batch_read_back(ctx, digest, fn);
  return bytestream_read_back(ctx, digest, fn);
}

std::int64_t max_blob(const Context& ctx, std::int64_t cap) {
  const std::int64_t max = cap > 0 ? cap : ctx.options().max_blob_size;
  const std::int64_t limit = ctx.facts().max_cas_blob_size_bytes;
  return limit > 0 ? std::min(max, limit) : max;
}

WriteResult unless_refused(WriteResult w) {
  if (w.status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    skip_check("the server refuses writes (read-only?): " + w.request + " -> " +
               status_text(w.status));
  }
  return w;
}

WriteResult send(Context& ctx, const std::string& name, std::string_view data,
                 const std::vector<std::int64_t>& pieces, std::int64_t first_offset, bool finish) {
  return unless_refused(write(ctx, name, data, pieces, first_offset, finish));
}

Reply<bs::QueryWriteStatusResponse> query_write_status(Context& ctx, const std::string& name) {
  Reply<bs::QueryWriteStatusResponse> reply;
  bs::QueryWriteStatusRequest request;
  request.set_resource_name(name);
  grpc::ClientContext context;
  ctx.prepare(context);
  reply.status = ctx.bytestream().QueryWriteStatus(&context, request, &reply.response);
  reply.request = "QueryWriteStatus " + name;
  return reply;
}

// --- ActionCache ---

Reply<v2::ActionResult> get_action_result(Context& ctx, const v2::Digest& action,
                                          bool inline_stdout, bool inline_stderr,
                                          const std::vector<std::string>& inline_files) {
  v2::GetActionResultRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  *request.mutable_action_digest() = action;
  request.set_inline_stdout(inline_stdout);
  request.set_inline_stderr(inline_stderr);
  for (const auto& f : inline_files) request.add_inline_output_files(f);
  return get_action_result_raw(ctx, request);
}

Reply<v2::ActionResult> get_action_result_raw(Context& ctx,
                                              const v2::GetActionResultRequest& request) {
  Reply<v2::ActionResult> reply;
  grpc::ClientContext context;
  ctx.prepare(context);
  reply.status = ctx.action_cache().GetActionResult(&context, request, &reply.response);
  reply.request = "GetActionResult " + brief(request);
  return reply;
}

Reply<v2::ActionResult> update_action_result(Context& ctx, const v2::Digest& action,
                                             const v2::ActionResult& result) {
  v2::UpdateActionResultRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  *request.mutable_action_digest() = action;
  *request.mutable_action_result() = result;
  return update_action_result_raw(ctx, request);
}

Reply<v2::ActionResult> update_action_result_raw(Context& ctx,
                                                 const v2::UpdateActionResultRequest& request) {
  Reply<v2::ActionResult> reply;
  grpc::ClientContext context;
  ctx.prepare(context, static_cast<std::int64_t>(request.ByteSizeLong()));
  reply.status = ctx.action_cache().UpdateActionResult(&context, request, &reply.response);
  reply.request = "UpdateActionResult " + brief(request);
  return reply;
}

Reply<v2::ServerCapabilities> get_capabilities(Context& ctx, const std::string& instance) {
  Reply<v2::ServerCapabilities> reply;
  v2::GetCapabilitiesRequest request;
  request.set_instance_name(instance);
  grpc::ClientContext context;
  ctx.prepare(context);
  reply.status = ctx.capabilities().GetCapabilities(&context, request, &reply.response);
  reply.request = "GetCapabilities instance_name '" + instance + "'";
  return reply;
}

// --- text ---

std::string status_text(const grpc::Status& status) {
  std::string out = reapi::code_name(status.error_code());
  if (!status.ok() && !status.error_message().empty()) {
    out += " (" + clipped(status.error_message()) + ")";
  }
  // Said by the client library, not the server: spell out what it means here.
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    out +=
        " [no complete answer within the call's deadline (--deadline) or the check's time "
        "budget: the server hung or trickled]";
  } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    out += " [the connection failed or was dropped]";
  }
  return out;
}

std::string status_text(const google::rpc::Status& status) {
  std::string out = reapi::code_name(status.code());
  if (status.code() != 0 && !status.message().empty()) {
    out += " (" + clipped(status.message()) + ")";
  }
  return out;
}

std::string brief(const reapi::Digest& digest) {
  return (digest.hash.size() > 12 ? digest.hash.substr(0, 12) + ".." : digest.hash) + "/" +
         std::to_string(digest.size_bytes);
}

std::string brief(const v2::Digest& digest) { return brief(reapi::from_proto(digest)); }

std::string brief(const google::protobuf::Message& message, std::size_t limit) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.SetTruncateStringFieldLongerThan(48);
  std::string text;
  printer.PrintToString(message, &text);
  return clipped(text, limit);
}

bool same(const v2::Digest& a, const v2::Digest& b) {
  return a.hash() == b.hash() && a.size_bytes() == b.size_bytes();
}

std::string first_difference(std::string_view got, std::string_view wanted) {
  const std::size_t n = std::min(got.size(), wanted.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (got[i] != wanted[i]) {
      return "first difference at byte " + std::to_string(i) + " of " +
             std::to_string(wanted.size());
    }
  }
  if (got.size() != wanted.size()) {
    return "got " + std::to_string(got.size()) + " bytes, expected " +
           std::to_string(wanted.size());
  }
  return "identical";
}

}  // namespace conformance
