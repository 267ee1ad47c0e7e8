// ByteStream compressed-blobs transfers (bytestream.md section 5, BS-COMP-nn). The suite
// decodes and encodes zstd only, so every check here needs the server to advertise zstd;
// compressed bytes are never compared, only what they decode to (BS-COMP-06).

#include <zstd.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"

namespace conformance {

namespace {

constexpr auto kZstd = reapi::Compressor::zstd;
// Text blobs are unique only from 32 bytes on (shorter ones share the run's prefix), and
// these checks need blobs the server has never seen.
constexpr std::int64_t kFreshText = 32;

std::optional<std::string> zstd_not_advertised(Context& ctx) {
  if (ctx.facts().advertises_compressor(v2::Compressor::ZSTD)) return std::nullopt;
  return "the server does not advertise zstd in supported_compressors (the suite checks "
         "compressed transfers with zstd only)";
}

std::optional<std::string> skip_reason(Context& ctx, bool writes) {
  if (auto why = zstd_not_advertised(ctx)) return why;
  if (writes) return writes_refused(ctx);
  return std::nullopt;
}

// What a compressed read's bytes decode to, bounded by the size expected. A zero-length
// body stands for zero bytes (bytestream.md B5).
absl::StatusOr<std::string> unzstd(std::string_view data, std::int64_t expected) {
  if (data.empty() && expected == 0) return std::string();
  return reapi::zstd_decompress(data, expected);
}

std::string decode_problem(const absl::StatusOr<std::string>& plain, std::string_view wanted) {
  if (!plain.ok()) return "the data does not decode: " + std::string(plain.status().message());
  return "decoded, " + first_difference(*plain, wanted);
}

// A compressed read returned OK: its data must decode to exactly `wanted`.
void require_decodes_to(const ReadResult& r, std::string_view wanted, const std::string& context) {
  require(r.status.ok(), r.request + " -> " + status_text(r.status) + context);
  const auto plain = unzstd(r.data, static_cast<std::int64_t>(wanted.size()));
  require(plain.ok() && *plain == wanted, r.request + " -> OK, " + std::to_string(r.data.size()) +
                                              " bytes; " + decode_problem(plain, wanted) + context);
}

// One zstd frame with the given parameters (the C API, for the frame options that the
// streaming helper of reapi/compression.h does not expose).
std::string zstd_frame(std::string_view data, int level, bool checksum, bool content_size) {
  struct Free {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  std::unique_ptr<ZSTD_CCtx, Free> cctx(ZSTD_createCCtx());
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, checksum ? 1 : 0);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, content_size ? 1 : 0);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n =
      ZSTD_compress2(cctx.get(), out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

// How a blob reached the server before it is read back compressed.
enum class Form { batch, batch_zstd, bytestream, bytestream_zstd };

std::string form_name(Form f) {
  switch (f) {
    case Form::batch:
      return "BatchUpdateBlobs";
    case Form::batch_zstd:
      return "BatchUpdateBlobs with a zstd entry";
    case Form::bytestream:
      return "ByteStream Write";
    case Form::bytestream_zstd:
      return "ByteStream Write of compressed-blobs/zstd";
  }
  return "?";
}
void showValue(Form f, std::ostream& os) { os << form_name(f); }

// Stores `blob` in `form` (a fixture step: requires success); says how it went.
std::string store(Context& ctx, const Blob& blob, Form form) {
  const std::int64_t size = blob.digest.size_bytes();
  // The batch limit counts uncompressed bytes (cas.md N3); larger blobs go by ByteStream.
  if (form == Form::batch_zstd && !fits_batch(ctx, size)) {
    form = Form::bytestream_zstd;
  }
  switch (form) {
    case Form::batch:
      upload(ctx, {blob});
      break;
    case Form::batch_zstd: {
      auto request = batch_update_request(ctx, {blob});
      request.mutable_requests(0)->set_compressor(v2::Compressor::ZSTD);
      request.mutable_requests(0)->set_data(reapi::zstd_compress(blob.data));
      const auto reply = batch_update_raw(ctx, request);
      require(reply.ok() && reply.response.responses_size() == 1 &&
                  reply.response.responses(0).status().code() == 0,
              "preparing the check: " + reply.request + " (zstd entry) -> " +
                  status_text(reply.status) +
                  (reply.ok() && reply.response.responses_size() > 0
                       ? ", entry " + status_text(reply.response.responses(0).status())
                       : ""));
      break;
    }
    case Form::bytestream:
      upload_bytestream(ctx, blob);
      break;
    case Form::bytestream_zstd: {
      const WriteResult w =
          write(ctx, upload_name(ctx, blob.digest, kZstd), reapi::zstd_compress(blob.data));
      require(w.status.ok(), "preparing the check: " + w.request + " -> " + status_text(w.status));
      break;
    }
  }
  return "; the blob was stored through " + form_name(form);
}

// BS-COMP-01: every stored blob, however it was uploaded, reads back compressed and plain.
Outcome read_every_stored_blob(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  std::vector<Form> forms{Form::batch, Form::bytestream, Form::bytestream_zstd};
  if (ctx.facts().advertises_batch_compressor(v2::Compressor::ZSTD)) {
    forms.push_back(Form::batch_zstd);
  }
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx), 1);
    const bool text = *rc::gen::arbitrary<bool>();
    const Form form = *rc::gen::elementOf(forms);
    const Blob blob = make_blob(ctx, size, text);
    const std::string how = store(ctx, blob, form);
    require_decodes_to(read(ctx, read_name(ctx, blob.digest, kZstd)), blob.data, how);
    const ReadResult plain = read(ctx, read_name(ctx, blob.digest));
    require(plain.status.ok() && plain.data == blob.data,
            plain.request + " -> " + status_text(plain.status) + ", " +
                first_difference(plain.data, blob.data) + how);
  });
}

// BS-COMP-02: read_offset counts uncompressed bytes.
Outcome read_offset_uncompressed(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx, 2 * kMiB), 1);
    const std::int64_t offset = *gen_offset(size);
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    upload(ctx, {blob});
    const ReadResult r = read(ctx, read_name(ctx, blob.digest, kZstd), offset);
    if (offset == size && !r.status.ok()) {
      // An offset equal to the size is a valid empty read (bytestream.md B1): SHOULD only.
      require(r.status.error_code() == grpc::StatusCode::OUT_OF_RANGE,
              r.request + " -> " + status_text(r.status) + " for an offset equal to the size");
      should(ctx, false,
             r.request + " -> " + status_text(r.status) +
                 ": an offset equal to the size should be an empty read (B1)");
      return;
    }
    require_decodes_to(
        r, std::string_view(blob.data).substr(offset),
        " (expected the blob from uncompressed byte " + std::to_string(offset) + ")");
  });
}

// BS-COMP-03: a compressed read with a read_limit is refused.
Outcome rejects_read_limit(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx, 256 << 10), 1);
    const std::int64_t limit =
        *rc::gen::oneOf(rc::gen::just<std::int64_t>(1), rc::gen::inRange<std::int64_t>(1, size + 1),
                        rc::gen::just<std::int64_t>(size + 1000),
                        rc::gen::just<std::int64_t>(std::numeric_limits<std::int64_t>::max()));
    const std::int64_t offset = *rc::gen::oneOf(rc::gen::just<std::int64_t>(0), gen_offset(size));
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    upload(ctx, {blob});
    const ReadResult r = read(ctx, read_name(ctx, blob.digest, kZstd), offset, limit);
    require(r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
            r.request + " -> " + status_text(r.status) + " with " + std::to_string(r.data.size()) +
                " bytes; expected INVALID_ARGUMENT");
  });
}

// What a compressed upload carries instead of zstd(X).
enum class Bad { other_blob, shorter_blob, longer_blob, not_zstd, truncated_frame };
void showValue(Bad b, std::ostream& os) {
  constexpr const char* kNames[] = {"zstd of another blob", "zstd of the blob minus its last byte",
                                    "zstd of the blob plus a byte", "not zstd",
                                    "truncated zstd frame"};
  os << kNames[static_cast<int>(b)];
}

// BS-COMP-04: compressed uploads are verified after decompression.
Outcome upload_verified_after_decompression(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max(*gen_blob_size(ctx, 2 * kMiB), kFreshText);
    const Bad bad = *rc::gen::element(Bad::other_blob, Bad::shorter_blob, Bad::longer_blob,
                                      Bad::not_zstd, Bad::truncated_frame);
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    std::string body, what;
    switch (bad) {
      case Bad::other_blob:
        body = reapi::zstd_compress(make_blob(ctx, size, true).data);
        what = "zstd of another blob of the same size";
        break;
      case Bad::shorter_blob:
        body = reapi::zstd_compress(std::string_view(blob.data).substr(0, size - 1));
        what = "zstd of the blob without its last byte";
        break;
      case Bad::longer_blob:
        body = reapi::zstd_compress(blob.data + "!");
        what = "zstd of the blob plus one byte";
        break;
      case Bad::not_zstd:
        body = "NOTZSTD" + ctx.unique_bytes(static_cast<std::size_t>(size / 2));
        what = "bytes that are not zstd";
        break;
      case Bad::truncated_frame: {
        body = reapi::zstd_compress(blob.data);
        const auto cut =
            *rc::gen::inRange<std::size_t>(1, std::clamp<std::size_t>(body.size(), 2, 64));
        body.resize(body.size() - cut);
        what = "zstd of the blob cut " + std::to_string(cut) + " bytes short";
        break;
      }
    }
    const auto pieces = *gen_pieces(static_cast<std::int64_t>(body.size()), ctx.chunk_size());
    const WriteResult w = write(ctx, upload_name(ctx, blob.digest, kZstd), body, pieces);
    const std::string sent = w.request + " carrying " + what;
    require(!w.status.ok(), sent + " -> OK");
    // The digest does not match what the data decodes to: INVALID_ARGUMENT (CAS service
    // doc). For data that cannot be decoded the spec names no code.
    const bool mismatch = bad == Bad::other_blob || bad == Bad::shorter_blob;
    const bool invalid = w.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
    if (mismatch)
      require(invalid, sent + " -> " + status_text(w.status) + "; expected INVALID_ARGUMENT");
    should(ctx, invalid, sent + " -> " + status_text(w.status) + "; expected INVALID_ARGUMENT");
    const auto missing = find_missing(ctx, {blob.digest});
    require(missing.ok() && missing.response.missing_blob_digests_size() == 1,
            missing.request + " -> " + status_text(missing.status) + ", " +
                brief(missing.response) + " after the refused " + sent +
                ": the blob was never uploaded correctly and must be missing");
  });
}

// BS-COMP-05: write_offset of later messages counts compressed bytes.
Outcome write_offsets_count_compressed_bytes(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx, 2 * kMiB), 64);
    const Blob blob = make_blob(ctx, size, /*text=*/true);
    const std::string packed = reapi::zstd_compress(blob.data);
    const auto n = static_cast<std::int64_t>(packed.size());
    const auto pieces =
        *gen_pieces(n, std::max<std::int64_t>(std::min(ctx.chunk_size(), n / 2), 1));
    const WriteResult w = write(ctx, upload_name(ctx, blob.digest, kZstd), packed, pieces);
    require(w.status.ok(),
            w.request + " (offsets in compressed bytes) -> " + status_text(w.status));
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require(r.status.ok() && r.data == blob.data, r.request + " -> " + status_text(r.status) +
                                                      ", " + first_difference(r.data, blob.data) +
                                                      " after " + w.request + " -> OK");

    // The same kind of stream with offsets counted in uncompressed bytes must be refused.
    // A fresh blob, so the server cannot end the upload early because it already has it.
    const Blob other = make_blob(ctx, size, /*text=*/true);
    const std::string other_packed = reapi::zstd_compress(other.data);
    const auto m = static_cast<std::int64_t>(other_packed.size());
    if (m < 2) return;
    const auto split = *gen_pieces(m, std::max<std::int64_t>(std::min(ctx.chunk_size(), m / 2), 1));
    if (split.size() < 2) return;
    std::vector<google::bytestream::WriteRequest> requests;
    std::int64_t at = 0;
    bool differs = false;  // some offset is not the compressed count
    for (std::size_t i = 0; i < split.size(); ++i) {
      google::bytestream::WriteRequest req;
      if (i == 0) req.set_resource_name(upload_name(ctx, other.digest, kZstd));
      // Where this piece's bytes sit in the uncompressed blob, roughly: more than `at`,
      // since text compresses.
      req.set_write_offset(at * size / m);
      differs |= req.write_offset() != at;
      req.set_data(
          other_packed.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(split[i])));
      req.set_finish_write(i + 1 == split.size());
      at += split[i];
      requests.push_back(std::move(req));
    }
    if (!differs) return;  // the stream did not compress: both counts agree
    const WriteResult wrong = write_raw(ctx, requests);
    const std::string sent =
        wrong.request + " whose later write_offsets count uncompressed bytes (" +
        std::to_string(requests[1].write_offset()) + " for the second message, " + "after " +
        std::to_string(split[0]) + " compressed bytes)";
    require(!wrong.status.ok(), sent + " -> OK");
    should(ctx, wrong.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
           sent + " -> " + status_text(wrong.status) + "; expected INVALID_ARGUMENT (B8)");
  });
}

// BS-COMP-07: a compressed read of a blob nobody stored is NOT_FOUND.
Outcome absent_blob_not_found(Context& ctx) {
  if (auto why = skip_reason(ctx, false)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx), 1);
    const ReadResult r = read(ctx, read_name(ctx, absent(ctx, size), kZstd));
    require(r.status.error_code() == grpc::StatusCode::NOT_FOUND && r.data.empty(),
            r.request + " -> " + status_text(r.status) + " with " + std::to_string(r.data.size()) +
                " bytes; expected NOT_FOUND for a blob never stored");
  });
}

// BS-COMP-08: any valid zstd stream is accepted: several frames, any level, with or
// without checksum and content size.
Outcome accepts_any_valid_stream(Context& ctx) {
  if (auto why = skip_reason(ctx, true)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max(*gen_blob_size(ctx, 2 * kMiB), kFreshText);
    auto cuts = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(0, 4), rc::gen::inRange<std::int64_t>(0, size + 1));
    cuts.push_back(size);
    std::sort(cuts.begin(), cuts.end());
    const Blob blob = make_blob(ctx, size, *rc::gen::arbitrary<bool>());
    std::string body, frames;
    std::int64_t at = 0;
    for (std::int64_t cut : cuts) {
      // Consecutive equal cuts give empty frames, which are valid too.
      const int level = *rc::gen::element(-3, 1, 3, 6);
      const bool checksum = *rc::gen::arbitrary<bool>();
      const bool content_size = *rc::gen::arbitrary<bool>();
      body += zstd_frame(std::string_view(blob.data).substr(at, cut - at), level, checksum,
                         content_size);
      frames += " [" + std::to_string(cut - at) + " bytes, level " + std::to_string(level) +
                (checksum ? ", checksum" : "") + (content_size ? ", content size" : "") + "]";
      at = cut;
    }
    const auto pieces = *gen_pieces(static_cast<std::int64_t>(body.size()), ctx.chunk_size());
    const WriteResult w = write(ctx, upload_name(ctx, blob.digest, kZstd), body, pieces);
    const std::string sent =
        w.request + " of " + std::to_string(cuts.size()) + " zstd frame(s):" + frames;
    should(ctx, w.status.ok(), sent + " -> " + status_text(w.status));
    if (!w.status.ok()) return;
    // Accepted: what is stored must be the blob (BS-COMP-04).
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require_at(ctx, Level::must, r.status.ok() && r.data == blob.data,
               r.request + " -> " + status_text(r.status) + ", " +
                   first_difference(r.data, blob.data) + " after " + sent + " -> OK");
  });
}

// BS-COMP-10: the empty blob reads compressed, decoding to nothing.
Outcome empty_blob(Context& ctx) {
  if (auto why = skip_reason(ctx, false)) return Outcome::skip(*why);
  return once(ctx, [&] {
    require_decodes_to(read(ctx, read_name(ctx, empty_blob_digest(ctx), kZstd)), "",
                       " (the empty blob is always stored)");
  });
}

}  // namespace

void add_compressed_checks(Catalogue& catalogue) {
  catalogue.add({"bytestream.compressed.read_every_stored_blob", "BS-COMP-01", Level::must,
                 "Every stored blob, however it was uploaded, reads back under "
                 "compressed-blobs/zstd and plain"},
                read_every_stored_blob);
  catalogue.add({"bytestream.compressed.read_offset_uncompressed", "BS-COMP-02", Level::must,
                 "A compressed Read's read_offset counts uncompressed bytes"},
                read_offset_uncompressed);
  catalogue.add({"bytestream.compressed.rejects_read_limit", "BS-COMP-03", Level::must,
                 "A compressed Read with a non-zero read_limit fails with INVALID_ARGUMENT"},
                rejects_read_limit);
  catalogue.add(
      {"bytestream.compressed.upload_verified_after_decompression", "BS-COMP-04", Level::must,
       "A compressed upload that does not decode to the named blob is refused and "
       "stores nothing"},
      upload_verified_after_decompression);
  catalogue.add(
      {"bytestream.compressed.write_offsets_count_compressed_bytes", "BS-COMP-05", Level::must,
       "Later write_offsets of a compressed upload count compressed bytes; "
       "uncompressed counts are refused"},
      write_offsets_count_compressed_bytes);
  catalogue.not_checkable({"bytestream.compressed.any_compression_level", "BS-COMP-06", Level::may,
                           "The server may compress at any level; only the decoded bytes count"},
                          "a freedom of the server, not an obligation: every compressed check "
                          "compares decoded bytes, never compressed ones");
  catalogue.add({"bytestream.compressed.absent_blob_not_found", "BS-COMP-07", Level::must,
                 "A compressed Read of a blob nobody stored fails with NOT_FOUND"},
                absent_blob_not_found);
  catalogue.add({"bytestream.compressed.accepts_any_valid_stream", "BS-COMP-08", Level::should,
                 "Compressed uploads accept any valid zstd stream: several frames, any level, "
                 "with or without checksum and content size"},
                accepts_any_valid_stream);
  catalogue.not_checkable({"bytestream.compressed.grpc_compression", "BS-COMP-09", Level::should,
                           "Clients leave gRPC message compression off on compressed-blobs "
                           "transfers"},
                          "a client-side rule; the rules list no server behaviour to test");
  catalogue.add({"bytestream.compressed.empty_blob", "BS-COMP-10", Level::must,
                 "A compressed Read of the empty blob succeeds and decodes to nothing"},
                empty_blob);
}

}  // namespace conformance
