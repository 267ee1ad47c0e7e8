// ByteStream QueryWriteStatus (bytestream.md section 4, BS-QWS-nn): what a server reports
// about uploads in progress, broken, finished, or of blobs it already holds, and whether a
// broken upload resumes from the committed size it reports.

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>
#include <thread>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/open_write.h"
#include "framework/property.h"

namespace conformance {

namespace {

using google::bytestream::QueryWriteStatusResponse;
using QwsReply = Reply<QueryWriteStatusResponse>;

// Text blobs are unique only from 32 bytes on (shorter ones share the run's prefix), and
// these checks need blobs the server has never seen.
constexpr std::int64_t kFreshText = 32;

// How an upload ends in complete_only_after_finish.
enum class End { finish, half_close, cancel };
void showValue(End e, std::ostream& os) {
  os << (e == End::finish ? "finish_write" : e == End::half_close ? "half-close" : "cancel");
}
// How the blob got stored in stored_blob_reported_complete.
enum class StoredVia { batch, same_upload_name, other_upload_name };
void showValue(StoredVia v, std::ostream& os) {
  os << (v == StoredVia::batch              ? "BatchUpdateBlobs"
         : v == StoredVia::same_upload_name ? "Write, same upload name asked"
                                            : "Write, another upload name asked");
}

std::string answer_text(const QwsReply& q) {
  return q.request + " -> " +
         (q.ok() ? "committed_size " + std::to_string(q.response.committed_size()) + ", complete " +
                       (q.response.complete() ? "true" : "false")
                 : status_text(q.status));
}

// Several servers do not implement QueryWriteStatus (bytestream.md B3); their clients
// restart broken uploads from zero, which the rules allow.
std::optional<std::string> qws_unimplemented(Context& ctx) {
  const QwsReply q = query_write_status(ctx, upload_name(ctx, absent(ctx, 100)));
  if (q.code() != grpc::StatusCode::UNIMPLEMENTED) return std::nullopt;
  return "QueryWriteStatus is not implemented (" + q.request +
         " -> UNIMPLEMENTED); clients restart broken uploads from zero (bytestream.md B3)";
}

std::optional<std::string> skip_reason(Context& ctx, bool writes) {
  if (auto why = qws_unimplemented(ctx)) return why;
  if (writes) return writes_refused(ctx);
  return std::nullopt;
}

// Sends data[from, from + n) in `pieces` on `stream`, the last piece carrying finish_write
// when `finish`. False when the server ended the stream early.
bool send_pieces(OpenWrite& stream, std::string_view data, const std::vector<std::int64_t>& pieces,
                 bool finish) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto n = static_cast<std::size_t>(pieces[i]);
    if (!stream.send(data.substr(at, n), finish && i + 1 == pieces.size())) return false;
    at += n;
  }
  return true;
}

// BS-QWS-01: an upload nobody started is unknown.
Outcome unknown_upload_not_found(Context& ctx) {
  if (auto why = qws_unimplemented(ctx)) return Outcome::skip(*why);
  const bool zstd = ctx.facts().advertises_compressor(v2::Compressor::ZSTD);
  return property(ctx, [&] {
    const std::int64_t size = *gen_blob_size(ctx);
    const bool compressed = zstd && *rc::gen::arbitrary<bool>();
    const std::string name = upload_name(
        ctx, absent(ctx, size), compressed ? reapi::Compressor::zstd : reapi::Compressor::identity);
    const QwsReply q = query_write_status(ctx, name);
    if (q.ok()) {
      // Nothing was sent: any progress or completion is invented (BS-QWS-03, BS-QWS-05).
      require_at(ctx, Level::must, q.response.committed_size() == 0 && !q.response.complete(),
                 answer_text(q) + ": no byte of this upload was ever sent");
    }
    should(ctx, q.code() == grpc::StatusCode::NOT_FOUND,
           answer_text(q) + ": an upload never started should be NOT_FOUND (bytestream.md B3)");
  });
}

// BS-QWS-02: committed_size never goes down, polled while an upload is under way.
Outcome committed_size_non_decreasing(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx, 2 * kMiB), 16);
    const auto pieces = *gen_pieces(
        size, std::min<std::int64_t>(ctx.chunk_size(), std::max<std::int64_t>(size / 3, 1)));
    const bool finish = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size);
    const std::string name = upload_name(ctx, blob.digest);

    std::int64_t highest = -1;  // largest committed_size reported so far
    std::string seen;           // what each poll answered, for the message
    auto poll = [&](const std::string& when) {
      const QwsReply q = query_write_status(ctx, name);
      seen += " " + when + ": " +
              (q.ok() ? std::to_string(q.response.committed_size()) : status_text(q.status)) + ";";
      return q;
    };
    OpenWrite stream(ctx, name, size);
    std::int64_t sent = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      const bool last = i + 1 == pieces.size();
      if (!stream.send(std::string_view(blob.data).substr(sent, pieces[i]), finish && last)) break;
      sent += pieces[i];
      // Give the server a moment to take in the message, as a slow client would.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      const QwsReply q = poll("after " + std::to_string(sent) + " bytes");
      if (q.ok()) {
        require(q.response.committed_size() >= highest,
                answer_text(q) + " while the upload was under way, after " +
                    std::to_string(highest) + " before; answers so far:" + seen);
        highest = q.response.committed_size();
      } else {
        should(ctx, q.code() == grpc::StatusCode::NOT_FOUND,
               answer_text(q) + " for an upload under way");
      }
    }
    const WriteResult w = stream.close();
    const QwsReply q = poll(finish ? "after finish_write" : "after the stream broke");
    if (!q.ok()) return;  // NOT_FOUND: the server forgot the upload, which is allowed
    if (!finish && q.response.committed_size() == 0 && highest > 0) {
      // A server that drops broken uploads and then answers 0 (bytestream.md B3).
      should(ctx, false,
             answer_text(q) + " after reporting " + std::to_string(highest) +
                 ": a dropped upload should be NOT_FOUND, not a smaller committed_size");
      return;
    }
    require(q.response.committed_size() >= highest,
            answer_text(q) + " after " + w.request + " -> " + status_text(w.status) +
                ", having reported " + std::to_string(highest) + " before; answers:" + seen);
  });
}

// BS-QWS-03: complete is false until finish_write has been processed.
Outcome complete_only_after_finish(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx, 2 * kMiB), 16);
    // All the bytes without finish_write is the case a careless server reports complete.
    const std::int64_t first =
        *rc::gen::weightedOneOf<std::int64_t>({{1, rc::gen::just(size)}, {2, gen_offset(size)}});
    const auto head = *gen_pieces(first, ctx.chunk_size());
    const End end = *rc::gen::element(End::finish, End::half_close, End::cancel);
    const Blob blob = make_blob(ctx, size);
    const std::string name = upload_name(ctx, blob.digest);
    const std::string_view data = blob.data;

    OpenWrite stream(ctx, name, size);
    const bool open = send_pieces(stream, data.substr(0, first), head, false);
    // Asked until the server holds every byte sent (briefly): the moment a server that
    // mistakes "all bytes here" for "finished" gives itself away. No answer may say complete.
    for (int poll = 0; poll < 25; ++poll) {
      std::this_thread::sleep_for(std::chrono::milliseconds(poll == 0 ? 2 : 10));
      const QwsReply mid = query_write_status(ctx, name);
      if (!mid.ok()) break;
      require(!mid.response.complete(), answer_text(mid) + " after " + std::to_string(first) +
                                            " of " + std::to_string(size) +
                                            " bytes, without finish_write");
      if (mid.response.committed_size() >= first) break;
    }
    if (end == End::finish) {
      require(open, "preparing the check: the server ended " + name + " after " +
                        std::to_string(first) + " bytes of a fresh blob");
      const auto tail = *gen_pieces(size - first, ctx.chunk_size());
      send_pieces(stream, data.substr(first), tail, true);
      const WriteResult w = stream.close();
      require(w.status.ok(), "preparing the check: " + w.request + " -> " + status_text(w.status));
      const QwsReply after = query_write_status(ctx, name);
      // A server may forget finished uploads (bytestream.md B4).
      should(
          ctx,
          after.code() == grpc::StatusCode::NOT_FOUND || (after.ok() && after.response.complete()),
          answer_text(after) + " after " + w.request +
              " -> OK: a finished upload should be "
              "complete (or NOT_FOUND)");
      return;
    }
    const WriteResult w = end == End::cancel ? stream.cancel() : stream.close();
    const QwsReply after = query_write_status(ctx, name);
    if (after.ok()) {
      require(!after.response.complete(), answer_text(after) + " after " + w.request + " -> " +
                                              status_text(w.status) +
                                              ": finish_write was never sent");
    }
  });
}

// BS-QWS-04: a stored blob counts as a complete upload of its full size.
Outcome stored_blob_reported_complete(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = *gen_blob_size(ctx, 2 * kMiB);
    const StoredVia via = *rc::gen::element(StoredVia::batch, StoredVia::same_upload_name,
                                            StoredVia::other_upload_name);
    const Blob blob = make_blob(ctx, size);
    std::string name = upload_name(ctx, blob.digest);
    std::string how = "stored through BatchUpdateBlobs";
    if (via == StoredVia::batch) {
      upload(ctx, {blob});
    } else {
      const WriteResult w = write(ctx, name, blob.data);
      require(w.status.ok(), "preparing the check: " + w.request + " -> " + status_text(w.status));
      how = "stored by " + w.request;
      if (via == StoredVia::other_upload_name) name = upload_name(ctx, blob.digest);
    }
    const QwsReply q = query_write_status(ctx, name);
    require(q.ok() && q.response.complete() && q.response.committed_size() == size,
            answer_text(q) + " for a blob of " + std::to_string(size) + " bytes " + how +
                "; expected committed_size " + std::to_string(size) +
                ", complete true (bytestream.md B4)");
  });
}

// BS-QWS-05: after a broken upload, committed_size is at most what was sent, and resuming
// from it completes the upload (BS-WRITE-13).
Outcome committed_size_never_exceeds_sent(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx), 16);
    auto stops =
        *rc::gen::container<std::vector<std::int64_t>>(*rc::gen::inRange(1, 3), gen_offset(size));
    std::sort(stops.begin(), stops.end());
    const Blob blob = make_blob(ctx, size);
    const std::string_view data = blob.data;
    std::string name = upload_name(ctx, blob.digest);

    std::int64_t from = 0;  // where the next stream starts: the last committed size
    std::string story;      // the uploads so far, for the message
    for (std::int64_t stop : stops) {
      stop = std::max(stop, from);
      const auto pieces = *gen_pieces(stop - from, ctx.chunk_size());
      const WriteResult w = write(ctx, name, data.substr(from, stop - from), pieces, from, false);
      story += " " + w.request + " -> " + status_text(w.status) + ";";
      if (w.status.ok()) {
        // Half-closing may be answered with the committed size (bytestream.proto).
        require(w.committed_size >= 0 && w.committed_size <= stop,
                w.request + " -> OK, committed_size " + std::to_string(w.committed_size) +
                    " when " + std::to_string(stop) + " bytes were sent");
      }
      const QwsReply q = query_write_status(ctx, name);
      story += " " + answer_text(q) + ";";
      if (q.code() == grpc::StatusCode::NOT_FOUND) {
        // The server keeps no broken uploads: the client starts again under a new name.
        name = upload_name(ctx, blob.digest);
        from = 0;
        break;
      }
      require(q.ok(), answer_text(q) + " for a broken upload; expected its committed size " +
                          "(or NOT_FOUND);" + story);
      require(!q.response.complete(), answer_text(q) + ": finish_write was never sent;" + story);
      require(q.response.committed_size() >= 0 && q.response.committed_size() <= stop,
              answer_text(q) + ": more than the " + std::to_string(stop) + " bytes sent;" + story);
      from = q.response.committed_size();
    }
    const auto rest = *gen_pieces(size - from, ctx.chunk_size());
    const WriteResult w = write(ctx, name, data.substr(from), rest, from, true);
    require(w.status.ok() && w.committed_size == size,
            w.request + " (resuming at the committed size reported) -> " + status_text(w.status) +
                (w.status.ok() ? ", committed_size " + std::to_string(w.committed_size) : "") +
                "; expected OK, committed_size " + std::to_string(size) + ";" + story);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require(r.status.ok() && r.data == blob.data, r.request + " -> " + status_text(r.status) +
                                                      ", " + first_difference(r.data, blob.data) +
                                                      " after the resumed upload;" + story);
  });
}

// BS-QWS-06: compressed uploads report uncompressed offsets; resuming from one works.
Outcome compressed_upload_uncompressed_offset(Context& ctx) {
  if (!ctx.facts().advertises_compressor(v2::Compressor::ZSTD)) {
    return Outcome::skip("the server does not advertise zstd for ByteStream");
  }
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max(*gen_blob_size(ctx, 2 * kMiB), kFreshText);
    const bool stored = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    const std::string name = upload_name(ctx, blob.digest, reapi::Compressor::zstd);
    if (stored) {
      upload(ctx, {blob});
      const QwsReply q = query_write_status(ctx, name);
      should(ctx, q.ok() && q.response.complete() && q.response.committed_size() == size,
             answer_text(q) + " for a stored blob of " + std::to_string(size) +
                 " bytes; expected committed_size " + std::to_string(size) +
                 " (uncompressed), complete true");
      return;
    }
    const std::string packed = reapi::zstd_compress(blob.data);
    const std::int64_t sent = *gen_offset(static_cast<std::int64_t>(packed.size()));
    const auto pieces = *gen_pieces(sent, ctx.chunk_size());
    const WriteResult broken =
        write(ctx, name, std::string_view(packed).substr(0, sent), pieces, 0, false);
    const QwsReply q = query_write_status(ctx, name);
    if (!q.ok()) {
      should(ctx, q.code() == grpc::StatusCode::NOT_FOUND,
             answer_text(q) + " after " + broken.request);
      return;  // NOT_FOUND: compressed uploads restart from zero, which is allowed
    }
    require_at(ctx, Level::must, !q.response.complete(),
               answer_text(q) + " after " + broken.request + ": finish_write was never sent");
    const std::int64_t c = q.response.committed_size();
    if (c < 0 || c > size) {
      should(ctx, false,
             answer_text(q) + " after " + broken.request + ": not an offset within the " +
                 std::to_string(size) + "-byte blob");
      return;
    }
    // Resume: a new compressed stream of the blob from uncompressed offset c.
    const std::string rest =
        c == 0 ? packed : reapi::zstd_compress(std::string_view(blob.data).substr(c));
    const auto rest_pieces = *gen_pieces(static_cast<std::int64_t>(rest.size()), ctx.chunk_size());
    const WriteResult w = write(ctx, name, rest, rest_pieces, c, true);
    should(ctx, w.status.ok(),
           w.request + " (zstd of the blob from the reported offset) -> " + status_text(w.status) +
               " after " + answer_text(q));
    if (!w.status.ok()) return;
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require_at(ctx, Level::must, r.status.ok() && r.data == blob.data,
               r.request + " -> " + status_text(r.status) + ", " +
                   first_difference(r.data, blob.data) + " after " + w.request + " -> OK");
  });
}

}  // namespace

void add_query_write_status_checks(Catalogue& catalogue) {
  catalogue.add(
      {"bytestream.query_write_status.unknown_upload_not_found", "BS-QWS-01", Level::should,
       "QueryWriteStatus of an upload never started answers NOT_FOUND, never progress"},
      unknown_upload_not_found);
  catalogue.add(
      {"bytestream.query_write_status.committed_size_non_decreasing", "BS-QWS-02", Level::must,
       "Successive QueryWriteStatus answers for one upload never report a smaller "
       "committed_size"},
      committed_size_non_decreasing);
  catalogue.add(
      {"bytestream.query_write_status.complete_only_after_finish", "BS-QWS-03", Level::must,
       "QueryWriteStatus reports complete only once finish_write has been processed"},
      complete_only_after_finish);
  catalogue.add(
      {"bytestream.query_write_status.stored_blob_reported_complete", "BS-QWS-04", Level::should,
       "For a blob already stored, QueryWriteStatus reports its full size and complete"},
      stored_blob_reported_complete);
  catalogue.add(
      {"bytestream.query_write_status.committed_size_never_exceeds_sent", "BS-QWS-05", Level::must,
       "After a broken upload the committed size is at most what was sent, and "
       "resuming from it completes the upload"},
      committed_size_never_exceeds_sent);
  catalogue.add({"bytestream.query_write_status.compressed_upload_uncompressed_offset", "BS-QWS-06",
                 Level::should,
                 "Compressed uploads report committed sizes as uncompressed offsets a resumed "
                 "stream can start from"},
                compressed_upload_uncompressed_offset);
}

}  // namespace conformance
