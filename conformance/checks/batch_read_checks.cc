// BatchReadBlobs (cas.md section 3, CAS-BRD-nn).

#include <algorithm>

#include "checks/families.h"
#include "checks/malformed_digest.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/compression.h"

namespace conformance {

namespace {

using Response = v2::BatchReadBlobsResponse::Response;
constexpr int kInvalidArgument = static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT);
constexpr int kNotFound = static_cast<int>(grpc::StatusCode::NOT_FOUND);

std::vector<const Response*> responses_for(const v2::BatchReadBlobsResponse& response,
                                           const v2::Digest& digest) {
  std::vector<const Response*> out;
  for (const Response& r : response.responses())
    if (same(r.digest(), digest)) out.push_back(&r);
  return out;
}

std::string entry_text(const Response& r) {
  std::string out = brief(r.digest()) + ": " + status_text(r.status());
  if (r.status().code() == 0 || !r.data().empty())
    out += ", " + std::to_string(r.data().size()) + " bytes";
  if (r.compressor() != v2::Compressor::IDENTITY)
    out += " " + v2::Compressor::Value_Name(r.compressor());
  return out;
}

std::string responses_text(const v2::BatchReadBlobsResponse& response) {
  std::string out = "responses = [";
  for (int i = 0; i < response.responses_size(); ++i) {
    if (i == 8) {
      out += ", ... " + std::to_string(response.responses_size()) + " in all";
      break;
    }
    if (i > 0) out += ", ";
    out += entry_text(response.responses(i));
  }
  return out + "]";
}

// The first response for `digest`; fails the case if there is none.
const Response& entry_for(const Reply<v2::BatchReadBlobsResponse>& reply,
                          const v2::Digest& digest) {
  const auto found = responses_for(reply.response, digest);
  require(!found.empty(), reply.request + " -> OK, " + responses_text(reply.response) +
                              ": no response for " + brief(digest));
  return *found.front();
}

// The bytes an entry stands for, decoded when it says it is compressed; an empty optional
// (with `why`) when the suite cannot decode it.
std::optional<std::string> decoded(const Response& r, std::int64_t size, std::string& why) {
  switch (r.compressor()) {
    case v2::Compressor::IDENTITY:
      return r.data();
    case v2::Compressor::ZSTD: {
      auto plain = reapi::zstd_decompress(r.data(), size);
      if (!plain.ok()) {
        why = "its ZSTD data does not decode (" + std::string(plain.status().message()) + ")";
        return std::nullopt;
      }
      return *std::move(plain);
    }
    default:
      why = "the suite cannot decode " + v2::Compressor::Value_Name(r.compressor());
      return std::nullopt;
  }
}

// Uploaded blobs of the drawn sizes, each of at least 16 bytes so that it is this run's own.
std::vector<Blob> stored_blobs(Context& ctx, const std::vector<std::int64_t>& sizes,
                               bool text = false) {
  std::vector<Blob> out;
  for (std::int64_t size : sizes)
    out.push_back(make_blob(ctx, std::max<std::int64_t>(size, 16), text));
  upload(ctx, out);
  return out;
}

// A size for one blob of a read request: up to `max`, and a sixteenth of the batch limit, so
// that no request of these checks (at most 9 entries) goes over the limit; never over
// max_cas_blob_size_bytes, which the server may enforce on upload.
rc::Gen<std::int64_t> gen_entry_size(const Context& ctx, std::int64_t max) {
  return gen_small_size(std::min(max_blob(ctx, max), batch_capacity(ctx) / 16));
}

rc::Gen<std::vector<std::int64_t>> gen_sizes(const Context& ctx, int min_count, int max_count,
                                             std::int64_t max) {
  return rc::gen::mapcat(rc::gen::inRange(min_count, max_count + 1), [&ctx, max](int n) {
    return rc::gen::container<std::vector<std::int64_t>>(static_cast<std::size_t>(n),
                                                         gen_entry_size(ctx, max));
  });
}

template <typename T>
void shuffle_in(std::vector<T>& into, std::vector<T> items) {
  for (T& item : items) {
    const auto at = *rc::gen::inRange<std::size_t>(0, into.size() + 1);
    into.insert(into.begin() + static_cast<std::ptrdiff_t>(at), std::move(item));
  }
}

// Digests nobody holds, of the drawn sizes. Never 0: a random hash with size 0 can never be
// stored, and a server may call it malformed rather than absent.
std::vector<v2::Digest> absent_digests(Context& ctx, const std::vector<std::int64_t>& sizes) {
  std::vector<v2::Digest> out;
  for (std::int64_t size : sizes) out.push_back(absent(ctx, std::max<std::int64_t>(size, 1)));
  return out;
}

// CAS-BRD-01: stored and absent blobs in one call each get their own outcome; the call is OK.
Outcome independent_results(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *gen_sizes(ctx, 1, 4, 256 << 10);
    const auto absent_sizes = *gen_sizes(ctx, 1, 3, 1 << 20);
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes);
    const std::vector<v2::Digest> missing = absent_digests(ctx, absent_sizes);
    std::vector<v2::Digest> asked;
    for (const Blob& b : blobs) asked.push_back(b.digest);
    shuffle_in(asked, missing);
    auto reply = batch_read(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status) +
                            ": absent blobs must not fail the call");
    for (const Blob& b : blobs) {
      const Response& r = entry_for(reply, b.digest);
      require(r.status().code() == 0 && r.data() == b.data,
              reply.request + " -> " + responses_text(reply.response) + ": stored " +
                  brief(b.digest) + " came back " + entry_text(r) + ", " +
                  first_difference(r.data(), b.data));
    }
    for (const v2::Digest& d : missing) {
      const Response& r = entry_for(reply, d);
      require(r.status().code() != 0, reply.request + " -> " + responses_text(reply.response) +
                                          ": absent " + brief(d) + " came back OK");
    }
  });
}

// CAS-BRD-02: an absent blob's entry is NOT_FOUND with no data.
Outcome absent_is_not_found(Context& ctx) {
  return property(ctx, [&] {
    const auto absent_sizes = *gen_sizes(ctx, 1, 4, 1 << 20);
    const auto sizes = *gen_sizes(ctx, 0, 2, 4096);
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes);
    const std::vector<v2::Digest> missing = absent_digests(ctx, absent_sizes);
    std::vector<v2::Digest> asked = missing;
    std::vector<v2::Digest> present;
    for (const Blob& b : blobs) present.push_back(b.digest);
    shuffle_in(asked, present);
    auto reply = batch_read(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    for (const v2::Digest& d : missing) {
      const Response& r = entry_for(reply, d);
      require(r.status().code() == kNotFound && r.data().empty(),
              reply.request + " -> " + responses_text(reply.response) + ": absent " + brief(d) +
                  " came back " + entry_text(r) + "; expected NOT_FOUND without data");
    }
  });
}

// CAS-BRD-03: a stored blob comes back byte for byte.
Outcome returns_exact_bytes(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *gen_sizes(ctx, 1, 5, 256 << 10);
    std::vector<Blob> blobs;
    for (std::int64_t size : sizes) blobs.push_back(make_blob(ctx, size));
    upload(ctx, blobs);
    std::vector<v2::Digest> asked;
    for (const Blob& b : blobs) asked.push_back(b.digest);
    auto reply = batch_read(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    for (const Blob& b : blobs) {
      const Response& r = entry_for(reply, b.digest);
      require(r.status().code() == 0, reply.request + " -> " + responses_text(reply.response) +
                                          ": stored " + brief(b.digest) + " came back " +
                                          entry_text(r));
      require(r.compressor() == v2::Compressor::IDENTITY,
              reply.request + " -> " + entry_text(r) +
                  ": compressed though no compressor was acceptable");
      require(r.data() == b.data,
              reply.request + " -> " + entry_text(r) + ": " + first_difference(r.data(), b.data));
    }
  });
}

// CAS-BRD-04: one response per requested digest, matched by digest.
Outcome one_response_per_digest(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *gen_sizes(ctx, 0, 4, 16 << 10);
    const auto absent_sizes = *gen_sizes(ctx, 0, 4, 1 << 20);
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes);
    std::vector<v2::Digest> asked = absent_digests(ctx, absent_sizes);
    std::vector<v2::Digest> present;
    for (const Blob& b : blobs) present.push_back(b.digest);
    shuffle_in(asked, present);
    if (asked.empty()) asked.push_back(absent(ctx, 100));
    auto reply = batch_read(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    require(reply.response.responses_size() == static_cast<int>(asked.size()),
            reply.request + " -> " + responses_text(reply.response) + ": " +
                std::to_string(reply.response.responses_size()) + " responses for " +
                std::to_string(asked.size()) + " digests");
    for (const v2::Digest& d : asked) {
      require(responses_for(reply.response, d).size() == 1,
              reply.request + " -> " + responses_text(reply.response) + ": " + brief(d) +
                  " is not answered exactly once");
    }
  });
}

// CAS-BRD-05: asking for more than the advertised limit fails the call with INVALID_ARGUMENT.
Outcome over_limit_rejected(Context& ctx) {
  const std::int64_t limit = ctx.facts().max_batch_total_size_bytes;
  if (limit <= 0) return Outcome::skip("the server advertises no max_batch_total_size_bytes");
  if (limit > 64 * kMiB)
    return Outcome::skip("the advertised batch limit (" + std::to_string(limit) +
                         " bytes) is too large to fill cheaply");
  // Each blob within max_cas_blob_size_bytes, which the server may enforce on upload.
  const std::int64_t each = std::max<std::int64_t>(max_blob(ctx, limit + 8192), 1);
  if ((limit + 8192 + each - 1) / each > 256)
    return Outcome::skip("max_cas_blob_size_bytes (" + std::to_string(each) +
                         ") is too small to fill the batch limit with 256 blobs");
  return property(
      ctx,
      [&] {
        const std::int64_t over = *rc::gen::weightedOneOf<std::int64_t>(
            {{2, rc::gen::just<std::int64_t>(1)}, {1, rc::gen::inRange<std::int64_t>(2, 8192)}});
        const std::int64_t total = limit + over;
        const std::int64_t count =
            std::max<std::int64_t>(*rc::gen::inRange(2, 5), (total + each - 1) / each);
        std::vector<Blob> blobs;
        std::int64_t left = total;
        for (std::int64_t i = count; i > 0; --i) {
          const std::int64_t size = i == 1 ? left : left / i;
          blobs.push_back(make_blob(ctx, size));
          left -= size;
        }
        // ByteStream: the limit may exceed what this client can send in one batch.
        for (const Blob& b : blobs) upload_bytestream(ctx, b);
        std::vector<v2::Digest> asked;
        for (const Blob& b : blobs) asked.push_back(b.digest);
        auto reply = batch_read(ctx, asked);
        require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
                reply.request + ", " + std::to_string(total) + " bytes in all (limit " +
                    std::to_string(limit) + ") -> " + status_text(reply.status) +
                    "; expected INVALID_ARGUMENT");
      },
      PropertyLimits{.cases = 4});
}

// CAS-BRD-06: entries use IDENTITY or an acceptable compressor, and decode to the blob.
Outcome compressed_responses(Context& ctx) {
  bool undecodable = false;
  Outcome outcome = property(ctx, [&] {
    const auto sizes = *gen_sizes(ctx, 1, 3, 256 << 10);
    const bool text = *rc::gen::arbitrary<bool>();
    const auto acceptable = *rc::gen::oneOf(
        rc::gen::just(std::vector<v2::Compressor::Value>{}),
        rc::gen::map(rc::gen::elementOf(std::vector<v2::Compressor::Value>{
                         v2::Compressor::ZSTD, v2::Compressor::DEFLATE, v2::Compressor::BROTLI}),
                     [](v2::Compressor::Value c) { return std::vector<v2::Compressor::Value>{c}; }),
        rc::gen::just(std::vector<v2::Compressor::Value>{
            v2::Compressor::ZSTD, v2::Compressor::DEFLATE, v2::Compressor::BROTLI}));
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes, text);
    std::vector<v2::Digest> asked;
    for (const Blob& b : blobs) asked.push_back(b.digest);
    auto reply = batch_read(ctx, asked, acceptable);
    std::string accepted = "[";
    for (auto c : acceptable)
      accepted += (accepted.size() > 1 ? ", " : "") + v2::Compressor::Value_Name(c);
    const std::string sent = reply.request + " accepting " + accepted + "]";
    require(reply.ok(), sent + " -> " + status_text(reply.status));
    for (const Blob& b : blobs) {
      const Response& r = entry_for(reply, b.digest);
      require(r.status().code() == 0, sent + " -> " + responses_text(reply.response));
      const bool allowed =
          r.compressor() == v2::Compressor::IDENTITY ||
          std::find(acceptable.begin(), acceptable.end(), r.compressor()) != acceptable.end();
      require(allowed, sent + " -> " + entry_text(r) + ": a compressor that was not acceptable");
      std::string why;
      const auto plain = decoded(r, b.digest.size_bytes(), why);
      if (!plain) {
        require(r.compressor() != v2::Compressor::ZSTD, sent + " -> " + entry_text(r) + ": " + why);
        undecodable = true;  // DEFLATE/BROTLI: allowed, but the suite cannot verify the bytes
        continue;
      }
      require(*plain == b.data,
              sent + " -> " + entry_text(r) + ": decoded, " + first_difference(*plain, b.data));
    }
  });
  if (outcome.verdict == Outcome::Verdict::passed && undecodable && outcome.message.empty())
    outcome.message = "some entries came back DEFLATE/BROTLI, whose bytes this suite cannot decode";
  return outcome;
}

// CAS-BRD-07: listing a compressor the server does not support causes no error.
Outcome unknown_acceptable_compressor_harmless(Context& ctx) {
  std::vector<v2::Compressor::Value> unsupported;
  for (auto c : {v2::Compressor::DEFLATE, v2::Compressor::BROTLI, v2::Compressor::ZSTD}) {
    if (!ctx.facts().advertises_compressor(c) && !ctx.facts().advertises_batch_compressor(c))
      unsupported.push_back(c);
  }
  if (unsupported.empty()) return Outcome::skip("the server advertises every compressor");
  return property(ctx, [&] {
    const auto c = *rc::gen::elementOf(unsupported);
    const auto sizes = *gen_sizes(ctx, 1, 3, 64 << 10);
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes);
    std::vector<v2::Digest> asked;
    for (const Blob& b : blobs) asked.push_back(b.digest);
    auto reply = batch_read(ctx, asked, {c});
    const std::string sent =
        reply.request + " accepting only " + v2::Compressor::Value_Name(c) + " (not advertised)";
    require(reply.ok(), sent + " -> " + status_text(reply.status));
    for (const Blob& b : blobs) {
      const Response& r = entry_for(reply, b.digest);
      require(r.status().code() == 0, sent + " -> " + responses_text(reply.response));
      require(r.compressor() == v2::Compressor::IDENTITY || r.compressor() == c,
              sent + " -> " + entry_text(r) + ": a compressor that was not acceptable");
      if (r.compressor() == v2::Compressor::IDENTITY) {
        require(r.data() == b.data,
                sent + " -> " + entry_text(r) + ": " + first_difference(r.data(), b.data));
      }
    }
  });
}

// CAS-BRD-08: the empty blob reads as OK and empty without being uploaded.
Outcome empty_blob_always_present(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *gen_sizes(ctx, 0, 3, 4096);
    const auto absent_sizes = *gen_sizes(ctx, 0, 2, 4096);
    const bool zstd = *rc::gen::arbitrary<bool>();
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes);
    std::vector<v2::Digest> asked = absent_digests(ctx, absent_sizes);
    for (const Blob& b : blobs) asked.push_back(b.digest);
    const v2::Digest empty = empty_blob_digest(ctx);
    shuffle_in(asked, std::vector<v2::Digest>{empty});
    std::vector<v2::Compressor::Value> acceptable;
    if (zstd) acceptable.push_back(v2::Compressor::ZSTD);
    auto reply = batch_read(ctx, asked, acceptable);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    const Response& r = entry_for(reply, empty);
    std::string why;
    const auto plain = decoded(r, 0, why);
    require(r.status().code() == 0 && plain && plain->empty(),
            reply.request + " -> " + responses_text(reply.response) + ": the empty blob " +
                brief(empty) + " came back " + entry_text(r) + (why.empty() ? "" : "; " + why) +
                "; expected OK and no data");
  });
}

// CAS-BRD-09: the hash of a stored blob with a wrong size does not return the blob.
Outcome wrong_size_not_returned(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_entry_size(ctx, 64 << 10);
    const Blob blob = make_blob(ctx, size);
    upload(ctx, {blob});
    std::vector<std::int64_t> wrong = {size + 1, size * 2 + 1};
    if (size > 0) wrong.insert(wrong.end(), {size - 1, 0});
    const std::int64_t wrong_size = *rc::gen::elementOf(wrong);
    v2::Digest asked = blob.digest;
    asked.set_size_bytes(wrong_size);
    auto reply = batch_read(ctx, {asked});
    const std::string sent = reply.request + " (stored blob of " + std::to_string(size) +
                             " bytes asked with size " + std::to_string(wrong_size) + ")";
    if (!reply.ok()) {
      require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
              sent + " -> " + status_text(reply.status) +
                  "; expected the entry NOT_FOUND or INVALID_ARGUMENT");
      return;
    }
    const Response& r = entry_for(reply, asked);
    const int code = r.status().code();
    require(code != 0, sent + " -> " + entry_text(r) + ": the blob is served under a wrong size");
    require((code == kNotFound || code == kInvalidArgument) && r.data().empty(),
            sent + " -> " + entry_text(r) + "; expected NOT_FOUND or INVALID_ARGUMENT, no data");
  });
}

// CAS-BRD-10: a malformed digest gets INVALID_ARGUMENT, preferably as its entry's status.
Outcome rejects_malformed_digest(Context& ctx) {
  return property(ctx, [&] {
    const int kind = *gen_malformed_kind();
    // size + 1 within max_cas_blob_size_bytes too.
    const auto size = std::min(*gen_entry_size(ctx, 16 << 10), max_blob(ctx) - 1);
    const std::vector<Blob> stored = stored_blobs(ctx, {size, size + 1});
    const Blob& good = stored[0];
    // Malformed forms of another stored blob's digest: a lenient server could find it.
    const Malformed m = malformed_from(stored[1].digest, kind);
    const v2::Digest& bad = m.digest;
    const std::string& what = m.what;
    std::vector<v2::Digest> asked = {good.digest};
    shuffle_in(asked, std::vector<v2::Digest>{bad});
    auto reply = batch_read(ctx, asked);
    const std::string sent = reply.request + " (" + brief(bad) + ": " + what + ")";
    if (!reply.ok()) {
      require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
              sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
      should(ctx, false,
             sent + " -> " + status_text(reply.status) +
                 ": the whole call failed; the malformed entry's own status is preferred");
      return;
    }
    const Response& g = entry_for(reply, good.digest);
    require(g.status().code() == 0 && g.data() == good.data,
            sent + " -> " + responses_text(reply.response) + ": the good entry came back " +
                entry_text(g));
    // The malformed entry's echo may be normalised; it is the response that is not the good one.
    const auto it =
        std::find_if(reply.response.responses().begin(), reply.response.responses().end(),
                     [&](const Response& r) { return !same(r.digest(), good.digest); });
    require(it != reply.response.responses().end(),
            sent + " -> " + responses_text(reply.response) + ": no entry for the malformed digest");
    require(it->status().code() != 0,
            sent + " -> " + entry_text(*it) + ": a malformed digest was served");
    require(it->status().code() == kInvalidArgument,
            sent + " -> " + entry_text(*it) + "; expected INVALID_ARGUMENT");
  });
}

// CAS-BRD-11: a digest asked twice is answered with its data, once or per occurrence.
Outcome duplicates(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes = *gen_sizes(ctx, 1, 2, 64 << 10);
    const std::vector<Blob> blobs = stored_blobs(ctx, sizes);
    std::vector<v2::Digest> asked;
    std::vector<int> times;
    for (const Blob& b : blobs) {
      times.push_back(*rc::gen::inRange(2, 4));
      shuffle_in(asked, std::vector<v2::Digest>(static_cast<std::size_t>(times.back()), b.digest));
    }
    auto reply = batch_read(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      const auto found = responses_for(reply.response, blobs[i].digest);
      require(!found.empty() && static_cast<int>(found.size()) <= times[i],
              reply.request + " -> " + responses_text(reply.response) + ": " +
                  brief(blobs[i].digest) + " asked " + std::to_string(times[i]) +
                  " times is answered " + std::to_string(found.size()) + " times");
      for (const Response* r : found) {
        require(r->status().code() == 0 && r->data() == blobs[i].data,
                reply.request + " -> " + entry_text(*r) + ": " +
                    first_difference(r->data(), blobs[i].data));
      }
    }
  });
}

// CAS-BRD-12
Outcome empty_request(Context& ctx) {
  return once(ctx, [&] {
    auto reply = batch_read(ctx, {});
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    require(reply.response.responses_size() == 0,
            reply.request + " -> OK, " + responses_text(reply.response) + ": expected none");
  });
}

}  // namespace

void add_batch_read_checks(Catalogue& catalogue) {
  catalogue.add({"cas.batch_read.independent_results", "CAS-BRD-01", Level::must,
                 "Stored and absent blobs in one call get their own per-entry outcomes while the "
                 "call returns OK"},
                independent_results);
  catalogue.add({"cas.batch_read.absent_is_not_found", "CAS-BRD-02", Level::must,
                 "An absent blob's entry is NOT_FOUND with no data"},
                absent_is_not_found);
  catalogue.add({"cas.batch_read.returns_exact_bytes", "CAS-BRD-03", Level::must,
                 "A stored blob's entry is OK and holds exactly its bytes"},
                returns_exact_bytes);
  catalogue.add({"cas.batch_read.one_response_per_digest", "CAS-BRD-04", Level::should,
                 "The response holds exactly one entry per requested digest, matched by digest"},
                one_response_per_digest);
  catalogue.add({"cas.batch_read.over_limit_rejected", "CAS-BRD-05", Level::must,
                 "Asking for blobs that add up to more than max_batch_total_size_bytes fails the "
                 "call with INVALID_ARGUMENT"},
                over_limit_rejected);
  catalogue.add({"cas.batch_read.compressed_responses", "CAS-BRD-06", Level::must,
                 "Each entry is IDENTITY or one of the acceptable compressors and decodes to "
                 "exactly the blob"},
                compressed_responses);
  catalogue.add(
      {"cas.batch_read.unknown_acceptable_compressor_harmless", "CAS-BRD-07", Level::should,
       "Accepting only a compressor the server does not support causes no error; "
       "entries come back uncompressed"},
      unknown_acceptable_compressor_harmless);
  catalogue.add({"cas.batch_read.empty_blob_always_present", "CAS-BRD-08", Level::must,
                 "The empty blob reads as OK with no data, without ever being uploaded"},
                empty_blob_always_present);
  catalogue.add({"cas.batch_read.wrong_size_not_returned", "CAS-BRD-09", Level::must,
                 "A stored blob's hash with a wrong size is NOT_FOUND or INVALID_ARGUMENT, never "
                 "the blob"},
                wrong_size_not_returned);
  catalogue.add({"cas.batch_read.rejects_malformed_digest", "CAS-BRD-10", Level::should,
                 "A malformed digest gets INVALID_ARGUMENT as its entry's status (the whole call "
                 "failing is tolerated)"},
                rejects_malformed_digest);
  catalogue.add({"cas.batch_read.duplicates", "CAS-BRD-11", Level::should,
                 "A digest asked several times is answered, once or per occurrence, with its "
                 "data"},
                duplicates);
  catalogue.add({"cas.batch_read.empty_request", "CAS-BRD-12", Level::should,
                 "A call with no digests succeeds with no responses"},
                empty_request);
}

}  // namespace conformance
