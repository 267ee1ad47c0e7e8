// Several clients at once (section `concurrency`): racing uploads of one blob, reads while
// a blob is being uploaded, FindMissingBlobs while uploads are acknowledged. Each check
// stresses one rule of bytestream.md / cas.md that single-client checks cannot reach.
// Worker threads only make calls and record what came back; every judgement (require)
// happens on the property's thread once they have joined.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <mutex>
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

using namespace std::chrono_literals;

// Text blobs are unique only from 32 bytes on (shorter ones share the run's prefix), and
// these checks need blobs the server has never seen.
constexpr std::int64_t kFreshText = 32;

// Runs job(0) .. job(n-1) on their own threads, released together, and waits for all.
void run_together(int n, const std::function<void(int)>& job) {
  std::latch start(n);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&start, &job, i] {
      start.arrive_and_wait();
      job(i);
    });
  }
  for (std::thread& t : threads) t.join();
}

// What a compressed read decodes to; a zero-length body stands for zero bytes (B5).
absl::StatusOr<std::string> unzstd(std::string_view data, std::int64_t expected) {
  if (data.empty() && expected == 0) return std::string();
  return reapi::zstd_decompress(data, expected);
}

// The ways one client can upload a blob.
enum class Way { bytestream, bytestream_zstd, batch, batch_zstd };

std::string way_name(Way w) {
  switch (w) {
    case Way::bytestream:
      return "ByteStream Write";
    case Way::bytestream_zstd:
      return "ByteStream Write (zstd)";
    case Way::batch:
      return "BatchUpdateBlobs";
    case Way::batch_zstd:
      return "BatchUpdateBlobs (zstd entry)";
  }
  return "?";
}
void showValue(Way w, std::ostream& os) { os << way_name(w); }

// One uploader's request, prepared on the property's thread and sent from a worker.
struct Upload {
  Way way = Way::bytestream;
  std::string name;                  // ByteStream upload name
  std::string body;                  // what goes on the wire (compressed or not)
  std::vector<std::int64_t> pieces;  // ByteStream message sizes
};

// What came back: OK, or what failed and how.
struct Sent {
  bool ok = false;
  std::string text;  // "<request> -> <status>"
};

Sent send_upload(Context& ctx, const Blob& blob, const Upload& u) {
  Sent out;
  if (u.way == Way::bytestream || u.way == Way::bytestream_zstd) {
    const WriteResult w = write(ctx, u.name, u.body, u.pieces);
    out.ok = w.status.ok();
    // An uncompressed upload, early return or not, commits the whole blob (BS-WRITE-05).
    if (out.ok && u.way == Way::bytestream) out.ok = w.committed_size == blob.digest.size_bytes();
    out.text = w.request + " -> " + status_text(w.status) +
               (w.status.ok() ? ", committed_size " + std::to_string(w.committed_size) : "");
    return out;
  }
  auto request = batch_update_request(ctx, {blob});
  if (u.way == Way::batch_zstd) {
    request.mutable_requests(0)->set_compressor(v2::Compressor::ZSTD);
    request.mutable_requests(0)->set_data(u.body);
  }
  const auto reply = batch_update_raw(ctx, request);
  const bool entry = reply.ok() && reply.response.responses_size() == 1;
  out.ok = entry && reply.response.responses(0).status().code() == 0;
  out.text = reply.request + (u.way == Way::batch_zstd ? " (zstd entry)" : "") + " -> " +
             status_text(reply.status) +
             (entry ? ", entry " + status_text(reply.response.responses(0).status()) : "");
  return out;
}

// BS-WRITE-11: four clients upload the same fresh blob at once, mixing ByteStream and
// BatchUpdateBlobs; all succeed and the blob reads back exactly.
Outcome concurrent_uploads_same_blob(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  const bool zstd = ctx.facts().advertises_compressor(v2::Compressor::ZSTD);
  const bool batch_zstd = ctx.facts().advertises_batch_compressor(v2::Compressor::ZSTD);
  return property(ctx, [&] {
    const std::int64_t size = std::max(*gen_blob_size(ctx, 2 * kMiB), kFreshText);
    const bool batchable = fits_batch(ctx, size);
    std::vector<Way> streams{Way::bytestream};
    if (zstd) streams.push_back(Way::bytestream_zstd);
    std::vector<Way> all = streams;
    if (batchable) all.push_back(Way::batch);
    if (batchable && batch_zstd) all.push_back(Way::batch_zstd);
    // At least two ByteStream uploads race; the others may be anything.
    std::vector<Way> ways{Way::bytestream, *rc::gen::elementOf(streams), *rc::gen::elementOf(all),
                          *rc::gen::elementOf(all)};
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    std::vector<Upload> uploads;
    for (Way w : ways) {
      Upload u;
      u.way = w;
      const bool compressed = w == Way::bytestream_zstd || w == Way::batch_zstd;
      u.body = compressed ? reapi::zstd_compress(blob.data) : blob.data;
      u.name = upload_name(ctx, blob.digest,
                           compressed ? reapi::Compressor::zstd : reapi::Compressor::identity);
      // Many small messages keep each stream open while the others start.
      u.pieces = *gen_pieces(
          static_cast<std::int64_t>(u.body.size()),
          std::clamp<std::int64_t>(static_cast<std::int64_t>(u.body.size()) / 8, 1,
                                   std::min<std::int64_t>(ctx.chunk_size(), 256 << 10)));
      uploads.push_back(std::move(u));
    }
    std::vector<Sent> results(uploads.size());
    run_together(static_cast<int>(uploads.size()), [&](int i) {
      results[static_cast<std::size_t>(i)] =
          send_upload(ctx, blob, uploads[static_cast<std::size_t>(i)]);
    });
    std::string all_text;
    for (const Sent& r : results) all_text += " [" + r.text + "]";
    for (const Sent& r : results) {
      require(r.ok, "4 concurrent uploads of " + brief(blob.digest) + ": " + r.text +
                        "; every racing upload of one blob must succeed; all:" + all_text);
    }
    const ReadResult read_back = read(ctx, read_name(ctx, blob.digest));
    require(read_back.status.ok() && read_back.data == blob.data,
            read_back.request + " -> " + status_text(read_back.status) + ", " +
                first_difference(read_back.data, blob.data) +
                " after the racing uploads:" + all_text);
    const auto missing = find_missing(ctx, {blob.digest});
    require(missing.ok() && missing.response.missing_blob_digests_size() == 0,
            missing.request + " -> " + status_text(missing.status) + ", " +
                brief(missing.response) + " after the racing uploads:" + all_text);
  });
}

// How a reader looks at the blob.
enum class Look { bytestream, bytestream_zstd, batch };

std::string look_name(Look l) {
  switch (l) {
    case Look::bytestream:
      return "ByteStream Read";
    case Look::bytestream_zstd:
      return "ByteStream Read of compressed-blobs/zstd";
    case Look::batch:
      return "BatchReadBlobs";
  }
  return "?";
}
void showValue(Look l, std::ostream& os) { os << look_name(l); }

// One look at the blob: absent (NOT_FOUND), complete and exact, or something else (bad).
struct Sight {
  bool absent = false;
  bool exact = false;
  std::string text;
};

Sight look(Context& ctx, const Blob& blob, Look how) {
  Sight s;
  if (how == Look::batch) {
    const auto reply = batch_read(ctx, {blob.digest});
    if (!reply.ok() || reply.response.responses_size() != 1) {
      s.text = reply.request + " -> " + status_text(reply.status) + ", " +
               std::to_string(reply.response.responses_size()) + " entries";
      return s;
    }
    const auto& entry = reply.response.responses(0);
    s.absent = entry.status().code() == static_cast<int>(grpc::StatusCode::NOT_FOUND);
    s.exact = entry.status().code() == 0 && entry.data() == blob.data;
    s.text = reply.request + " -> entry " + status_text(entry.status()) +
             (entry.status().code() == 0 ? ", " + first_difference(entry.data(), blob.data) : "");
    return s;
  }
  const bool compressed = how == Look::bytestream_zstd;
  const ReadResult r =
      read(ctx, read_name(ctx, blob.digest,
                          compressed ? reapi::Compressor::zstd : reapi::Compressor::identity));
  s.absent = r.status.error_code() == grpc::StatusCode::NOT_FOUND && r.data.empty();
  if (!r.status.ok()) {
    s.text = r.request + " -> " + status_text(r.status) + " after " +
             std::to_string(r.data.size()) + " bytes";
    return s;
  }
  if (compressed) {
    const auto plain = unzstd(r.data, blob.digest.size_bytes());
    s.exact = plain.ok() && *plain == blob.data;
    s.text = r.request + " -> OK, " +
             (plain.ok() ? "decoded, " + first_difference(*plain, blob.data)
                         : "not decodable: " + std::string(plain.status().message()));
  } else {
    s.exact = r.data == blob.data;
    s.text = r.request + " -> OK, " + first_difference(r.data, blob.data);
  }
  return s;
}

// BS-WRITE-08: while a blob is being uploaded (slowly, message by message), readers see it
// absent (NOT_FOUND) or whole and exact, never a part of it; after the upload, whole.
Outcome no_partial_reads_during_upload(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  const bool zstd = ctx.facts().advertises_compressor(v2::Compressor::ZSTD);
  return property(ctx, [&] {
    const std::int64_t size = std::max(*gen_blob_size(ctx, 2 * kMiB), kFreshText);
    const auto pieces = *gen_pieces(size, std::clamp<std::int64_t>(size / 4, 1, ctx.chunk_size()));
    std::vector<Look> looks{Look::bytestream};
    if (zstd) looks.push_back(Look::bytestream_zstd);
    if (fits_batch(ctx, size)) looks.push_back(Look::batch);
    const std::vector<Look> readers{Look::bytestream, *rc::gen::elementOf(looks),
                                    *rc::gen::elementOf(looks)};
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    const std::string name = upload_name(ctx, blob.digest);

    std::atomic<bool> written{false};
    WriteResult upload_result;
    std::mutex mutex;
    std::optional<std::string> torn;  // the first look that was neither absent nor exact
    int absent_looks = 0, exact_looks = 0;
    run_together(static_cast<int>(readers.size()) + 1, [&](int i) {
      if (i == 0) {
        OpenWrite stream(ctx, name, size);
        std::int64_t at = 0;
        for (std::size_t k = 0; k < pieces.size(); ++k) {
          const auto n = static_cast<std::size_t>(pieces[k]);
          if (!stream.send(std::string_view(blob.data).substr(static_cast<std::size_t>(at), n),
                           k + 1 == pieces.size())) {
            break;
          }
          at += pieces[k];
          std::this_thread::sleep_for(3ms);
        }
        upload_result = stream.close();
        written = true;
        return;
      }
      const Look how = readers[static_cast<std::size_t>(i - 1)];
      while (!written && !ctx.out_of_time()) {
        const Sight s = look(ctx, blob, how);
        std::lock_guard lock(mutex);
        if (s.exact) ++exact_looks;
        if (s.absent) ++absent_looks;
        if (!s.exact && !s.absent && !torn) torn = s.text;
      }
    });
    require(upload_result.status.ok(), "preparing the check: " + upload_result.request + " -> " +
                                           status_text(upload_result.status));
    require(!torn, "during " + upload_result.request + ": " + torn.value_or("") +
                       "; a blob being uploaded must read as NOT_FOUND or whole (" +
                       std::to_string(absent_looks) + " looks saw NOT_FOUND, " +
                       std::to_string(exact_looks) + " the whole blob)");
    for (Look how : looks) {
      const Sight s = look(ctx, blob, how);
      require(s.exact, s.text + " right after " + upload_result.request + " -> OK (" +
                           look_name(how) + " must return the blob once the upload is done)");
    }
  });
}

// CAS-FMB-01: FindMissingBlobs, asked again and again while uploads are acknowledged one by
// one, never lists a blob whose upload was acknowledged before the question.
Outcome find_missing_during_uploads(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  // Some blobs go by BatchUpdateBlobs, one to a call: none over the batch limit.
  return property(ctx, [&] {
    const auto sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(4, 13), gen_small_size(max_batch_blob(ctx, 256 << 10)));
    std::vector<Blob> blobs;
    std::vector<Upload> uploads;
    for (std::int64_t size : sizes) {
      blobs.push_back(make_blob(ctx, std::max<std::int64_t>(size, 16)));
      Upload u;
      u.way = *rc::gen::element(Way::bytestream, Way::batch);
      u.body = blobs.back().data;
      u.name = upload_name(ctx, blobs.back().digest);
      u.pieces = *gen_pieces(static_cast<std::int64_t>(u.body.size()), ctx.chunk_size());
      uploads.push_back(std::move(u));
    }
    std::vector<v2::Digest> digests;
    for (const Blob& b : blobs) digests.push_back(b.digest);

    std::mutex mutex;
    std::vector<bool> acknowledged(blobs.size(), false);
    std::vector<std::string> failures;
    std::optional<std::string> wrong;  // the first FindMissingBlobs answer that lied
    std::atomic<int> uploaders_left{2};
    int questions = 0;
    run_together(3, [&](int i) {
      if (i < 2) {
        // Uploaders: blob k goes to uploader k % 2, in order.
        for (std::size_t k = static_cast<std::size_t>(i); k < blobs.size(); k += 2) {
          const Sent r = send_upload(ctx, blobs[k], uploads[k]);
          std::lock_guard lock(mutex);
          if (r.ok) {
            acknowledged[k] = true;
          } else {
            failures.push_back(r.text);
          }
        }
        --uploaders_left;
        return;
      }
      // The questioner: one more question after the uploaders are done.
      bool last = false;
      while (!last && !ctx.out_of_time()) {
        last = uploaders_left == 0;
        std::vector<bool> before;
        {
          std::lock_guard lock(mutex);
          before = acknowledged;
        }
        const auto reply = find_missing(ctx, digests);
        ++questions;  // `wrong` and `questions` belong to this thread until the join
        if (!reply.ok()) {
          wrong = reply.request + " -> " + status_text(reply.status);
          break;
        }
        for (const auto& d : reply.response.missing_blob_digests()) {
          for (std::size_t k = 0; k < blobs.size(); ++k) {
            if (before[k] && same(d, blobs[k].digest) && !wrong) {
              wrong = reply.request + " lists " + brief(d) + ", whose " + way_name(uploads[k].way) +
                      " had been acknowledged before the question";
            }
          }
        }
        if (wrong) break;
        std::this_thread::sleep_for(1ms);
      }
    });
    require(failures.empty(),
            "preparing the check: an upload failed: " + (failures.empty() ? "" : failures[0]));
    require(!wrong, wrong.value_or("") + " (question " + std::to_string(questions) +
                        " while uploads were under way)");
  });
}

}  // namespace

void add_concurrency_checks(Catalogue& catalogue) {
  catalogue.add({"concurrency.concurrent_uploads_same_blob", "BS-WRITE-11", Level::must,
                 "Uploads of one blob racing over ByteStream and BatchUpdateBlobs all succeed "
                 "and the blob reads back exactly"},
                concurrent_uploads_same_blob);
  catalogue.add({"concurrency.no_partial_reads_during_upload", "BS-WRITE-08", Level::must,
                 "While a blob is being uploaded, readers see it absent or whole, never a part"},
                no_partial_reads_during_upload);
  catalogue.add({"concurrency.find_missing_during_uploads", "CAS-FMB-01", Level::must,
                 "FindMissingBlobs during uploads never lists a blob whose upload was "
                 "already acknowledged"},
                find_missing_during_uploads);
}

}  // namespace conformance
