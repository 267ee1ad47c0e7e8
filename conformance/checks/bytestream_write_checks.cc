// ByteStream Write (bytestream.md section 3, BS-WRITE-nn): stream protocol (names,
// offsets, finish_write), verification, early return for stored blobs, concurrent uploads
// and resumption of broken ones.

#include <grpcpp/client_context.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <thread>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/compression.h"
#include "reapi/status.h"

namespace conformance {

namespace {

namespace bs = google::bytestream;
using Code = grpc::StatusCode;

// write_raw(), skipping the check on a read-only server.
WriteResult send_raw(Context& ctx, const std::vector<google::bytestream::WriteRequest>& requests) {
  return unless_refused(write_raw(ctx, requests));
}

rc::Gen<std::int64_t> in_range(std::int64_t low, std::int64_t high_inclusive) {
  if (high_inclusive <= low) return rc::gen::just(low);
  return rc::gen::inRange<std::int64_t>(low, high_inclusive + 1);
}

std::string blob_text(const Blob& blob) {
  return "the " + std::to_string(blob.data.size()) + "-byte blob " + brief(blob.digest);
}

std::string pieces_text(const std::vector<std::int64_t>& pieces) {
  std::string out = "[";
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i == 8) {
      out += ", ...";
      break;
    }
    out += (i > 0 ? ", " : "") + std::to_string(pieces[i]);
  }
  return out + "]";
}

// A blob nobody else holds (16 bytes or more) of a generated size up to `max`.
Blob fresh_blob(Context& ctx, std::int64_t max = 0, bool text = false) {
  return make_blob(ctx, std::max<std::int64_t>(*gen_blob_size(ctx, max_blob(ctx, max)), 16), text);
}

// The messages of an upload of `data` cut into `pieces`, the name on the first only.
std::vector<bs::WriteRequest> requests_for(const std::string& name, std::string_view data,
                                           const std::vector<std::int64_t>& pieces,
                                           std::int64_t first_offset, bool finish) {
  std::vector<bs::WriteRequest> out;
  std::int64_t at = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    bs::WriteRequest r;
    if (i == 0) r.set_resource_name(name);
    r.set_write_offset(first_offset + at);
    r.set_data(std::string(
        data.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(pieces[i]))));
    if (finish && i + 1 == pieces.size()) r.set_finish_write(true);
    at += pieces[i];
    out.push_back(std::move(r));
  }
  return out;
}

// Whether FindMissingBlobs reports `digest` stored (the call itself must succeed).
bool stored(Context& ctx, const v2::Digest& digest, const std::string& after) {
  const auto reply = find_missing(ctx, {digest});
  require(reply.ok(), "after " + after + ": " + reply.request + " -> " + status_text(reply.status));
  return std::none_of(reply.response.missing_blob_digests().begin(),
                      reply.response.missing_blob_digests().end(),
                      [&](const v2::Digest& d) { return same(d, digest); });
}

// The blob reads back exactly.
void require_readable(Context& ctx, const Blob& blob, const std::string& after) {
  const ReadResult r = read(ctx, read_name(ctx, blob.digest));
  require(r.status.ok() && r.data == blob.data,
          "after " + after + ": " + r.request + " -> " + status_text(r.status) + ", " +
              first_difference(r.data, blob.data) + " for " + blob_text(blob));
}

// The upload ended OK with committed_size `size`; `request` describes it.
void require_committed(const WriteResult& w, std::int64_t size, const std::string& request) {
  require(w.status.ok(), request + " -> " + status_text(w.status));
  require(w.committed_size == size, request + " -> OK with committed_size " +
                                        std::to_string(w.committed_size) + ", expected " +
                                        std::to_string(size));
}

bool zstd_advertised(Context& ctx) {
  return ctx.facts().advertises_compressor(v2::Compressor::ZSTD);
}

// BS-WRITE-01: the name comes on the first message; later ones repeat it or leave it out.
Outcome resource_name_first_message(Context& ctx) {
  return property(ctx, [&] {
    const std::string kind = *rc::gen::element<std::string>("first unnamed", "name repeated",
                                                            "other blob", "other uuid");
    const bool repeated = kind == "name repeated";
    const Blob blob = fresh_blob(ctx, 256 << 10);
    auto pieces = *gen_pieces(blob.digest.size_bytes(), ctx.chunk_size());
    if (!repeated && pieces.size() < 2) pieces.push_back(0);
    const std::string name = upload_name(ctx, blob.digest);
    auto requests = requests_for(name, blob.data, pieces, 0, true);
    std::string what;
    if (kind == "first unnamed") {
      requests[0].clear_resource_name();
      if (*rc::gen::arbitrary<bool>()) requests[1].set_resource_name(name);
      what = "the first message carries no resource_name";
    } else if (repeated) {
      for (std::size_t i = 1; i < requests.size(); ++i) {
        if (*rc::gen::arbitrary<bool>()) requests[i].set_resource_name(name);
      }
    } else {
      const auto at = static_cast<std::size_t>(*in_range(1, requests.size() - 1));
      const std::string other =
          kind == "other blob" ? upload_name(ctx, make_blob(ctx, blob.digest.size_bytes()).digest)
                               : upload_name(ctx, blob.digest);
      requests[at].set_resource_name(other);
      what = "message " + std::to_string(at + 1) + " names " + other;
    }
    const WriteResult w = send_raw(ctx, requests);
    const std::string request = w.request + " in pieces " + pieces_text(pieces);
    if (repeated) {
      require_committed(w, blob.digest.size_bytes(), request);
      require(stored(ctx, blob.digest, request),
              request + " -> OK, but FindMissingBlobs lists " + brief(blob.digest));
      return;
    }
    require(!w.status.ok(), request + " where " + what + " -> OK; the call must fail");
    should(ctx, w.status.error_code() == Code::INVALID_ARGUMENT,
           request + " where " + what + " -> " + status_text(w.status) +
               ", INVALID_ARGUMENT expected");
  });
}

// BS-WRITE-02: a write_offset that is not where the data so far ends fails the call.
Outcome offsets_contiguous(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = fresh_blob(ctx, 256 << 10);
    const std::int64_t size = blob.digest.size_bytes();
    const auto pieces = *gen_pieces(size, ctx.chunk_size());
    const auto at = static_cast<std::size_t>(*in_range(0, pieces.size() - 1));
    std::int64_t expected = 0;
    for (std::size_t i = 0; i < at; ++i) expected += pieces[i];
    const auto shift = *rc::gen::suchThat(
        rc::gen::weightedOneOf<std::int64_t>({
            {2, rc::gen::elementOf(std::vector<std::int64_t>{-1, 1, -expected, size})},
            {1, in_range(-expected, size)},
            {1, rc::gen::just(-expected - 1)},  // a negative offset
        }),
        [](std::int64_t v) { return v != 0; });
    auto requests = requests_for(upload_name(ctx, blob.digest), blob.data, pieces, 0, true);
    requests[at].set_write_offset(expected + shift);
    const WriteResult w = send_raw(ctx, requests);
    const std::string request = w.request + " in pieces " + pieces_text(pieces) +
                                " where message " + std::to_string(at + 1) + " says write_offset " +
                                std::to_string(expected + shift) + " instead of " +
                                std::to_string(expected);
    require(!w.status.ok(), request + " -> OK with committed_size " +
                                std::to_string(w.committed_size) + "; the call must fail");
    should(ctx, w.status.error_code() == Code::INVALID_ARGUMENT,
           request + " -> " + status_text(w.status) + ", INVALID_ARGUMENT expected");
  });
}

// BS-WRITE-03: a complete, matching upload ends OK with committed_size = size and stores
// the blob.
Outcome successful_upload(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = make_blob(ctx, *gen_blob_size(ctx, max_blob(ctx)));
    const auto pieces = *gen_pieces(blob.digest.size_bytes(), ctx.chunk_size());
    const WriteResult w = send(ctx, upload_name(ctx, blob.digest), blob.data, pieces);
    const std::string request = w.request + " (pieces " + pieces_text(pieces) + ")";
    require_committed(w, blob.digest.size_bytes(), request);
    require(stored(ctx, blob.digest, request),
            request + " -> OK, but FindMissingBlobs then lists " + brief(blob.digest));
    require_readable(ctx, blob, request);
  });
}

// BS-WRITE-04: bytes that do not match the digest are refused and not stored.
Outcome digest_mismatch_rejected(Context& ctx) {
  return property(ctx, [&] {
    const std::string kind = *rc::gen::element<std::string>("corrupt", "truncated", "extended");
    const Blob blob = fresh_blob(ctx);
    const std::int64_t size = blob.digest.size_bytes();
    std::string data = blob.data;
    std::string what;
    if (kind == "corrupt") {
      const auto at = *in_range(0, size - 1);
      data[static_cast<std::size_t>(at)] ^= static_cast<char>(*in_range(1, 255));
      what = "byte " + std::to_string(at) + " changed";
    } else if (kind == "truncated") {
      const auto cut = *rc::gen::weightedOneOf<std::int64_t>(
          {{2, rc::gen::just<std::int64_t>(1)}, {1, in_range(1, size)}});
      data.resize(static_cast<std::size_t>(size - cut));
      what = std::to_string(cut) + " bytes short";
    } else {
      const auto extra = *rc::gen::weightedOneOf<std::int64_t>(
          {{2, rc::gen::just<std::int64_t>(1)}, {1, in_range(1, 64 << 10)}});
      data += ctx.unique_bytes(static_cast<std::size_t>(extra));
      what = std::to_string(extra) + " bytes too many";
    }
    const auto pieces = *gen_pieces(static_cast<std::int64_t>(data.size()), ctx.chunk_size());
    const WriteResult w = send(ctx, upload_name(ctx, blob.digest), data, pieces);
    const std::string request = w.request + " (" + what + ")";
    require(!w.status.ok(), request + " -> OK with committed_size " +
                                std::to_string(w.committed_size) +
                                "; the data does not match the digest");
    // Too many bytes may be refused before the upload completes, with any code.
    if (kind == "extended") {
      should(ctx, w.status.error_code() == Code::INVALID_ARGUMENT,
             request + " -> " + status_text(w.status) + ", INVALID_ARGUMENT expected");
    } else {
      require(w.status.error_code() == Code::INVALID_ARGUMENT,
              request + " -> " + status_text(w.status) +
                  ", expected INVALID_ARGUMENT for a completed upload that does not match");
    }
    require(!stored(ctx, blob.digest, request), request + " -> " + status_text(w.status) +
                                                    ", yet FindMissingBlobs reports " +
                                                    brief(blob.digest) + " stored");
  });
}

// Re-uploads of a stored blob go out in one of two ways. Whole: every message, the last
// with finish_write. Probe: only the first third of the bytes, then a half-close without
// finish_write. A gRPC client cannot see whether the server stopped reading before the
// end, but on a probe only an early return can end OK with the whole blob accounted for:
// a server that waits for the rest must fail the unfinished upload or (bytestream.md B9)
// report the bytes it received, which are fewer.
struct Reupload {
  WriteResult result;
  std::int64_t sent = 0;  // bytes sent
};

Reupload reupload(Context& ctx, const std::string& name, const std::string& data, bool probe) {
  Reupload out;
  if (probe) {
    out.sent = std::max<std::int64_t>(1, static_cast<std::int64_t>(data.size()) / 3);
    out.result = send(ctx, name, std::string_view(data).substr(0, out.sent), {}, 0, false);
    return out;
  }
  const auto pieces = *gen_pieces(static_cast<std::int64_t>(data.size()),
                                  std::min<std::int64_t>(ctx.chunk_size(), 64 << 10));
  out.sent = static_cast<std::int64_t>(data.size());
  out.result = send(ctx, name, data, pieces);
  out.result.request += " in pieces " + pieces_text(pieces);
  return out;
}

// BS-WRITE-05: a stored blob uploaded again ends OK with committed_size = size, early or not.
Outcome existing_blob_early_return(Context& ctx) {
  int early = 0, probes = 0;
  Outcome outcome = property(ctx, [&] {
    const Blob blob = fresh_blob(ctx);
    const std::int64_t size = blob.digest.size_bytes();
    const bool probe = *rc::gen::arbitrary<bool>();
    upload(ctx, {blob});
    const Reupload r = reupload(ctx, upload_name(ctx, blob.digest), blob.data, probe);
    const WriteResult& w = r.result;
    const std::string request = w.request + " of " + blob_text(blob) + ", already stored";
    if (!probe) {
      require_committed(w, size, request);
      return;
    }
    ++probes;
    if (!w.status.ok()) return;  // the server waited for the rest: no early return to judge
    if (w.committed_size == size) {
      ++early;
      return;
    }
    require(w.committed_size >= 0 && w.committed_size <= r.sent,
            request + " (" + std::to_string(r.sent) + " bytes, no finish_write) -> OK with " +
                "committed_size " + std::to_string(w.committed_size) + ": expected " +
                std::to_string(size) + " for an early return (or at most the bytes sent)");
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "the server returned early on " + std::to_string(early) + " of " +
                      std::to_string(probes) + " partial re-uploads";
  }
  return outcome;
}

// BS-WRITE-06: a compressed upload of a stored blob that ends early reports -1.
Outcome compressed_early_return(Context& ctx) {
  if (!zstd_advertised(ctx)) return Outcome::skip("the server does not advertise zstd");
  int early = 0, probes = 0;
  Outcome outcome = property(ctx, [&] {
    // Random bytes: the compressed form is no shorter, so a third of it decodes to well
    // under the whole blob.
    const Blob blob = fresh_blob(ctx);
    const std::int64_t size = blob.digest.size_bytes();
    const bool probe = *rc::gen::arbitrary<bool>();
    const std::string compressed = reapi::zstd_compress(blob.data);
    upload(ctx, {blob});
    const Reupload r =
        reupload(ctx, upload_name(ctx, blob.digest, reapi::Compressor::zstd), compressed, probe);
    const WriteResult& w = r.result;
    const std::string request = w.request + " (zstd of " + blob_text(blob) + ", already stored)";
    const auto c = w.committed_size;
    if (probe) {
      ++probes;
      if (!w.status.ok()) return;  // the server waited for the rest: no early return to judge
      if (c == -1) {
        ++early;
        return;
      }
      require(c >= 0 && c < size,
              request + " (" + std::to_string(r.sent) + " compressed bytes, no finish_write) -> " +
                  "OK with committed_size " + std::to_string(c) +
                  ": only an early return ends such a call OK with the whole blob, and it must "
                  "report -1");
      return;
    }
    require(w.status.ok(), request + " -> " + status_text(w.status));
    // The server may have read every message (note B2).
    if (c == -1 || c == static_cast<std::int64_t>(compressed.size())) return;
    should(ctx, false,
           request + " -> OK with committed_size " + std::to_string(c) +
               ", expected -1 (early return) or " + std::to_string(compressed.size()) +
               " (compressed bytes, note B2)");
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "the server returned early on " + std::to_string(early) + " of " +
                      std::to_string(probes) + " partial re-uploads";
  }
  return outcome;
}

// BS-WRITE-07: a finished compressed upload reports the compressed bytes received (or -1).
Outcome compressed_completion_size(Context& ctx) {
  if (!zstd_advertised(ctx)) return Outcome::skip("the server does not advertise zstd");
  return property(ctx, [&] {
    const Blob blob = fresh_blob(ctx, 0, true);
    const std::string compressed = reapi::zstd_compress(blob.data);
    // At least two messages, none over the chunk size.
    const auto half = std::max<std::int64_t>(1, static_cast<std::int64_t>(compressed.size()) / 2);
    const auto pieces =
        *gen_pieces(static_cast<std::int64_t>(compressed.size()), std::min(half, ctx.chunk_size()));
    const WriteResult w =
        send(ctx, upload_name(ctx, blob.digest, reapi::Compressor::zstd), compressed, pieces);
    const std::string request = w.request + " (zstd of " + blob_text(blob) + ")";
    require_at(ctx, Level::must, w.status.ok(),
               request + " -> " + status_text(w.status) + "; zstd is advertised");
    const auto c = w.committed_size;
    const auto size = blob.digest.size_bytes();
    if (c == size && c != static_cast<std::int64_t>(compressed.size())) {
      should(ctx, false,
             request + " -> OK with committed_size " + std::to_string(c) +
                 " (the uncompressed size); expected " + std::to_string(compressed.size()) +
                 " (compressed bytes) or -1 (note B2)");
    } else {
      require(c == -1 || c == static_cast<std::int64_t>(compressed.size()),
              request + " -> OK with committed_size " + std::to_string(c) + ", expected " +
                  std::to_string(compressed.size()) + " (compressed bytes) or -1");
    }
    require_at(ctx, Level::must, stored(ctx, blob.digest, request),
               request + " -> OK, but FindMissingBlobs then lists " + brief(blob.digest));
  });
}

// Sends `pieces` of `data` without finish_write and breaks the stream: cancels the call,
// or half-closes it.
WriteResult broken_write(Context& ctx, const std::string& name, std::string_view data,
                         const std::vector<std::int64_t>& pieces, bool cancel) {
  if (!cancel) return send(ctx, name, data, pieces, 0, false);
  WriteResult out;
  out.request = "Write " + name + " of " + std::to_string(data.size()) + " bytes in " +
                std::to_string(pieces.size()) + " message(s) without finish_write, cancelled";
  grpc::ClientContext context;
  ctx.prepare(context, static_cast<std::int64_t>(data.size()));
  bs::WriteResponse response;
  auto writer = ctx.bytestream().Write(&context, &response);
  for (const bs::WriteRequest& r : requests_for(name, data, pieces, 0, false)) {
    if (!writer->Write(r)) {
      out.stream_broken = true;
      break;
    }
    ++out.messages_sent;
  }
  // Give the bytes a moment to arrive, as they would before a real connection loss.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  context.TryCancel();
  out.status = writer->Finish();
  return unless_refused(out);
}

// BS-WRITE-08: nothing is stored until finish_write, however much data came.
Outcome unfinished_not_stored(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = fresh_blob(ctx);
    const std::int64_t size = blob.digest.size_bytes();
    // All the bytes without finish_write is the case a careless server commits.
    const auto sent =
        *rc::gen::weightedOneOf<std::int64_t>({{2, rc::gen::just(size)}, {3, gen_offset(size)}});
    const auto pieces = *gen_pieces(sent, ctx.chunk_size());
    const bool cancel = *rc::gen::arbitrary<bool>();
    const WriteResult w = broken_write(
        ctx, upload_name(ctx, blob.digest),
        std::string_view(blob.data).substr(0, static_cast<std::size_t>(sent)), pieces, cancel);
    const std::string request =
        w.request + " (" + std::to_string(sent) + " of " + std::to_string(size) + " bytes)";
    require(!stored(ctx, blob.digest, request),
            request + " -> " + status_text(w.status) + ", yet FindMissingBlobs reports " +
                brief(blob.digest) + " stored without finish_write");
  });
}

// BS-WRITE-09: a message after finish_write fails the call, unless the server had already
// answered; an OK answer still means the blob is stored.
Outcome no_messages_after_finish(Context& ctx) {
  int ok = 0, cases = 0;
  Outcome outcome = property(ctx, [&] {
    const std::string kind =
        *rc::gen::element<std::string>("empty", "data", "finish again", "whole blob again");
    const bool repeat = kind == "whole blob again";
    // Repeated whole, the blob is one message: no larger than the server takes in one.
    const Blob blob =
        fresh_blob(ctx, repeat ? std::min<std::int64_t>(ctx.chunk_size(), 256 << 10) : 256 << 10);
    const std::int64_t size = blob.digest.size_bytes();
    const auto pieces = *gen_pieces(size, ctx.chunk_size());
    auto requests = requests_for(upload_name(ctx, blob.digest), blob.data, pieces, 0, true);
    bs::WriteRequest extra;
    extra.set_write_offset(repeat ? 0 : size);
    if (kind == "data") extra.set_data("xyz");
    if (repeat) extra.set_data(blob.data);
    extra.set_finish_write(kind == "finish again" || repeat);
    requests.push_back(extra);
    const WriteResult w = send_raw(ctx, requests);
    const std::string request =
        w.request + " whose last message follows the finish_write one: " + brief(extra, 120);
    ++cases;
    if (!w.status.ok()) {
      should(ctx, w.status.error_code() == Code::INVALID_ARGUMENT,
             request + " -> " + status_text(w.status) + ", INVALID_ARGUMENT expected");
      return;
    }
    ++ok;
    require(w.committed_size == size, request + " -> OK with committed_size " +
                                          std::to_string(w.committed_size) + ", expected " +
                                          std::to_string(size));
    require(stored(ctx, blob.digest, request),
            request + " -> OK, but FindMissingBlobs then lists " + brief(blob.digest));
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = std::to_string(ok) + " of " + std::to_string(cases) +
                      " such uploads ended OK (the server answered before the extra message)";
  }
  return outcome;
}

// BS-WRITE-10: messages with no data are fine anywhere in the stream.
Outcome empty_messages_accepted(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = make_blob(ctx, *gen_blob_size(ctx, max_blob(ctx)));
    auto pieces = *gen_pieces(blob.digest.size_bytes(), ctx.chunk_size());
    const int empties = *rc::gen::inRange(1, 5);
    for (int i = 0; i < empties; ++i) {
      const auto at = static_cast<std::size_t>(*in_range(0, pieces.size()));
      pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(at), 0);
    }
    const WriteResult w = send(ctx, upload_name(ctx, blob.digest), blob.data, pieces);
    const std::string request = w.request + " (pieces " + pieces_text(pieces) + ")";
    require_committed(w, blob.digest.size_bytes(), request);
    require_readable(ctx, blob, request);
  });
}

// BS-WRITE-11: several uploads of one blob at once all succeed.
Outcome concurrent_same_blob(Context& ctx) {
  const bool zstd = zstd_advertised(ctx);
  return property(ctx, [&] {
    const std::int64_t max = max_blob(ctx);
    const auto size = *rc::gen::weightedOneOf<std::int64_t>({
        {1, gen_blob_size(ctx, max)},
        {1, in_range(std::min(ctx.chunk_size(), max), max)},
    });
    const Blob blob = make_blob(ctx, std::max<std::int64_t>(size, 16));
    const std::string compressed = zstd ? reapi::zstd_compress(blob.data) : std::string();
    struct Upload {
      bool compressed = false;
      std::vector<std::int64_t> pieces;
      WriteResult result;
    };
    std::vector<Upload> uploads(4);
    for (std::size_t i = 0; i < uploads.size(); ++i) {
      uploads[i].compressed = zstd && i >= 2;
      const std::string& data = uploads[i].compressed ? compressed : blob.data;
      uploads[i].pieces = *gen_pieces(static_cast<std::int64_t>(data.size()), ctx.chunk_size());
    }
    std::latch start(static_cast<std::ptrdiff_t>(uploads.size()));
    std::vector<std::thread> threads;
    for (Upload& u : uploads) {
      threads.emplace_back([&ctx, &blob, &compressed, &start, &u] {
        const auto c = u.compressed ? reapi::Compressor::zstd : reapi::Compressor::identity;
        const std::string name = upload_name(ctx, blob.digest, c);
        start.arrive_and_wait();
        u.result = write(ctx, name, u.compressed ? compressed : blob.data, u.pieces);
      });
    }
    for (std::thread& t : threads) t.join();
    // Checked here: skip_check() must not be called on the upload threads.
    for (const Upload& u : uploads) unless_refused(u.result);
    const std::int64_t n = blob.digest.size_bytes();
    for (const Upload& u : uploads) {
      const WriteResult& w = u.result;
      const std::string request = w.request + " (one of " + std::to_string(uploads.size()) +
                                  " concurrent uploads of " + blob_text(blob) + ")";
      require(w.status.ok(), request + " -> " + status_text(w.status));
      if (!u.compressed) {
        require(w.committed_size == n, request + " -> OK with committed_size " +
                                           std::to_string(w.committed_size) + ", expected " +
                                           std::to_string(n));
        continue;
      }
      const auto c = w.committed_size;
      if (c == n && c != static_cast<std::int64_t>(compressed.size())) {
        should(ctx, false,
               request + " -> OK with committed_size " + std::to_string(c) +
                   " (uncompressed size); expected -1 or the compressed bytes (note B2)");
        continue;
      }
      require(c == -1 || c == static_cast<std::int64_t>(compressed.size()),
              request + " -> OK with committed_size " + std::to_string(c) + ", expected -1 or " +
                  std::to_string(compressed.size()));
    }
    require_readable(ctx, blob, "the concurrent uploads");
  });
}

// BS-WRITE-12: an upload over max_cas_blob_size_bytes is refused. The whole blob is sent,
// so that the size is the only reason to refuse it.
Outcome over_max_size_rejected(Context& ctx) {
  const std::int64_t limit = ctx.facts().max_cas_blob_size_bytes;
  if (limit <= 0) return Outcome::skip("the server advertises no max_cas_blob_size_bytes");
  const std::int64_t largest = std::max<std::int64_t>(ctx.options().max_blob_size, 64 << 20);
  if (limit + 1000 > largest) {
    return Outcome::skip("the advertised max_cas_blob_size_bytes " + std::to_string(limit) +
                         " is too large to send a blob over it (raise --max-blob-size)");
  }
  return property(ctx,
                  [&] {
                    const auto over = *rc::gen::elementOf(std::vector<std::int64_t>{1, 2, 1000});
                    const Blob blob = make_blob(ctx, limit + over);
                    const auto pieces = *gen_pieces(limit + over, ctx.chunk_size());
                    const WriteResult w =
                        send(ctx, upload_name(ctx, blob.digest), blob.data, pieces);
                    require(w.status.error_code() == Code::INVALID_ARGUMENT,
                            w.request + " -> " + status_text(w.status) +
                                "; the size is over the advertised " + "max_cas_blob_size_bytes " +
                                std::to_string(limit) + ", INVALID_ARGUMENT expected");
                  },
                  {.cases = 3});
}

// BS-WRITE-13: a broken upload resumes from the committed_size QueryWriteStatus reports.
Outcome resume_after_break(Context& ctx) {
  int resumed = 0, restarted = 0;
  Outcome outcome = property(ctx, [&] {
    const Blob blob =
        make_blob(ctx, std::max<std::int64_t>(*gen_blob_size(ctx, max_blob(ctx)), 16));
    const std::int64_t size = blob.digest.size_bytes();
    const auto sent = *gen_offset(size);
    const auto first_pieces = *gen_pieces(sent, ctx.chunk_size());
    const bool cancel = *rc::gen::arbitrary<bool>();
    const std::string name = upload_name(ctx, blob.digest);
    const WriteResult broken = broken_write(
        ctx, name, std::string_view(blob.data).substr(0, static_cast<std::size_t>(sent)),
        first_pieces, cancel);
    const std::string first = "a first stream sent " + std::to_string(sent) + " of " +
                              std::to_string(size) + " bytes and was " +
                              (cancel ? "cancelled" : "half-closed without finish_write") + " (" +
                              reapi::code_name(static_cast<int>(broken.status.error_code())) + ")";
    if (cancel) std::this_thread::sleep_for(std::chrono::milliseconds(50));

    // A resumed Write may meet the broken stream still being torn down: the name still
    // held (ABORTED), or, after a cancel, more of the old bytes landing after the
    // QueryWriteStatus answer. Then the suite asks again and retries; a server that keeps
    // its answer and still refuses a Write from it fails.
    WriteResult w;
    std::string request;
    std::int64_t last_c = -1;
    for (int attempt = 0;; ++attempt) {
      const auto q = query_write_status(ctx, name);
      if (q.code() == Code::UNIMPLEMENTED || q.code() == Code::NOT_FOUND) {
        // No resumption offered: start again under a new name (allowed by the rule).
        const auto pieces = *gen_pieces(size, ctx.chunk_size());
        w = send(ctx, upload_name(ctx, blob.digest), blob.data, pieces);
        request = w.request + " under a new uuid, after " + first + " and QueryWriteStatus -> " +
                  status_text(q.status);
        ++restarted;
        break;
      }
      require(q.ok(), q.request + " -> " + status_text(q.status) + ", after " + first);
      const std::int64_t c = q.response.committed_size();
      require(c >= 0 && c <= sent, q.request + " -> committed_size " + std::to_string(c) +
                                       ", outside 0.." + std::to_string(sent) +
                                       " (the bytes sent), after " + first);
      require(!q.response.complete(),
              q.request + " -> complete, though finish_write was never sent, after " + first);
      const bool held =
          w.status.error_code() == Code::ABORTED || w.status.error_code() == Code::UNAVAILABLE;
      if (attempt > 0 && c == last_c && !held) break;  // same answer, refused again: fail
      last_c = c;
      const auto pieces = *gen_pieces(size - c, ctx.chunk_size());
      w = send(ctx, name, std::string_view(blob.data).substr(static_cast<std::size_t>(c)), pieces,
               c);
      request = "the resumed " + w.request + ", after " + first +
                " and QueryWriteStatus -> committed_size " + std::to_string(c);
      const Code code = w.status.error_code();
      const bool retry =
          code == Code::ABORTED || code == Code::UNAVAILABLE || (cancel && code != Code::OK);
      if (!retry || attempt == 3) {
        ++resumed;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1)));
    }
    require(w.status.ok() && w.committed_size == size,
            (w.status.ok() ? "OK with committed_size " + std::to_string(w.committed_size)
                           : status_text(w.status)) +
                " (expected OK with committed_size " + std::to_string(size) + ") for " + request);
    require_readable(ctx, blob, request);
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = std::to_string(resumed) + " uploads resumed, " + std::to_string(restarted) +
                      " restarted (QueryWriteStatus NOT_FOUND or UNIMPLEMENTED)";
  }
  return outcome;
}

// BS-WRITE-14: one message {offset 0, no data, finish_write} uploads the empty blob.
Outcome empty_blob_upload(Context& ctx) {
  return once(ctx, [&] {
    bs::WriteRequest request;
    request.set_resource_name(upload_name(ctx, empty_blob_digest(ctx)));
    request.set_write_offset(0);
    request.set_finish_write(true);
    const WriteResult w = send_raw(ctx, {request});
    require_committed(w, 0, w.request + " (the empty blob: offset 0, no data, finish_write)");
  });
}

// BS-WRITE-15: writing again to a completed upload name may succeed or fail, but an OK
// must report the full size and the blob must stay intact either way.
Outcome repeat_completed_resource(Context& ctx) {
  int accepted = 0, cases = 0;
  Outcome outcome = property(ctx, [&] {
    const Blob blob = fresh_blob(ctx, 2 << 20);
    const std::string name = upload_name(ctx, blob.digest);
    const auto pieces = *gen_pieces(blob.digest.size_bytes(), ctx.chunk_size());
    const auto again = *gen_pieces(blob.digest.size_bytes(), ctx.chunk_size());
    const WriteResult first = send(ctx, name, blob.data, pieces);
    require_at(ctx, Level::must, first.status.ok(),
               "preparing the check: " + first.request + " -> " + status_text(first.status));
    const WriteResult w = send(ctx, name, blob.data, again);
    const std::string request = w.request + ", a second time under the same name";
    ++cases;
    if (w.status.ok()) {
      ++accepted;
      require_at(ctx, Level::must, w.committed_size == blob.digest.size_bytes(),
                 request + " -> OK with committed_size " + std::to_string(w.committed_size) +
                     ", expected " + std::to_string(blob.digest.size_bytes()));
    }
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require_at(ctx, Level::must, r.status.ok() && r.data == blob.data,
               "after " + request + " -> " + status_text(w.status) + ": " + r.request + " -> " +
                   status_text(r.status) + ", " + first_difference(r.data, blob.data));
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "repeated writes accepted " + std::to_string(accepted) + " of " +
                      std::to_string(cases) + " times";
  }
  return outcome;
}

}  // namespace

void add_bytestream_write_checks(Catalogue& catalogue) {
  catalogue.add({"bytestream.write.resource_name_first_message", "BS-WRITE-01", Level::must,
                 "The first WriteRequest names the resource; later ones may repeat it, and a "
                 "missing first name or a changed name fails the call"},
                resource_name_first_message);
  catalogue.add({"bytestream.write.offsets_contiguous", "BS-WRITE-02", Level::must,
                 "A write_offset other than where the data sent so far ends fails the call "
                 "(INVALID_ARGUMENT expected)"},
                offsets_contiguous);
  catalogue.add({"bytestream.write.successful_upload", "BS-WRITE-03", Level::must,
                 "A complete matching upload ends OK with committed_size equal to the size and "
                 "stores the blob"},
                successful_upload);
  catalogue.add({"bytestream.write.digest_mismatch_rejected", "BS-WRITE-04", Level::must,
                 "An upload whose bytes do not match the digest fails with INVALID_ARGUMENT and "
                 "stores nothing"},
                digest_mismatch_rejected);
  catalogue.add({"bytestream.write.existing_blob_early_return", "BS-WRITE-05", Level::must,
                 "An upload of a stored blob ends OK with committed_size equal to the size, "
                 "whether the server ends it early or not"},
                existing_blob_early_return);
  catalogue.add({"bytestream.write.compressed_early_return", "BS-WRITE-06", Level::must,
                 "A compressed upload of a stored blob that the server ends early reports "
                 "committed_size -1"},
                compressed_early_return);
  catalogue.add({"bytestream.write.compressed_completion_size", "BS-WRITE-07", Level::should,
                 "A completed compressed upload reports the compressed bytes received (or -1) "
                 "as committed_size"},
                compressed_completion_size);
  catalogue.add({"bytestream.write.unfinished_not_stored", "BS-WRITE-08", Level::must,
                 "No blob is stored before a message with finish_write, however much data came"},
                unfinished_not_stored);
  catalogue.add({"bytestream.write.no_messages_after_finish", "BS-WRITE-09", Level::must,
                 "A message after the finish_write one fails the call unless the server had "
                 "already answered (then OK with the blob stored)"},
                no_messages_after_finish);
  catalogue.add({"bytestream.write.empty_messages_accepted", "BS-WRITE-10", Level::must,
                 "WriteRequests with no data and a correct offset are accepted anywhere"},
                empty_messages_accepted);
  catalogue.add({"bytestream.write.concurrent_same_blob", "BS-WRITE-11", Level::must,
                 "Several concurrent uploads of one blob under different uuids all end OK and "
                 "the blob reads back"},
                concurrent_same_blob);
  catalogue.add({"bytestream.write.over_max_size_rejected", "BS-WRITE-12", Level::should,
                 "An upload larger than max_cas_blob_size_bytes is refused with "
                 "INVALID_ARGUMENT"},
                over_max_size_rejected);
  catalogue.add({"bytestream.write.resume_after_break", "BS-WRITE-13", Level::must,
                 "After a broken stream, a Write from the committed_size QueryWriteStatus "
                 "reports completes the upload"},
                resume_after_break);
  catalogue.add({"bytestream.write.empty_blob_upload", "BS-WRITE-14", Level::must,
                 "One message with offset 0, no data and finish_write uploads the empty blob "
                 "(committed_size 0)"},
                empty_blob_upload);
  catalogue.add({"bytestream.write.repeat_completed_resource", "BS-WRITE-15", Level::may,
                 "Writing again to a completed upload name may succeed (with the full size) or "
                 "fail, and leaves the blob intact"},
                repeat_completed_resource);
}

}  // namespace conformance
