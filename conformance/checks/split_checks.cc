// SplitBlob / SpliceBlob (cas.md section 5, CAS-SPLIT-nn). Both RPCs are optional: only
// CAS-SPLIT-01 (advertise or refuse) applies to a server that does not advertise them.

#include <grpcpp/client_context.h>

#include <algorithm>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"

namespace conformance {

namespace {

using grpc::StatusCode;

std::string chunks_text(const google::protobuf::RepeatedPtrField<v2::Digest>& chunks) {
  std::string out = std::to_string(chunks.size()) + " chunk(s) [";
  for (int i = 0; i < chunks.size() && i < 4; ++i) out += (i ? ", " : "") + brief(chunks[i]);
  return out + (chunks.size() > 4 ? ", ...]" : "]");
}

Reply<v2::SplitBlobResponse> split_raw(Context& ctx, const v2::SplitBlobRequest& request) {
  Reply<v2::SplitBlobResponse> reply;
  grpc::ClientContext context;
  ctx.prepare(context, request.blob_digest().size_bytes());
  reply.status = ctx.cas().SplitBlob(&context, request, &reply.response);
  reply.request = "SplitBlob of " + brief(request.blob_digest()) + " (digest_function " +
                  v2::DigestFunction::Value_Name(request.digest_function()) +
                  ", chunking_function " +
                  v2::ChunkingFunction::Value_Name(request.chunking_function()) + ")";
  return reply;
}

v2::SplitBlobRequest split_request(Context& ctx, const v2::Digest& blob) {
  v2::SplitBlobRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  *request.mutable_blob_digest() = blob;
  return request;
}

Reply<v2::SpliceBlobResponse> splice_raw(Context& ctx, const v2::SpliceBlobRequest& request) {
  Reply<v2::SpliceBlobResponse> reply;
  grpc::ClientContext context;
  ctx.prepare(context, request.blob_digest().size_bytes());
  reply.status = ctx.cas().SpliceBlob(&context, request, &reply.response);
  reply.request = "SpliceBlob of " +
                  (request.has_blob_digest() ? brief(request.blob_digest()) : "no blob_digest") +
                  " from " + chunks_text(request.chunk_digests());
  return reply;
}

v2::SpliceBlobRequest splice_request(Context& ctx, const v2::Digest& blob,
                                     const std::vector<v2::Digest>& chunks) {
  v2::SpliceBlobRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  *request.mutable_blob_digest() = blob;
  for (const v2::Digest& c : chunks) *request.add_chunk_digests() = c;
  return request;
}

// The bytes of every digest, in order: batched reads within the limit, ByteStream for the
// large ones. Fails the case when one cannot be read.
std::vector<std::string> fetch_all(Context& ctx, const std::vector<v2::Digest>& digests,
                                   const std::string& before) {
  std::vector<std::string> out(digests.size());
  const std::int64_t limit = batch_capacity(ctx);
  std::vector<std::size_t> batch;
  std::int64_t bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    std::vector<v2::Digest> asked;
    for (std::size_t i : batch) asked.push_back(digests[i]);
    auto reply = batch_read(ctx, asked);
    require(reply.ok() && reply.response.responses_size() == static_cast<int>(batch.size()),
            before + "; then " + reply.request + " -> " + status_text(reply.status));
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const auto& r = reply.response.responses(static_cast<int>(k));
      require(same(r.digest(), digests[batch[k]]) && r.status().code() == 0 &&
                  r.compressor() == v2::Compressor::IDENTITY,
              before + "; then " + reply.request + ": chunk " + brief(digests[batch[k]]) + " -> " +
                  status_text(r.status()));
      out[batch[k]] = r.data();
    }
    batch.clear();
    bytes = 0;
  };
  for (std::size_t i = 0; i < digests.size(); ++i) {
    const std::int64_t size = digests[i].size_bytes();
    if (size > limit) {
      const ReadResult r = read(ctx, read_name(ctx, digests[i]));
      require(r.status.ok(), before + "; then " + r.request + " -> " + status_text(r.status));
      out[i] = r.data;
      continue;
    }
    if (bytes + size > limit || batch.size() >= 500) flush();
    batch.push_back(i);
    bytes += size;
  }
  flush();
  return out;
}

std::vector<v2::Digest> to_vector(const google::protobuf::RepeatedPtrField<v2::Digest>& field) {
  return {field.begin(), field.end()};
}

// A blob made of separately generated parts of at least 16 bytes each: every part and the
// whole are this run's own.
struct Parts {
  Blob whole;
  std::vector<Blob> parts;
  std::vector<v2::Digest> digests() const {
    std::vector<v2::Digest> out;
    for (const Blob& p : parts) out.push_back(p.digest);
    return out;
  }
};

Parts draw_parts(Context& ctx, int min_count, int max_count) {
  const int count = *rc::gen::inRange(min_count, max_count + 1);
  Parts p;
  std::string data;
  // The whole is a blob too: within what the suite generates and the server accepts
  // (max_cas_blob_size_bytes applies to a spliced blob as to any upload).
  std::int64_t budget = std::max<std::int64_t>(max_blob(ctx), 16 * count);
  for (int i = 0; i < count; ++i) {
    const std::int64_t room = std::min<std::int64_t>(kMiB, budget - 16 * (count - i - 1));
    const std::int64_t size = std::clamp<std::int64_t>(*gen_blob_size(ctx, room), 16, room);
    budget -= size;
    p.parts.push_back(make_blob(ctx, size));
    data += p.parts.back().data;
  }
  p.whole = blob_of(ctx, std::move(data));
  return p;
}

Outcome skip_split() {
  return Outcome::skip(
      "the server does not advertise split_blob_support (SplitBlob is optional; "
      "CAS-SPLIT-01 checks that it refuses the call)");
}
Outcome skip_splice() {
  return Outcome::skip(
      "the server does not advertise splice_blob_support (SpliceBlob is "
      "optional; CAS-SPLIT-01 checks that it refuses the call)");
}

// CAS-SPLIT-01: a server either advertises the RPC or answers UNIMPLEMENTED.
Outcome advertise_or_refuse(Context& ctx) {
  const ServerFacts& facts = ctx.facts();
  if (facts.split_blob && facts.splice_blob)
    return Outcome::pass("both advertised; their behaviour is checked by CAS-SPLIT-02..10");
  return once(ctx, [&] {
    const Blob blob = make_blob(ctx, 4096);
    upload(ctx, {blob});
    if (!facts.split_blob) {
      auto reply = split_raw(ctx, split_request(ctx, blob.digest));
      require_at(ctx, Level::must, !reply.ok(),
                 reply.request + " -> OK with " + chunks_text(reply.response.chunk_digests()) +
                     ", but split_blob_support is false: implemented without being advertised");
      should(ctx, reply.code() == StatusCode::UNIMPLEMENTED,
             reply.request + " -> " + status_text(reply.status) +
                 "; split_blob_support is false, so UNIMPLEMENTED is expected");
    }
    if (!facts.splice_blob) {
      auto reply = splice_raw(ctx, splice_request(ctx, blob.digest, {blob.digest}));
      require_at(ctx, Level::must, !reply.ok(),
                 reply.request +
                     " -> OK, but splice_blob_support is false: implemented "
                     "without being advertised");
      should(ctx, reply.code() == StatusCode::UNIMPLEMENTED,
             reply.request + " -> " + status_text(reply.status) +
                 "; splice_blob_support is false, so UNIMPLEMENTED is expected");
    }
  });
}

// CAS-SPLIT-02: the chunks are stored and concatenate to the blob. Most cases are blobs of
// 2 to 4 MiB (the rule's test): several chunks at any usual average chunk size.
Outcome chunks_reassemble(Context& ctx) {
  if (!ctx.facts().split_blob) return skip_split();
  const std::int64_t largest = max_blob(ctx, 4 * kMiB);
  int split_ok = 0;
  Outcome outcome = property(
      ctx,
      [&] {
        const auto size = *rc::gen::weightedOneOf<std::int64_t>(
            {{1, gen_blob_size(ctx, largest)},
             {3, rc::gen::inRange<std::int64_t>(largest / 2, largest + 1)}});
        const Blob blob = make_blob(ctx, size);
        upload(ctx, {blob});
        auto reply = split_raw(ctx, split_request(ctx, blob.digest));
        if (reply.code() == StatusCode::NOT_FOUND) return;  // "cannot be split" (CAS-SPLIT-04)
        require(reply.ok(), reply.request + " -> " + status_text(reply.status) +
                                " for a stored blob of " + std::to_string(size) + " bytes");
        ++split_ok;
        const std::string said =
            reply.request + " -> OK, " + chunks_text(reply.response.chunk_digests());
        const auto chunks = to_vector(reply.response.chunk_digests());
        if (!chunks.empty()) {
          auto missing = find_missing(ctx, chunks);
          require(missing.ok() && missing.response.missing_blob_digests_size() == 0,
                  said + "; then " + missing.request + " -> " + status_text(missing.status) + " " +
                      brief(missing.response) + ": chunks are not stored");
        }
        std::string joined;
        for (const std::string& part : fetch_all(ctx, chunks, said)) joined += part;
        require(joined == blob.data,
                said + ": the chunks concatenated " + first_difference(joined, blob.data));
      },
      PropertyLimits{.cases = 6});
  if (outcome.verdict == Outcome::Verdict::passed && split_ok == 0 && outcome.cases > 0)
    return Outcome::fail("SplitBlob answered NOT_FOUND for every stored blob tried (" +
                         std::to_string(outcome.cases) +
                         " of up to 4 MiB), though split_blob_support is true");
  return outcome;
}

// CAS-SPLIT-03: chunk digests are of the request's digest function and hash correctly.
// Every case asks both ways when the hash length names the function: with digest_function
// set and with it left to be inferred, two paths a server can get wrong separately.
Outcome chunk_digests_use_request_function(Context& ctx) {
  if (!ctx.facts().split_blob) return skip_split();
  const std::size_t hex = reapi::hex_length(ctx.function());
  std::vector<bool> forms{true};
  if (reapi::is_inferred_from_length(ctx.function())) forms.push_back(false);
  return property(
      ctx,
      [&] {
        const auto size = std::max<std::int64_t>(*gen_blob_size(ctx, 4 * kMiB), 1);
        const Blob blob = make_blob(ctx, size);
        upload(ctx, {blob});
        for (const bool explicit_function : forms) {
          v2::SplitBlobRequest request = split_request(ctx, blob.digest);
          if (!explicit_function) request.clear_digest_function();
          auto reply = split_raw(ctx, request);
          if (reply.code() == StatusCode::NOT_FOUND) continue;  // "cannot be split"
          require(reply.ok(), reply.request + " -> " + status_text(reply.status));
          const std::string said =
              reply.request + " -> OK, " + chunks_text(reply.response.chunk_digests());
          const auto chunks = to_vector(reply.response.chunk_digests());
          for (const v2::Digest& c : chunks) {
            const bool well_formed = c.hash().size() == hex &&
                                     std::all_of(c.hash().begin(), c.hash().end(), [](char ch) {
                                       return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
                                     });
            require(well_formed, said + ": chunk hash '" + c.hash() + "' is not " +
                                     std::to_string(hex) + " lowercase hex characters");
          }
          const auto data = fetch_all(ctx, chunks, said);
          for (std::size_t i = 0; i < chunks.size(); ++i) {
            require(same(to_v2(ctx.digest_of(data[i])), chunks[i]),
                    said + ": chunk " + brief(chunks[i]) + " holds bytes whose digest is " +
                        brief(ctx.digest_of(data[i])));
          }
        }
      },
      PropertyLimits{.cases = 4});
}

// CAS-SPLIT-04: splitting an absent blob is NOT_FOUND.
Outcome absent_blob_not_found(Context& ctx) {
  if (!ctx.facts().split_blob) return skip_split();
  return property(ctx, [&] {
    const auto size = *gen_blob_size(ctx, 64 * kMiB);
    auto reply = split_raw(ctx, split_request(ctx, absent(ctx, std::max<std::int64_t>(size, 1))));
    require(reply.code() == StatusCode::NOT_FOUND, reply.request + " (never uploaded) -> " +
                                                       status_text(reply.status) +
                                                       "; expected NOT_FOUND");
  });
}

bool advertised_chunking(const ServerFacts& facts, int value) {
  const auto& cache = facts.raw.cache_capabilities();
  if (value == v2::ChunkingFunction::FAST_CDC_2020) return cache.has_fast_cdc_2020_params();
  if (value == v2::ChunkingFunction::REP_MAX_CDC) return cache.has_rep_max_cdc_params();
  return false;
}

// CAS-SPLIT-05: UNKNOWN is always accepted; the answer names an advertised algorithm.
// Every case asks with each value, so both parts of the rule are tested in every run.
Outcome chunking_function_reported(Context& ctx) {
  if (!ctx.facts().split_blob) return skip_split();
  const std::int64_t largest = max_blob(ctx, 3 * kMiB);
  return property(
      ctx,
      [&] {
        const auto size = *rc::gen::inRange<std::int64_t>(std::min(kMiB, largest), largest + 1);
        const Blob blob = make_blob(ctx, size);
        upload(ctx, {blob});
        for (const auto requested :
             {v2::ChunkingFunction::UNKNOWN, v2::ChunkingFunction::FAST_CDC_2020,
              v2::ChunkingFunction::REP_MAX_CDC}) {
          v2::SplitBlobRequest request = split_request(ctx, blob.digest);
          request.set_chunking_function(requested);
          auto reply = split_raw(ctx, request);
          if (requested == v2::ChunkingFunction::UNKNOWN) {
            require(reply.ok(), reply.request + " -> " + status_text(reply.status) +
                                    ": chunking_function UNKNOWN must be accepted");
          } else if (!reply.ok()) {
            continue;  // a named algorithm may be refused
          }
          const int used = reply.response.chunking_function();
          should(ctx, used != v2::ChunkingFunction::UNKNOWN,
                 reply.request +
                     " -> OK with chunking_function UNKNOWN: the answer should name "
                     "the algorithm used");
          require(used == v2::ChunkingFunction::UNKNOWN || advertised_chunking(ctx.facts(), used),
                  reply.request + " -> OK with chunking_function " +
                      v2::ChunkingFunction::Value_Name(reply.response.chunking_function()) +
                      ", whose parameters the server does not advertise");
        }
      },
      PropertyLimits{.cases = 6});
}

// CAS-SPLIT-06: splicing stored chunks creates the blob. At least two parts: a blob of one
// chunk is that chunk, stored already, which is CAS-SPLIT-09's case (ALREADY_EXISTS allowed).
Outcome splice_creates_blob(Context& ctx) {
  if (!ctx.facts().splice_blob) return skip_splice();
  return property(
      ctx,
      [&] {
        const Parts p = draw_parts(ctx, 2, 4);
        upload(ctx, p.parts);
        auto reply = splice_raw(ctx, splice_request(ctx, p.whole.digest, p.digests()));
        require(reply.ok(), reply.request + " -> " + status_text(reply.status));
        require(same(reply.response.blob_digest(), p.whole.digest),
                reply.request + " -> OK with blob_digest " + brief(reply.response.blob_digest()) +
                    "; expected " + brief(p.whole.digest));
        const ReadResult r = read(ctx, read_name(ctx, p.whole.digest));
        require(r.status.ok() && r.data == p.whole.data,
                reply.request + " -> OK; then " + r.request + " -> " + status_text(r.status) +
                    ", " + first_difference(r.data, p.whole.data));
      },
      PropertyLimits{.cases = 6});
}

// CAS-SPLIT-07: a chunk that is not stored makes SpliceBlob NOT_FOUND.
Outcome splice_missing_chunk_not_found(Context& ctx) {
  if (!ctx.facts().splice_blob) return skip_splice();
  return property(
      ctx,
      [&] {
        const Parts p = draw_parts(ctx, 1, 4);
        const auto left_out = *rc::gen::inRange<std::size_t>(0, p.parts.size());
        std::vector<Blob> uploaded;
        for (std::size_t i = 0; i < p.parts.size(); ++i)
          if (i != left_out) uploaded.push_back(p.parts[i]);
        upload(ctx, uploaded);
        auto reply = splice_raw(ctx, splice_request(ctx, p.whole.digest, p.digests()));
        const std::string sent =
            reply.request + " (chunk " + std::to_string(left_out + 1) + " never uploaded)";
        require(reply.code() == StatusCode::NOT_FOUND,
                sent + " -> " + status_text(reply.status) + "; expected NOT_FOUND");
        std::string detail;
        require(reported_missing(ctx, p.whole.digest, detail),
                sent + " -> NOT_FOUND; then " + detail + " -> the blob is reported present");
      },
      PropertyLimits{.cases = 6});
}

// CAS-SPLIT-08: a blob_digest that does not match the chunks is refused, nothing stored.
Outcome splice_verifies_digest(Context& ctx) {
  if (!ctx.facts().splice_blob) return skip_splice();
  return property(
      ctx,
      [&] {
        const Parts p = draw_parts(ctx, 2, 4);
        const int kind = *rc::gen::inRange(0, 3);
        upload(ctx, p.parts);
        v2::Digest claimed = p.whole.digest;
        std::vector<v2::Digest> chunks = p.digests();
        std::string what;
        switch (kind) {
          case 0:
            what = "blob_digest of other data of the same size";
            claimed = make_blob(ctx, p.whole.digest.size_bytes()).digest;
            break;
          case 1:
            what = "blob_digest with the right hash and a size one larger";
            claimed.set_size_bytes(claimed.size_bytes() + 1);
            break;
          default:
            what = "chunks listed in reverse order";
            std::reverse(chunks.begin(), chunks.end());
            break;
        }
        auto reply = splice_raw(ctx, splice_request(ctx, claimed, chunks));
        const std::string sent = reply.request + " (" + what + ")";
        require(reply.code() == StatusCode::INVALID_ARGUMENT,
                sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
        std::string detail;
        require(reported_missing(ctx, claimed, detail), sent + " -> INVALID_ARGUMENT; then " +
                                                            detail + " -> " + brief(claimed) +
                                                            " is reported present");
      },
      PropertyLimits{.cases = 6});
}

// CAS-SPLIT-09: splicing a blob that is already stored is OK or ALREADY_EXISTS.
Outcome splice_existing_blob(Context& ctx) {
  if (!ctx.facts().splice_blob) return skip_splice();
  return property(
      ctx,
      [&] {
        const Parts p = draw_parts(ctx, 1, 3);
        const bool stored_directly = *rc::gen::arbitrary<bool>();
        upload(ctx, p.parts);
        const v2::SpliceBlobRequest request = splice_request(ctx, p.whole.digest, p.digests());
        std::string before;
        if (stored_directly) {
          upload(ctx, {p.whole});
          before = "blob uploaded whole first";
        } else if (p.parts.size() == 1) {
          // The blob is its only chunk, stored already: the first call is the same case.
          auto first = splice_raw(ctx, request);
          require_at(ctx, Level::must, first.ok() || first.code() == StatusCode::ALREADY_EXISTS,
                     "first " + first.request + " (the blob is its one chunk, stored) -> " +
                         status_text(first.status) + "; expected OK or ALREADY_EXISTS");
          before = "first SpliceBlob " + status_text(first.status);
        } else {
          auto first = splice_raw(ctx, request);
          require(first.ok(), "first " + first.request + " -> " + status_text(first.status));
          before = "first SpliceBlob OK";
        }
        auto again = splice_raw(ctx, request);
        require_at(ctx, Level::must, again.ok() || again.code() == StatusCode::ALREADY_EXISTS,
                   again.request + " (" + before + ") -> " + status_text(again.status) +
                       "; expected OK or ALREADY_EXISTS");
      },
      PropertyLimits{.cases = 6});
}

// CAS-SPLIT-10: SpliceBlob without blob_digest is INVALID_ARGUMENT.
Outcome splice_requires_blob_digest(Context& ctx) {
  if (!ctx.facts().splice_blob) return skip_splice();
  return property(
      ctx,
      [&] {
        const Parts p = draw_parts(ctx, 1, 3);
        upload(ctx, p.parts);
        v2::SpliceBlobRequest request = splice_request(ctx, p.whole.digest, p.digests());
        request.clear_blob_digest();
        auto reply = splice_raw(ctx, request);
        require(reply.code() == StatusCode::INVALID_ARGUMENT,
                reply.request + " (no blob_digest) -> " + status_text(reply.status) +
                    "; expected INVALID_ARGUMENT");
      },
      PropertyLimits{.cases = 4});
}

}  // namespace

void add_split_checks(Catalogue& catalogue) {
  catalogue.add({"cas.split.advertise_or_refuse", "CAS-SPLIT-01", Level::must,
                 "SplitBlob/SpliceBlob are advertised when implemented; when not advertised the "
                 "server answers UNIMPLEMENTED"},
                advertise_or_refuse);
  catalogue.add({"cas.split.chunks_reassemble", "CAS-SPLIT-02", Level::must,
                 "SplitBlob's chunks are stored and concatenate, in order, to the blob"},
                chunks_reassemble);
  catalogue.add({"cas.split.chunk_digests_use_request_function", "CAS-SPLIT-03", Level::must,
                 "SplitBlob's chunk digests use the request's digest function and hash their "
                 "bytes correctly"},
                chunk_digests_use_request_function);
  catalogue.add({"cas.split.absent_blob_not_found", "CAS-SPLIT-04", Level::must,
                 "SplitBlob of a blob that is not stored fails with NOT_FOUND"},
                absent_blob_not_found);
  catalogue.add({"cas.split.chunking_function_reported", "CAS-SPLIT-05", Level::must,
                 "SplitBlob accepts chunking_function UNKNOWN and answers with an algorithm it "
                 "advertises"},
                chunking_function_reported);
  catalogue.add({"cas.split.splice_creates_blob", "CAS-SPLIT-06", Level::must,
                 "SpliceBlob of stored chunks succeeds, echoes the blob digest and makes the blob "
                 "readable"},
                splice_creates_blob);
  catalogue.add({"cas.split.splice_missing_chunk_not_found", "CAS-SPLIT-07", Level::must,
                 "SpliceBlob with a chunk that is not stored fails with NOT_FOUND and stores "
                 "nothing"},
                splice_missing_chunk_not_found);
  catalogue.add({"cas.split.splice_verifies_digest", "CAS-SPLIT-08", Level::must,
                 "SpliceBlob whose chunks do not make up blob_digest fails with INVALID_ARGUMENT "
                 "and stores nothing"},
                splice_verifies_digest);
  catalogue.add({"cas.split.splice_existing_blob", "CAS-SPLIT-09", Level::may,
                 "SpliceBlob of a blob already stored answers OK or ALREADY_EXISTS"},
                splice_existing_blob);
  catalogue.add({"cas.split.splice_requires_blob_digest", "CAS-SPLIT-10", Level::should,
                 "SpliceBlob without blob_digest fails with INVALID_ARGUMENT"},
                splice_requires_blob_digest);
  catalogue.not_checkable({"cas.split.quota_exhausted", "CAS-SPLIT-11", Level::must,
                           "Lack of storage for chunks or a spliced blob is RESOURCE_EXHAUSTED"},
                          "needs a server configured with a small quota; the suite cannot fill "
                          "a shared server's storage");
}

}  // namespace conformance
