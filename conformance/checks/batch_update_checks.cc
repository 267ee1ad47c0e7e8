// BatchUpdateBlobs (cas.md section 2, CAS-BUP-nn).

#include <algorithm>
#include <optional>

#include "checks/families.h"
#include "checks/malformed_digest.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/compression.h"

namespace conformance {

namespace {

using Response = v2::BatchUpdateBlobsResponse::Response;
constexpr int kInvalidArgument = static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT);

// The responses that name `digest` (clients match by digest; order means nothing, N2).
std::vector<const Response*> responses_for(const v2::BatchUpdateBlobsResponse& response,
                                           const v2::Digest& digest) {
  std::vector<const Response*> out;
  for (const Response& r : response.responses())
    if (same(r.digest(), digest)) out.push_back(&r);
  return out;
}

std::string responses_text(const v2::BatchUpdateBlobsResponse& response) {
  std::string out = "responses = [";
  for (int i = 0; i < response.responses_size(); ++i) {
    if (i == 8) {
      out += ", ... " + std::to_string(response.responses_size()) + " in all";
      break;
    }
    if (i > 0) out += ", ";
    out +=
        brief(response.responses(i).digest()) + ": " + status_text(response.responses(i).status());
  }
  return out + "]";
}

// The one status the response gives `digest`; fails the case if there is none.
const google::rpc::Status& entry_status(const Reply<v2::BatchUpdateBlobsResponse>& reply,
                                        const v2::Digest& digest) {
  const auto found = responses_for(reply.response, digest);
  require(!found.empty(), reply.request + " -> OK, " + responses_text(reply.response) +
                              ": no response for " + brief(digest));
  return found.front()->status();
}

// A sub-16-byte blob may have been uploaded by anyone, so only longer ones prove absence.
constexpr std::int64_t kUnique = 16;

void require_not_stored(Context& ctx, const v2::Digest& digest, const std::string& why) {
  if (digest.size_bytes() < kUnique) return;
  std::string detail;
  require(reported_missing(ctx, digest, detail),
          why + "; then " + detail + " -> " + brief(digest) + " is reported present");
}

// Entry whose data does not match its digest, in one of several ways.
struct Mismatch {
  std::string what;
  Blob entry;  // digest and data as sent
};

Mismatch mismatch_of(Context& ctx, std::int64_t size, int kind) {
  Mismatch m;
  Blob real = make_blob(ctx, size);
  switch (size > 0 ? kind : kind % 2) {
    case 0:
      m.what = "declared size one larger than the data";
      m.entry = real;
      m.entry.digest.set_size_bytes(size + 1);
      break;
    case 1:
      m.what = "digest of other data of the same length";
      m.entry.digest = make_blob(ctx, size).digest;
      // Tiny random blobs can coincide; draw again until the digest differs.
      while (size > 0 && same(m.entry.digest, real.digest))
        m.entry.digest = make_blob(ctx, size).digest;
      m.entry.data = real.data;
      if (size == 0) {  // no other data of length 0: change the size instead
        m.what = "digest of other data, data empty";
        m.entry.digest = make_blob(ctx, 17).digest;
      }
      break;
    case 2:
      m.what = "one byte of the data changed";
      m.entry = real;
      m.entry.data[m.entry.data.size() / 2] ^= 0x01;
      break;
    default:
      m.what = "declared size one smaller than the data";
      m.entry = real;
      m.entry.digest.set_size_bytes(size - 1);
      break;
  }
  return m;
}

rc::Gen<int> gen_mismatch_kind() { return rc::gen::inRange(0, 4); }

// Sizes for blobs batched several to a call: up to `max`, a tenth of the batch limit, and
// never over max_cas_blob_size_bytes (a larger blob may be refused for itself, CAS-BUP-12).
rc::Gen<std::int64_t> gen_entry_size(const Context& ctx, std::int64_t max) {
  return gen_small_size(std::min(max_blob(ctx, max), batch_capacity(ctx) / 10));
}

// Entries a batch of the limit's size may be split into: few enough that their framing
// stays well within the 64 KiB the server must leave above its limit (N3).
constexpr int kMaxLimitEntries = 256;

// Blob sizes adding up to `total` in at least `count` blobs, none over the advertised
// max_cas_blob_size_bytes, so that only the batch total is on trial; empty when that takes
// more than kMaxLimitEntries blobs.
std::vector<std::int64_t> split_total(const Context& ctx, std::int64_t total, int count) {
  const std::int64_t each = std::max<std::int64_t>(max_blob(ctx, total), 1);
  const std::int64_t n = std::max<std::int64_t>(count, (total + each - 1) / each);
  if (n > kMaxLimitEntries) return {};
  std::vector<std::int64_t> sizes;
  std::int64_t left = total;
  for (std::int64_t i = n; i > 0; --i) {
    sizes.push_back(i == 1 ? left : left / i);
    left -= sizes.back();
  }
  return sizes;
}

std::optional<Outcome> unless_splittable(const Context& ctx, std::int64_t total) {
  if (!split_total(ctx, total, 1).empty()) return std::nullopt;
  return Outcome::skip(
      "max_cas_blob_size_bytes (" + std::to_string(ctx.facts().max_cas_blob_size_bytes) +
      ") is too small to fill the batch limit with " + std::to_string(kMaxLimitEntries) + " blobs");
}

// Blobs of the drawn sizes with distinct digests (small random blobs can repeat).
std::vector<Blob> distinct_blobs(Context& ctx, const std::vector<std::int64_t>& sizes) {
  std::vector<Blob> out;
  for (std::int64_t size : sizes) {
    Blob b = make_blob(ctx, size);
    if (std::none_of(out.begin(), out.end(),
                     [&](const Blob& o) { return same(o.digest, b.digest); }))
      out.push_back(std::move(b));
  }
  return out;
}

template <typename T>
void shuffle_in(std::vector<T>& into, std::vector<T> items) {
  for (T& item : items) {
    const auto at = *rc::gen::inRange<std::size_t>(0, into.size() + 1);
    into.insert(into.begin() + static_cast<std::ptrdiff_t>(at), std::move(item));
  }
}

// CAS-BUP-01: good and bad entries in one call are answered independently.
Outcome independent_results(Context& ctx) {
  return property(ctx, [&] {
    const auto good_sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(1, 5), gen_entry_size(ctx, 64 << 10));
    const auto bad_count = *rc::gen::inRange(1, 4);
    std::vector<Blob> good = distinct_blobs(ctx, good_sizes);
    std::vector<Mismatch> bad;
    for (int i = 0; i < bad_count; ++i)
      bad.push_back(mismatch_of(ctx,
                                std::max<std::int64_t>(*gen_entry_size(ctx, 64 << 10), kUnique),
                                *gen_mismatch_kind()));
    std::vector<Blob> entries = good;
    std::vector<Blob> bad_entries;
    for (const Mismatch& m : bad) bad_entries.push_back(m.entry);
    shuffle_in(entries, bad_entries);

    auto reply = batch_update(ctx, entries);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status) +
                            ": per-blob failures must not fail the call");
    for (const Blob& b : good) {
      const auto& status = entry_status(reply, b.digest);
      require(status.code() == 0, reply.request + " -> " + responses_text(reply.response) +
                                      ": good entry " + brief(b.digest) +
                                      " failed alongside bad ones");
    }
    for (const Mismatch& m : bad) {
      const auto& status = entry_status(reply, m.entry.digest);
      require(status.code() != 0, reply.request + " -> " + responses_text(reply.response) +
                                      ": entry " + brief(m.entry.digest) + " (" + m.what +
                                      ") was accepted");
    }
    auto check = find_missing(ctx, [&] {
      std::vector<v2::Digest> ds;
      for (const Blob& b : good) ds.push_back(b.digest);
      return ds;
    }());
    require(check.ok() && check.response.missing_blob_digests_size() == 0,
            reply.request + " -> OK; then " + check.request + " -> " + status_text(check.status) +
                " " + brief(check.response) + ": accepted blobs are not stored");
    for (const Mismatch& m : bad)
      require_not_stored(ctx, m.entry.digest, reply.request + ": bad entry (" + m.what + ")");
  });
}

// CAS-BUP-02: one response per entry, identified by digest.
Outcome one_response_per_entry(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(1, 9), gen_entry_size(ctx, 16 << 10));
    const std::vector<Blob> blobs = distinct_blobs(ctx, sizes);
    auto reply = batch_update(ctx, blobs);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    require(reply.response.responses_size() == static_cast<int>(blobs.size()),
            reply.request + " -> " + responses_text(reply.response) + ": " +
                std::to_string(reply.response.responses_size()) + " responses for " +
                std::to_string(blobs.size()) + " entries");
    for (const Blob& b : blobs) {
      require(responses_for(reply.response, b.digest).size() == 1,
              reply.request + " -> " + responses_text(reply.response) + ": " + brief(b.digest) +
                  " is not answered exactly once");
    }
  });
}

// CAS-BUP-03: data that does not hash to the digest is refused with INVALID_ARGUMENT.
Outcome rejects_data_mismatch(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_entry_size(ctx, 64 << 10);
    const Mismatch m = mismatch_of(ctx, size, *gen_mismatch_kind());
    auto reply = batch_update(ctx, {m.entry});
    const std::string sent = reply.request + " (" + m.what + ", " +
                             std::to_string(m.entry.data.size()) + " bytes of data)";
    require(reply.ok(), sent + " -> " + status_text(reply.status) +
                            ": a bad entry is reported in its own status (N5)");
    const auto& status = entry_status(reply, m.entry.digest);
    require(status.code() == kInvalidArgument,
            sent + " -> entry " + status_text(status) + "; expected INVALID_ARGUMENT");
    require_not_stored(ctx, m.entry.digest, sent + " -> INVALID_ARGUMENT");
  });
}

// CAS-BUP-05: more than the advertised limit fails the whole call with INVALID_ARGUMENT.
Outcome over_limit_rejected(Context& ctx) {
  const std::int64_t limit = ctx.facts().max_batch_total_size_bytes;
  if (limit <= 0) return Outcome::skip("the server advertises no max_batch_total_size_bytes");
  const std::int64_t sendable = ctx.session().target().max_message_size() - (16 << 10);
  if (limit + 1 > sendable) {
    return Outcome::skip("a request just over the advertised limit (" + std::to_string(limit) +
                         " bytes) does not fit this client's --max-message-size; raise it");
  }
  const std::int64_t max_over = std::min<std::int64_t>(sendable - limit, 8192);
  if (auto skip = unless_splittable(ctx, limit + max_over)) return *skip;
  return property(
      ctx,
      [&] {
        const int count = *rc::gen::inRange(1, 5);
        const std::int64_t over = *rc::gen::weightedOneOf<std::int64_t>(
            {{2, rc::gen::just<std::int64_t>(1)},
             {1, rc::gen::inRange<std::int64_t>(1, max_over + 1)}});
        const std::int64_t total = limit + over;
        std::vector<Blob> blobs;
        for (std::int64_t size : split_total(ctx, total, count))
          blobs.push_back(make_blob(ctx, size));
        auto reply = batch_update(ctx, blobs);
        const std::string sent = reply.request + ", " + std::to_string(total) +
                                 " bytes in all (limit " + std::to_string(limit) + ")";
        if (reply.code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          // The transport refused it before the handler (N3): no room left over the limit.
          should(ctx, false,
                 sent + " -> " + status_text(reply.status) +
                     ": refused by the gRPC message limit, not with INVALID_ARGUMENT; the "
                     "receive limit should exceed the batch limit by framing room (N3)");
          return;
        }
        require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
                sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
      },
      PropertyLimits{.cases = 4});
}

// CAS-BUP-06: up to the advertised limit (or 3 MiB without one) the call is accepted.
Outcome at_limit_accepted(Context& ctx) {
  const std::int64_t advertised = ctx.facts().max_batch_total_size_bytes;
  const std::int64_t sendable = ctx.session().target().max_message_size() - (64 << 10);
  std::int64_t target = advertised > 0 ? advertised : 3 * kMiB;
  std::string note;
  if (target > sendable) {
    note = "tested up to " + std::to_string(sendable) +
           " bytes, below the advertised limit, to fit this client's --max-message-size";
    target = sendable;
  }
  if (auto skip = unless_splittable(ctx, target)) return *skip;
  Outcome outcome = property(
      ctx,
      [&] {
        const int count = *rc::gen::inRange(1, 5);
        const std::int64_t under = *rc::gen::weightedOneOf<std::int64_t>(
            {{2, rc::gen::just<std::int64_t>(0)}, {1, rc::gen::inRange<std::int64_t>(1, 4096)}});
        const std::int64_t total = target - under;
        std::vector<Blob> blobs;
        for (std::int64_t size : split_total(ctx, total, count))
          blobs.push_back(make_blob(ctx, size));
        auto reply = batch_update(ctx, blobs);
        const std::string sent = reply.request + ", " + std::to_string(total) +
                                 " bytes in all (limit " +
                                 (advertised > 0 ? std::to_string(advertised) : "none") + ")";
        require(reply.ok(), sent + " -> " + status_text(reply.status));
        for (const Blob& b : blobs) {
          const auto& status = entry_status(reply, b.digest);
          require(status.code() == 0, sent + " -> " + responses_text(reply.response));
        }
      },
      PropertyLimits{.cases = 4});
  if (outcome.verdict == Outcome::Verdict::passed && !note.empty()) outcome.message = note;
  return outcome;
}

// CAS-BUP-07: uploading a stored blob again succeeds.
Outcome reupload_succeeds(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_entry_size(ctx, 256 << 10);
    const bool with_new = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size);
    for (int round = 1; round <= 2; ++round) {
      std::vector<Blob> entries = {blob};
      // A new blob alongside, the two within the batch limit.
      if (round == 2 && with_new)
        entries.push_back(make_blob(ctx, std::min<std::int64_t>(100, batch_capacity(ctx) / 2)));
      auto reply = batch_update(ctx, entries);
      const std::string sent = reply.request + " (upload " + std::to_string(round) + " of 2)";
      require(reply.ok(), sent + " -> " + status_text(reply.status));
      const auto& status = entry_status(reply, blob.digest);
      require(status.code() == 0, sent + " -> " + responses_text(reply.response));
    }
  });
}

// CAS-BUP-08: the same blob twice in one call succeeds for every occurrence.
Outcome duplicate_entries(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(1, 3), gen_entry_size(ctx, 64 << 10));
    const std::vector<Blob> blobs = distinct_blobs(ctx, sizes);
    std::vector<Blob> entries;
    std::vector<int> times;
    for (const Blob& b : blobs) {
      times.push_back(*rc::gen::inRange(2, 4));
      shuffle_in(entries, std::vector<Blob>(static_cast<std::size_t>(times.back()), b));
    }
    auto reply = batch_update(ctx, entries);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      const auto found = responses_for(reply.response, blobs[i].digest);
      require(!found.empty() && static_cast<int>(found.size()) <= times[i],
              reply.request + " -> " + responses_text(reply.response) + ": " +
                  brief(blobs[i].digest) + " sent " + std::to_string(times[i]) +
                  " times is answered " + std::to_string(found.size()) + " times");
      for (const Response* r : found) {
        require(r->status().code() == 0, reply.request + " -> " + responses_text(reply.response) +
                                             ": a repeated entry failed");
      }
    }
    std::vector<v2::Digest> digests;
    for (const Blob& b : blobs) digests.push_back(b.digest);
    auto check = find_missing(ctx, digests);
    require(check.ok() && check.response.missing_blob_digests_size() == 0,
            reply.request + " -> OK; then " + check.request + " -> " + status_text(check.status) +
                " " + brief(check.response) + ": the repeated blobs are not stored");
  });
}

// The compressors this suite can produce among those advertised for batch updates.
std::vector<v2::Compressor::Value> producible(const ServerFacts& facts) {
  std::vector<v2::Compressor::Value> out;
  if (facts.advertises_batch_compressor(v2::Compressor::ZSTD)) out.push_back(v2::Compressor::ZSTD);
  return out;
}

std::string compressed(v2::Compressor::Value c, std::string_view data) {
  (void)c;  // only ZSTD is producible (see producible())
  return reapi::zstd_compress(data);
}

// CAS-BUP-09: a compressed entry is stored as its uncompressed blob.
Outcome compressed_entries(Context& ctx) {
  const auto compressors = producible(ctx.facts());
  if (ctx.facts().batch_update_compressors.empty())
    return Outcome::skip("the server advertises no supported_batch_update_compressors");
  if (compressors.empty())
    return Outcome::skip(
        "the advertised batch-update compressors are ones this suite cannot "
        "produce (it produces zstd)");
  return property(ctx, [&] {
    const auto c = *rc::gen::elementOf(compressors);
    const auto size = *gen_entry_size(ctx, 256 << 10);
    const bool text = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size, text);
    v2::BatchUpdateBlobsRequest request = batch_update_request(ctx, {blob});
    request.mutable_requests(0)->set_data(compressed(c, blob.data));
    request.mutable_requests(0)->set_compressor(c);
    auto reply = batch_update_raw(ctx, request);
    const std::string sent = reply.request + " as " + v2::Compressor::Value_Name(c) + " (" +
                             std::to_string(request.requests(0).data().size()) + " bytes for " +
                             std::to_string(size) + ")";
    require(reply.ok(), sent + " -> " + status_text(reply.status));
    const auto& status = entry_status(reply, blob.digest);
    require(status.code() == 0, sent + " -> entry " + status_text(status));
    auto read = batch_read(ctx, {blob.digest});
    require(read.ok() && read.response.responses_size() >= 1,
            sent + " -> OK; then " + read.request + " -> " + status_text(read.status));
    const auto& r = read.response.responses(0);
    require(r.status().code() == 0 && r.data() == blob.data,
            sent + " -> OK; then " + read.request + " -> " + status_text(r.status()) + ", " +
                first_difference(r.data(), blob.data) + " (compressor " +
                v2::Compressor::Value_Name(r.compressor()) + ")");
  });
}

// CAS-BUP-10: a compressed entry that does not decode to its digest is refused.
Outcome rejects_bad_compressed_entry(Context& ctx) {
  if (!ctx.facts().advertises_batch_compressor(v2::Compressor::ZSTD))
    return Outcome::skip(
        "zstd is not in supported_batch_update_compressors (the only compressor "
        "this suite produces)");
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_entry_size(ctx, 64 << 10), kUnique);
    const int kind = *rc::gen::inRange(0, 3);
    const Blob blob = make_blob(ctx, size);
    std::string data, what;
    switch (kind) {
      case 0:
        what = "zstd of other data of the same length";
        data = reapi::zstd_compress(make_blob(ctx, size).data);
        break;
      case 1:
        what = "bytes that are not a zstd frame";
        data = "not zstd: " + ctx.unique_bytes(static_cast<std::size_t>(size / 2 + 1));
        break;
      default:
        what = "a zstd frame cut short";
        data = reapi::zstd_compress(blob.data);
        data.resize(data.size() / 2);
        break;
    }
    v2::BatchUpdateBlobsRequest request = batch_update_request(ctx, {blob});
    request.mutable_requests(0)->set_data(data);
    request.mutable_requests(0)->set_compressor(v2::Compressor::ZSTD);
    auto reply = batch_update_raw(ctx, request);
    const std::string sent = reply.request + " with ZSTD data: " + what;
    require(reply.ok(), sent + " -> " + status_text(reply.status) +
                            ": a bad entry is reported in its own status");
    const auto& status = entry_status(reply, blob.digest);
    require(status.code() == kInvalidArgument,
            sent + " -> entry " + status_text(status) + "; expected INVALID_ARGUMENT");
    require_not_stored(ctx, blob.digest, sent + " -> INVALID_ARGUMENT");
  });
}

// CAS-BUP-11: a compressor that is not advertised is refused, never taken as success.
Outcome rejects_unadvertised_compressor(Context& ctx) {
  std::vector<v2::Compressor::Value> unadvertised;
  for (auto c : {v2::Compressor::ZSTD, v2::Compressor::DEFLATE, v2::Compressor::BROTLI})
    if (!ctx.facts().advertises_batch_compressor(c)) unadvertised.push_back(c);
  if (unadvertised.empty())
    return Outcome::skip("every compressor is advertised for batch updates");
  return property(ctx, [&] {
    const auto c = *rc::gen::elementOf(unadvertised);
    const bool zstd_data = *rc::gen::arbitrary<bool>();
    const auto size = std::max<std::int64_t>(*gen_entry_size(ctx, 16 << 10), kUnique);
    const Blob blob = make_blob(ctx, size);
    v2::BatchUpdateBlobsRequest request = batch_update_request(ctx, {blob});
    request.mutable_requests(0)->set_compressor(c);
    if (zstd_data) request.mutable_requests(0)->set_data(reapi::zstd_compress(blob.data));
    auto reply = batch_update_raw(ctx, request);
    const std::string sent = reply.request + " with compressor " + v2::Compressor::Value_Name(c) +
                             " (not advertised), data " + (zstd_data ? "zstd" : "uncompressed");
    if (!reply.ok()) {
      require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
              sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
      return;
    }
    const auto& status = entry_status(reply, blob.digest);
    require(status.code() == kInvalidArgument,
            sent + " -> entry " + status_text(status) + "; expected INVALID_ARGUMENT");
  });
}

// CAS-BUP-12: an entry over max_cas_blob_size_bytes is refused.
Outcome rejects_blob_over_max_size(Context& ctx) {
  const std::int64_t max = ctx.facts().max_cas_blob_size_bytes;
  if (max <= 0) return Outcome::skip("the server advertises no max_cas_blob_size_bytes");
  if (!fits_batch(ctx, max + 1))
    return Outcome::skip("max_cas_blob_size_bytes (" + std::to_string(max) +
                         ") is not below the batch limit; a larger blob cannot be batched");
  return property(
      ctx,
      [&] {
        const std::int64_t over = *rc::gen::elementOf(std::vector<std::int64_t>{1, 2, 1024});
        const std::int64_t size = std::min(max + over, batch_capacity(ctx));
        const Blob blob = make_blob(ctx, size);
        auto reply = batch_update(ctx, {blob});
        const std::string sent = reply.request + " (" + std::to_string(size) +
                                 " bytes, max_cas_blob_size_bytes " + std::to_string(max) + ")";
        if (!reply.ok()) {
          require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
                  sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
          return;
        }
        const auto& status = entry_status(reply, blob.digest);
        require(status.code() == kInvalidArgument,
                sent + " -> entry " + status_text(status) + "; expected INVALID_ARGUMENT");
      },
      PropertyLimits{.cases = 4});
}

// CAS-BUP-13
Outcome empty_request(Context& ctx) {
  return once(ctx, [&] {
    auto reply = batch_update(ctx, {});
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    require(reply.response.responses_size() == 0,
            reply.request + " -> OK, " + responses_text(reply.response) + ": expected none");
  });
}

// CAS-BUP-14: what was acknowledged is readable at once, by every read path.
Outcome stored_is_readable(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(1, 5), gen_entry_size(ctx, 256 << 10));
    const std::vector<Blob> blobs = distinct_blobs(ctx, sizes);
    auto reply = batch_update(ctx, blobs);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    std::vector<v2::Digest> digests;
    for (const Blob& b : blobs) {
      const auto& status = entry_status(reply, b.digest);
      require(status.code() == 0, reply.request + " -> " + responses_text(reply.response));
      digests.push_back(b.digest);
    }
    auto missing = find_missing(ctx, digests);
    require(missing.ok() && missing.response.missing_blob_digests_size() == 0,
            reply.request + " -> all OK; then " + missing.request + " -> " +
                status_text(missing.status) + " " + brief(missing.response));
    auto batch = batch_read(ctx, digests);
    require(batch.ok(), reply.request + " -> all OK; then " + batch.request + " -> " +
                            status_text(batch.status));
    for (const Blob& b : blobs) {
      const auto it =
          std::find_if(batch.response.responses().begin(), batch.response.responses().end(),
                       [&](const auto& r) { return same(r.digest(), b.digest); });
      require(it != batch.response.responses().end(), reply.request + " -> all OK; then " +
                                                          batch.request + ": no entry for " +
                                                          brief(b.digest));
      require(it->status().code() == 0 && it->data() == b.data,
              reply.request + " -> all OK; then " + batch.request + " -> " + brief(b.digest) +
                  ": " + status_text(it->status()) + ", " + first_difference(it->data(), b.data));
    }
    const Blob& one = blobs[*rc::gen::inRange<std::size_t>(0, blobs.size())];
    const ReadResult bytes = read(ctx, read_name(ctx, one.digest));
    require(bytes.status.ok() && bytes.data == one.data,
            reply.request + " -> all OK; then " + bytes.request + " -> " +
                status_text(bytes.status) + ", " + first_difference(bytes.data, one.data));
  });
}

// CAS-BUP-15: a malformed digest in one entry gets INVALID_ARGUMENT (entry or call).
Outcome rejects_malformed_digest(Context& ctx) {
  return property(ctx, [&] {
    const int kind = *gen_malformed_kind();
    const auto size = std::max<std::int64_t>(*gen_entry_size(ctx, 16 << 10), kUnique);
    const Blob good = make_blob(ctx, size);
    Blob bad = make_blob(ctx, size);
    const Malformed m = malformed_from(bad.digest, kind);
    bad.digest = m.digest;
    const std::string& what = m.what;
    std::vector<Blob> entries = {good};
    shuffle_in(entries, std::vector<Blob>{bad});
    auto reply = batch_update(ctx, entries);
    const std::string sent = reply.request + " (" + brief(bad.digest) + ": " + what + ")";
    if (!reply.ok()) {
      require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
              sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
      return;
    }
    const auto& good_status = entry_status(reply, good.digest);
    require(good_status.code() == 0,
            sent + " -> OK, " + responses_text(reply.response) + ": the good entry failed");
    // The bad entry's echo may be normalised; it is the response that is not the good one.
    const auto it =
        std::find_if(reply.response.responses().begin(), reply.response.responses().end(),
                     [&](const Response& r) { return !same(r.digest(), good.digest); });
    require(it != reply.response.responses().end(), sent + " -> OK, " +
                                                        responses_text(reply.response) +
                                                        ": no response for the malformed entry");
    const auto& bad_status = it->status();
    require(bad_status.code() == kInvalidArgument,
            sent + " -> OK, " + responses_text(reply.response) + ": the malformed entry got " +
                status_text(bad_status) + "; expected INVALID_ARGUMENT");
  });
}

// A read-only server refuses every BatchUpdateBlobs (PERMISSION_DENIED, as it may): these
// checks cannot tell it anything then, so they skip with the reason.
CheckFn when_writable(CheckFn check) {
  return [check](Context& ctx) {
    if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
    return check(ctx);
  };
}

}  // namespace

void add_batch_update_checks(Catalogue& catalogue) {
  catalogue.add({"cas.batch_update.independent_results", "CAS-BUP-01", Level::must,
                 "Good and bad entries in one call succeed or fail each on its own, in per-entry "
                 "statuses, while the call returns OK"},
                when_writable(independent_results));
  catalogue.add({"cas.batch_update.one_response_per_entry", "CAS-BUP-02", Level::should,
                 "The response holds exactly one entry per requested blob, matched by digest"},
                when_writable(one_response_per_entry));
  catalogue.add({"cas.batch_update.rejects_data_mismatch", "CAS-BUP-03", Level::must,
                 "An entry whose data does not match its digest (hash or size) gets "
                 "INVALID_ARGUMENT and nothing is stored"},
                when_writable(rejects_data_mismatch));
  catalogue.not_checkable({"cas.batch_update.quota_exhausted", "CAS-BUP-04", Level::must,
                           "An entry that does not fit the storage quota gets RESOURCE_EXHAUSTED"},
                          "needs a server configured with a small quota; the suite cannot fill "
                          "a shared server's storage");
  catalogue.add({"cas.batch_update.over_limit_rejected", "CAS-BUP-05", Level::must,
                 "A call whose blobs add up to more than max_batch_total_size_bytes fails as a "
                 "whole with INVALID_ARGUMENT"},
                when_writable(over_limit_rejected));
  catalogue.add({"cas.batch_update.at_limit_accepted", "CAS-BUP-06", Level::must,
                 "A call whose blobs add up to at most the advertised limit is not refused for "
                 "its size, by the handler or the transport"},
                when_writable(at_limit_accepted));
  catalogue.add({"cas.batch_update.reupload_succeeds", "CAS-BUP-07", Level::must,
                 "Uploading a blob that is already stored succeeds"},
                when_writable(reupload_succeeds));
  catalogue.add({"cas.batch_update.duplicate_entries", "CAS-BUP-08", Level::should,
                 "The same blob listed several times in one call succeeds for every occurrence"},
                when_writable(duplicate_entries));
  catalogue.add({"cas.batch_update.compressed_entries", "CAS-BUP-09", Level::must,
                 "An entry compressed with an advertised batch-update compressor is decompressed, "
                 "verified and stored as the uncompressed blob"},
                when_writable(compressed_entries));
  catalogue.add({"cas.batch_update.rejects_bad_compressed_entry", "CAS-BUP-10", Level::must,
                 "A compressed entry that does not decode to its digest's blob gets "
                 "INVALID_ARGUMENT and nothing is stored"},
                when_writable(rejects_bad_compressed_entry));
  catalogue.add({"cas.batch_update.rejects_unadvertised_compressor", "CAS-BUP-11", Level::should,
                 "An entry with a compressor that is not advertised is refused with "
                 "INVALID_ARGUMENT, never stored as success"},
                when_writable(rejects_unadvertised_compressor));
  catalogue.add({"cas.batch_update.rejects_blob_over_max_size", "CAS-BUP-12", Level::should,
                 "An entry larger than max_cas_blob_size_bytes is refused with INVALID_ARGUMENT"},
                when_writable(rejects_blob_over_max_size));
  catalogue.add({"cas.batch_update.empty_request", "CAS-BUP-13", Level::should,
                 "A call with no entries succeeds with no responses"},
                when_writable(empty_request));
  catalogue.add({"cas.batch_update.stored_is_readable", "CAS-BUP-14", Level::must,
                 "A blob acknowledged with code 0 is at once present and readable through "
                 "BatchReadBlobs and ByteStream"},
                when_writable(stored_is_readable));
  catalogue.add({"cas.batch_update.rejects_malformed_digest", "CAS-BUP-15", Level::should,
                 "An entry with a malformed digest gets INVALID_ARGUMENT, as its own status or "
                 "the call's"},
                when_writable(rejects_malformed_digest));
}

}  // namespace conformance
