// ByteStream resource names (bytestream.md section 1, BS-NAME-nn). Names are spelled out
// here by hand from the v2.12 grammar rather than with the project's formatter, so a
// formatter and a server that agree on a wrong form cannot both pass.

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <functional>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/compression.h"

namespace conformance {

namespace {

using Code = grpc::StatusCode;

// "{instance_name}/", or nothing for the empty instance (no leading slash).
std::string prefix(Context& ctx) { return ctx.instance().empty() ? "" : ctx.instance() + "/"; }

std::string size_text(std::int64_t size) { return std::to_string(size); }

std::string blob_path(const std::string& segment, const std::string& hash, std::int64_t size) {
  return "blobs/" + segment + hash + "/" + size_text(size);
}

std::string blob_text(const Blob& blob) {
  return "the " + std::to_string(blob.data.size()) + "-byte blob " + brief(blob.digest);
}

rc::Gen<std::int64_t> in_range(std::int64_t low, std::int64_t high_inclusive) {
  if (high_inclusive <= low) return rc::gen::just(low);
  return rc::gen::inRange<std::int64_t>(low, high_inclusive + 1);
}

// A fresh blob: 16 bytes or more, so nobody else holds it.
Blob fresh_blob(Context& ctx, std::int64_t max) {
  return make_blob(ctx, std::max<std::int64_t>(*gen_small_size(max_blob(ctx, max)), 16));
}

void require_read(const ReadResult& r, const Blob& blob) {
  require(r.status.ok(),
          r.request + " -> " + status_text(r.status) + ", expected OK with " + blob_text(blob));
  require(r.data == blob.data, r.request + " -> OK, but the data is not " + blob_text(blob) + ": " +
                                   first_difference(r.data, blob.data));
}

void require_written(const WriteResult& w, std::int64_t size) {
  require(w.status.ok(), w.request + " -> " + status_text(w.status));
  require(w.committed_size == size, w.request + " -> OK with committed_size " +
                                        std::to_string(w.committed_size) + ", expected " +
                                        std::to_string(size));
}

// --- hashes this file needs beyond the project's own ---

// BLAKE3 of an input of at most 1024 bytes (one chunk, which is then the root): enough to
// name small blobs on a server that advertises BLAKE3.
namespace blake3 {

constexpr std::array<std::uint32_t, 8> kIv{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                           0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
constexpr std::array<int, 16> kPermutation{2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
constexpr std::uint32_t kChunkStart = 1, kChunkEnd = 2, kRoot = 8;
constexpr std::size_t kMaxInput = 1024;

using State = std::array<std::uint32_t, 16>;

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void mix(State& s, int a, int b, int c, int d, std::uint32_t x, std::uint32_t y) {
  s[a] = s[a] + s[b] + x;
  s[d] = rotr(s[d] ^ s[a], 16);
  s[c] = s[c] + s[d];
  s[b] = rotr(s[b] ^ s[c], 12);
  s[a] = s[a] + s[b] + y;
  s[d] = rotr(s[d] ^ s[a], 8);
  s[c] = s[c] + s[d];
  s[b] = rotr(s[b] ^ s[c], 7);
}

// The compression function for chunk 0 (counter 0).
std::array<std::uint32_t, 8> compress(const std::array<std::uint32_t, 8>& cv, State m,
                                      std::uint32_t block_len, std::uint32_t flags) {
  State s{cv[0],  cv[1],  cv[2],  cv[3],  cv[4], cv[5], cv[6],     cv[7],
          kIv[0], kIv[1], kIv[2], kIv[3], 0,     0,     block_len, flags};
  for (int round = 0; round < 7; ++round) {
    mix(s, 0, 4, 8, 12, m[0], m[1]);
    mix(s, 1, 5, 9, 13, m[2], m[3]);
    mix(s, 2, 6, 10, 14, m[4], m[5]);
    mix(s, 3, 7, 11, 15, m[6], m[7]);
    mix(s, 0, 5, 10, 15, m[8], m[9]);
    mix(s, 1, 6, 11, 12, m[10], m[11]);
    mix(s, 2, 7, 8, 13, m[12], m[13]);
    mix(s, 3, 4, 9, 14, m[14], m[15]);
    State next;
    for (int i = 0; i < 16; ++i) next[i] = m[kPermutation[i]];
    m = next;
  }
  std::array<std::uint32_t, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = s[i] ^ s[i + 8];
  return out;
}

std::string hash_hex(std::string_view data) {
  std::array<std::uint32_t, 8> cv = kIv;
  const std::size_t blocks = std::max<std::size_t>(1, (data.size() + 63) / 64);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * 64;
    const std::size_t len = std::min<std::size_t>(64, data.size() - begin);
    std::array<unsigned char, 64> bytes{};
    std::copy_n(data.data() + begin, len, bytes.begin());
    State m;
    for (int i = 0; i < 16; ++i) {
      m[i] = static_cast<std::uint32_t>(bytes[4 * i]) |
             static_cast<std::uint32_t>(bytes[4 * i + 1]) << 8 |
             static_cast<std::uint32_t>(bytes[4 * i + 2]) << 16 |
             static_cast<std::uint32_t>(bytes[4 * i + 3]) << 24;
    }
    const std::uint32_t flags =
        (b == 0 ? kChunkStart : 0) | (b + 1 == blocks ? kChunkEnd | kRoot : 0);
    cv = compress(cv, m, static_cast<std::uint32_t>(len), flags);
  }
  std::string hex;
  for (std::uint32_t word : cv) {
    for (int i = 0; i < 4; ++i) {
      char byte[3];
      std::snprintf(byte, sizeof byte, "%02x", (word >> (8 * i)) & 0xff);
      hex += byte;
    }
  }
  return hex;
}

}  // namespace blake3

// git's blob object id: SHA-1 over "blob <size>\0" and the bytes.
std::string gitsha1_hex(std::string_view data) {
  std::string object = "blob " + std::to_string(data.size());
  object += '\0';
  object += data;
  return reapi::hash_hex(reapi::DigestFunction::sha1, object);
}

// One advertised digest function as BS-NAME-05 exercises it.
struct FunctionCase {
  v2::DigestFunction::Value value;
  std::string segment;    // "blake3/", or "" for the functions inferred from length
  std::int64_t max_size;  // largest blob this suite can hash with it
  bool needs_segment;     // a name without the segment means another function
  std::function<std::string(std::string_view)> hash;
};

std::vector<FunctionCase> function_cases(Context& ctx) {
  std::vector<v2::DigestFunction::Value> advertised = ctx.facts().digest_functions;
  if (advertised.empty()) advertised.push_back(ctx.function_proto());
  const bool murmur3 = ctx.facts().advertises_function(v2::DigestFunction::MURMUR3);
  std::vector<FunctionCase> out;
  for (v2::DigestFunction::Value value : advertised) {
    const auto fn = reapi::digest_function_from_number(value);
    if (!fn) continue;
    if (*fn == reapi::DigestFunction::sha256tree) {
      // Inputs of 1024 bytes or less hash exactly as SHA-256 (common.md 1.1).
      out.push_back({value, "sha256tree/", 1024, false, [](std::string_view d) {
                       return reapi::hash_hex(reapi::DigestFunction::sha256, d);
                     }});
    } else if (*fn == reapi::DigestFunction::blake3) {
      out.push_back({value, "blake3/", blake3::kMaxInput, true, blake3::hash_hex});
    } else if (*fn == reapi::DigestFunction::gitsha1) {
      out.push_back({value, "gitsha1/", 64 << 10, true, gitsha1_hex});
    } else if (reapi::is_hashable(*fn) && reapi::is_inferred_from_length(*fn)) {
      // MD5 next to MURMUR3 cannot be told apart by length (common.md A4).
      if (*fn == reapi::DigestFunction::md5 && murmur3) continue;
      const reapi::DigestFunction f = *fn;
      out.push_back(
          {value, "", 64 << 10, false, [f](std::string_view d) { return reapi::hash_hex(f, d); }});
    }
  }
  return out;
}

// BS-NAME-01: reads under {instance}/blobs/{hash}/{size}.
Outcome read_name_form(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = make_blob(ctx, *gen_small_size(max_blob(ctx, 64 << 10)));
    upload(ctx, {blob});
    const std::string name =
        prefix(ctx) + blob_path("", blob.digest.hash(), blob.digest.size_bytes());
    require_read(read(ctx, name), blob);
  });
}

// BS-NAME-02: uploads under {instance}/uploads/{uuid}/blobs/{hash}/{size}.
Outcome write_name_form(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = make_blob(ctx, *gen_small_size(max_blob(ctx, 64 << 10)));
    const std::string name = prefix(ctx) + "uploads/" + ctx.uuid() + "/" +
                             blob_path("", blob.digest.hash(), blob.digest.size_bytes());
    require_written(send(ctx, name, blob.data), blob.digest.size_bytes());
    // Read back through the CAS (not the name form on trial), by whichever call fits it.
    const ReadBack back = read_back(ctx, blob.digest);
    require(back.ok && back.data == blob.data,
            "after " + name + " -> OK: " + back.text +
                (back.ok ? ", " + first_difference(back.data, blob.data) : ""));
  });
}

// Trailing segments such as "some/extra/path.txt" (never a reserved word).
rc::Gen<std::string> gen_metadata() {
  static const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-";
  const auto segment = rc::gen::suchThat(
      rc::gen::container<std::string>(rc::gen::elementOf(alphabet)), [](const std::string& s) {
        return !s.empty() && s.size() <= 24 && s.find_first_not_of('.') != std::string::npos &&
               s != "blobs" && s != "uploads" && s != "actions" && s != "operations" &&
               s != "capabilities" && s != "compressed-blobs";
      });
  return rc::gen::map(
      rc::gen::resize(4, rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(segment))),
      [](const std::vector<std::string>& parts) {
        std::string out;
        for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
        return out;
      });
}

// BS-NAME-03: extra segments after the size of an upload name do not fail it.
Outcome upload_metadata_tolerated(Context& ctx) {
  return property(ctx, [&] {
    const Blob blob = fresh_blob(ctx, 64 << 10);
    const std::string metadata = *gen_metadata();
    const std::string name = prefix(ctx) + "uploads/" + ctx.uuid() + "/" +
                             blob_path("", blob.digest.hash(), blob.digest.size_bytes()) + "/" +
                             metadata;
    require_written(send(ctx, name, blob.data), blob.digest.size_bytes());
    require_read(read(ctx, read_name(ctx, blob.digest)), blob);
  });
}

// BS-NAME-04: one uuid for several uploads, one after the other.
Outcome uuid_reuse(Context& ctx) {
  return property(ctx, [&] {
    const int count = *rc::gen::inRange(2, 5);
    const std::string uuid = ctx.uuid();
    std::vector<Blob> blobs;
    for (int i = 0; i < count; ++i) {
      blobs.push_back(fresh_blob(ctx, 64 << 10));
      const Blob& blob = blobs.back();
      const std::string name = prefix(ctx) + "uploads/" + uuid + "/" +
                               blob_path("", blob.digest.hash(), blob.digest.size_bytes());
      const WriteResult w = send(ctx, name, blob.data);
      require(w.status.ok(), w.request + " (upload " + std::to_string(i + 1) +
                                 " under this uuid) -> " + status_text(w.status));
      require(w.committed_size == blob.digest.size_bytes(),
              w.request + " -> OK with committed_size " + std::to_string(w.committed_size) +
                  ", expected " + std::to_string(blob.digest.size_bytes()));
    }
    for (const Blob& blob : blobs) require_read(read(ctx, read_name(ctx, blob.digest)), blob);
  });
}

// BS-NAME-05: each advertised function under its own name form.
Outcome digest_function_segment(Context& ctx) {
  const std::vector<FunctionCase> cases = function_cases(ctx);
  if (cases.empty()) {
    return Outcome::skip("the server advertises no digest function this suite can hash");
  }
  if (batch_capacity(ctx) < 16) {
    return Outcome::skip("the batch limit of " + std::to_string(batch_capacity(ctx)) +
                         " bytes cannot hold a blob of 16 bytes (unique to this run) to read "
                         "back through BatchReadBlobs");
  }
  return property(ctx, [&] {
    const FunctionCase& fc = *rc::gen::elementOf(cases);
    // Within the batch limit too: the blob is read back through BatchReadBlobs, with the
    // function named in the request.
    const auto size = *in_range(16, max_batch_blob(ctx, fc.max_size));
    const std::string data = ctx.unique_bytes(static_cast<std::size_t>(size));
    const std::string hash = fc.hash(data);
    const std::string upload =
        prefix(ctx) + "uploads/" + ctx.uuid() + "/" + blob_path(fc.segment, hash, size);
    const WriteResult w = send(ctx, upload, data);
    require(w.status.ok() && w.committed_size == size,
            w.request + " -> " + status_text(w.status) + ", committed_size " +
                std::to_string(w.committed_size) + "; expected OK with " + std::to_string(size) +
                " (" + v2::DigestFunction::Value_Name(fc.value) + " is advertised)");
    const ReadResult r = read(ctx, prefix(ctx) + blob_path(fc.segment, hash, size));
    require(r.status.ok() && r.data == data,
            r.request + " -> " + status_text(r.status) + ", " + first_difference(r.data, data));

    // The same blob through BatchReadBlobs with the function named in the request.
    v2::BatchReadBlobsRequest request;
    request.set_instance_name(ctx.instance());
    request.set_digest_function(fc.value);
    auto* digest = request.add_digests();
    digest->set_hash(hash);
    digest->set_size_bytes(size);
    const auto batch = batch_read_raw(ctx, request);
    require(batch.ok() && batch.response.responses_size() == 1 &&
                batch.response.responses(0).status().code() == 0 &&
                batch.response.responses(0).data() == data,
            "after " + upload + " -> OK: " + batch.request + " with digest_function " +
                v2::DigestFunction::Value_Name(fc.value) + " -> " + status_text(batch.status) +
                (batch.response.responses_size() == 1
                     ? ", entry " + status_text(batch.response.responses(0).status())
                     : ", " + std::to_string(batch.response.responses_size()) + " entries") +
                "; expected the blob just uploaded");

    if (fc.needs_segment) {
      // Without the segment a hash of this length means another function (COM-08).
      const ReadResult bare = read(ctx, prefix(ctx) + blob_path("", hash, size));
      should(ctx, !(bare.status.ok() && bare.data == data),
             bare.request + " -> OK with the " + v2::DigestFunction::Value_Name(fc.value) +
                 " blob: a name without the '" + fc.segment +
                 "' segment must be read as a function of the omitted set");
    }
  });
}

// BS-NAME-06: "blobs/sha256/<hash>/<size>" spells out a function that must be left out.
Outcome omitted_function_segment(Context& ctx) {
  const std::string function(reapi::name(ctx.function()));
  return property(ctx, [&] {
    const bool via_write = *rc::gen::arbitrary<bool>();
    const Blob blob = fresh_blob(ctx, 4096);
    const std::string path =
        blob_path(function + "/", blob.digest.hash(), blob.digest.size_bytes());
    if (via_write) {
      const WriteResult w =
          send(ctx, prefix(ctx) + "uploads/" + ctx.uuid() + "/" + path, blob.data);
      if (w.status.ok()) {
        should(ctx, false,
               w.request + " -> OK: the '" + function +
                   "/' segment must be omitted; INVALID_ARGUMENT expected (accepting is "
                   "tolerated, note B6)");
        return;
      }
      require(w.status.error_code() == Code::INVALID_ARGUMENT,
              w.request + " -> " + status_text(w.status) + ", expected INVALID_ARGUMENT");
      return;
    }
    upload(ctx, {blob});
    const ReadResult r = read(ctx, prefix(ctx) + path);
    if (r.status.ok()) {
      require_at(ctx, Level::must, r.data == blob.data,
                 r.request + " -> OK with data that is not " + blob_text(blob) + ": " +
                     first_difference(r.data, blob.data));
      should(ctx, false,
             r.request + " -> OK: the '" + function +
                 "/' segment must be omitted; INVALID_ARGUMENT expected (accepting is "
                 "tolerated, note B6)");
      return;
    }
    require(r.status.error_code() == Code::INVALID_ARGUMENT,
            r.request + " -> " + status_text(r.status) + ", expected INVALID_ARGUMENT");
  });
}

// --- BS-NAME-07: malformed names ---

enum class Malformed {
  // Reads of a stored blob.
  no_size,
  bad_size,
  extra_segment,
  uppercase_hash,
  non_hex_hash,
  short_hash,
  long_hash,
  empty_hash,
  wrong_keyword,
  read_of_upload_name,
  empty_name,
  // Writes of a fresh blob.
  write_without_uploads,
  write_missing_uuid,
  write_wrong_keyword,
  write_bad_hash,
  write_bad_size,
};
constexpr int kFirstWrite = static_cast<int>(Malformed::write_without_uploads);
constexpr int kMalformedCount = static_cast<int>(Malformed::write_bad_size) + 1;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// A hash that breaks the grammar: upper case, a non-hex character, or one character off
// in length (never a length another function uses).
rc::Gen<std::string> gen_non_hex(const std::string& hash) {
  return rc::gen::apply(
      [hash](std::size_t at, char c) {
        std::string out = hash;
        out[at % out.size()] = c;
        return out;
      },
      rc::gen::arbitrary<std::size_t>(), rc::gen::elementOf(std::string("gzGZ_-.~")));
}

rc::Gen<std::string> gen_bad_hash(const std::string& hash) {
  const std::string up = upper(hash);
  // An all-digit hash has no upper case; it gets a non-hex character instead.
  return rc::gen::weightedOneOf<std::string>({
      {2, gen_non_hex(hash)},
      {1, rc::gen::just(hash.substr(1))},
      {1, rc::gen::just(hash + "0")},
      {2, up != hash ? rc::gen::just(up) : gen_non_hex(hash)},
  });
}

rc::Gen<std::string> gen_bad_size(std::int64_t size) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(size));
  return rc::gen::elementOf(std::vector<std::string>{"abc", size_text(size) + "x",
                                                     size_text(size) + ".0", "-" + size_text(size),
                                                     hex, "", "99999999999999999999"});
}

std::string malformed_name(Context& ctx, Malformed kind, const Blob& blob) {
  const std::string& hash = blob.digest.hash();
  const std::string size = size_text(blob.digest.size_bytes());
  const std::string p = prefix(ctx);
  switch (kind) {
    case Malformed::no_size:
      return p + "blobs/" + hash;
    case Malformed::bad_size:
      return p + "blobs/" + hash + "/" + *gen_bad_size(blob.digest.size_bytes());
    case Malformed::extra_segment:
      return p + "blobs/" + hash + "/" + size + "/" +
             *rc::gen::elementOf(std::vector<std::string>{"extra", "0", "a/b"});
    case Malformed::uppercase_hash: {
      const std::string up = upper(hash);
      return p + "blobs/" + (up != hash ? up : hash.substr(1) + "G") + "/" + size;
    }
    case Malformed::non_hex_hash:
      return p + "blobs/" + *gen_non_hex(hash) + "/" + size;
    case Malformed::short_hash:
      return p + "blobs/" + hash.substr(1) + "/" + size;
    case Malformed::long_hash:
      return p + "blobs/" + hash + "0/" + size;
    case Malformed::empty_hash:
      return p + "blobs//" + size;
    case Malformed::wrong_keyword:
      return p + *rc::gen::elementOf(std::vector<std::string>{"blob", "Blobs", "BLOBS", "blobz"}) +
             "/" + hash + "/" + size;
    case Malformed::read_of_upload_name:
      return p + "uploads/" + ctx.uuid() + "/blobs/" + hash + "/" + size;
    case Malformed::empty_name:
      return "";
    case Malformed::write_without_uploads:
      return p + "blobs/" + hash + "/" + size;
    case Malformed::write_missing_uuid:
      return p + "uploads/blobs/" + hash + "/" + size;
    case Malformed::write_wrong_keyword:
      return p +
             *rc::gen::elementOf(std::vector<std::string>{"upload/" + ctx.uuid() + "/blobs/",
                                                          "uploads/" + ctx.uuid() + "/blob/",
                                                          "Uploads/" + ctx.uuid() + "/blobs/"}) +
             hash + "/" + size;
    case Malformed::write_bad_hash:
      return p + "uploads/" + ctx.uuid() + "/blobs/" + *gen_bad_hash(hash) + "/" + size;
    case Malformed::write_bad_size:
      return p + "uploads/" + ctx.uuid() + "/blobs/" + hash + "/" +
             *gen_bad_size(blob.digest.size_bytes());
  }
  return "";
}

// A malformed upload name is refused.
void check_malformed_write(Context& ctx, Malformed kind, std::int64_t size) {
  const Blob blob = make_blob(ctx, size);  // fresh for each name: nothing to return early for
  const std::string name = malformed_name(ctx, kind, blob);
  const WriteResult w = send(ctx, name, blob.data);
  require(w.status.error_code() == Code::INVALID_ARGUMENT,
          w.request + " -> " + status_text(w.status) +
              ": the name breaks the upload grammar, INVALID_ARGUMENT expected");
}

// A malformed read name made from the stored `blob` is refused.
void check_malformed_read(Context& ctx, Malformed kind, const Blob& blob) {
  const std::string name = malformed_name(ctx, kind, blob);
  const ReadResult r = read(ctx, name);
  if (r.status.error_code() == Code::INVALID_ARGUMENT) return;
  const std::string expected = ": the name breaks the read grammar, INVALID_ARGUMENT expected";
  if (r.status.ok()) {
    require_at(ctx, Level::must, r.data == blob.data,
               r.request + " -> OK with data that is not " + blob_text(blob) +
                   ", which the name was made from: " + first_difference(r.data, blob.data));
    // Older servers ignore anything after the size on reads (note B7).
    if (kind == Malformed::extra_segment) {
      should(ctx, false, r.request + " -> OK" + expected + " (note B7)");
      return;
    }
  }
  if (r.status.error_code() == Code::NOT_FOUND) {
    should(ctx, false, r.request + " -> " + status_text(r.status) + expected);
    return;
  }
  require(false, r.request + " -> " + status_text(r.status) + expected);
}

// Every kind of malformed name in each case: one stored blob for the reads, a fresh one
// per upload.
Outcome malformed_rejected(Context& ctx) {
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_small_size(max_blob(ctx, 4096)), 16);
    const Blob blob = make_blob(ctx, size);
    upload(ctx, {blob});
    for (int k = 0; k < kMalformedCount; ++k) {
      const auto kind = static_cast<Malformed>(k);
      if (k >= kFirstWrite) {
        check_malformed_write(ctx, kind, size);
      } else {
        check_malformed_read(ctx, kind, blob);
      }
    }
  });
}

// --- compressors ---

// The names of the advertised compressors this suite knows.
std::vector<std::string> advertised_compressors(Context& ctx) {
  std::vector<std::string> out;
  for (v2::Compressor::Value v : ctx.facts().compressors) {
    const auto c = reapi::compressor_from_number(v);
    if (c && *c != reapi::Compressor::identity) out.emplace_back(reapi::name(*c));
  }
  return out;
}

std::string compressed_path(const std::string& compressor, const v2::Digest& digest) {
  return "compressed-blobs/" + compressor + "/" + digest.hash() + "/" +
         size_text(digest.size_bytes());
}

// BS-NAME-08: every advertised compressor name is accepted.
Outcome compressor_names_accepted(Context& ctx) {
  const std::vector<std::string> compressors = advertised_compressors(ctx);
  if (compressors.empty()) return Outcome::skip("the server advertises no ByteStream compressor");
  return property(ctx, [&] {
    const std::string word = *rc::gen::elementOf(compressors);
    const reapi::Compressor c = *reapi::compressor_from_name(word);
    const bool via_write = c == reapi::Compressor::zstd && *rc::gen::arbitrary<bool>();
    const Blob blob = fresh_blob(ctx, 64 << 10);
    if (via_write) {
      const std::string compressed = reapi::zstd_compress(blob.data);
      const std::string name =
          prefix(ctx) + "uploads/" + ctx.uuid() + "/" + compressed_path(word, blob.digest);
      const WriteResult w = send(ctx, name, compressed);
      require(w.status.ok(), w.request + " (zstd of " + blob_text(blob) + ") -> " +
                                 status_text(w.status) + "; zstd is advertised");
      return;
    }
    upload(ctx, {blob});
    const ReadResult r = read(ctx, prefix(ctx) + compressed_path(word, blob.digest));
    require(r.status.ok(), r.request + " -> " + status_text(r.status) + "; " + word +
                               " is advertised and " + blob_text(blob) + " is stored");
    if (c == reapi::Compressor::zstd) {
      const auto plain = reapi::zstd_decompress(r.data, blob.digest.size_bytes());
      require(plain.ok() && *plain == blob.data,
              r.request + " -> OK, but the data " +
                  (plain.ok() ? "decodes to something else: " + first_difference(*plain, blob.data)
                              : "is not zstd: " + std::string(plain.status().message())));
    }
  });
}

// BS-NAME-09: identity, unknown words and unadvertised compressors are refused.
// The call on a compressed-blobs name with `word` as compressor was refused.
void require_refused(Context& ctx, const grpc::Status& status, const std::string& request,
                     const std::string& word) {
  require(!status.ok(), request + " -> OK: '" + word +
                            "' is not an advertised compressor's name; the name must be refused");
  should(
      ctx,
      status.error_code() == Code::INVALID_ARGUMENT || status.error_code() == Code::UNIMPLEMENTED,
      request + " -> " + status_text(status) + ", INVALID_ARGUMENT expected");
}

// Each case reads a stored blob under every refused word, and uploads under the words for
// which valid data exists (identity: the plain bytes; "ZSTD": zstd), so that a refusal
// cannot come from undecodable data instead of the name.
Outcome unsupported_compressor_rejected(Context& ctx) {
  const std::vector<std::string> advertised = advertised_compressors(ctx);
  std::vector<std::string> words{"identity", "lzma", "gzip", "zstd1"};
  for (std::string known : {"zstd", "deflate", "brotli"}) {
    const bool listed = std::find(advertised.begin(), advertised.end(), known) != advertised.end();
    words.push_back(listed ? upper(known) : known);
  }
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_small_size(max_blob(ctx, 4096)), 16);
    const Blob blob = make_blob(ctx, size);
    upload(ctx, {blob});
    for (const std::string& word : words) {
      const ReadResult r = read(ctx, prefix(ctx) + compressed_path(word, blob.digest));
      require_refused(ctx, r.status, r.request, word);
      if (word != "identity" && word != "ZSTD") continue;
      const Blob fresh = make_blob(ctx, size);
      const std::string name =
          prefix(ctx) + "uploads/" + ctx.uuid() + "/" + compressed_path(word, fresh.digest);
      const WriteResult w =
          send(ctx, name, word == "ZSTD" ? reapi::zstd_compress(fresh.data) : fresh.data);
      require_refused(ctx, w.status, w.request, word);
    }
  });
}

}  // namespace

void add_bytestream_name_checks(Catalogue& catalogue) {
  catalogue.add({"bytestream.name.read_name_form", "BS-NAME-01", Level::must,
                 "Blobs are readable under {instance}/blobs/{hash}/{size}, with no leading slash "
                 "for the empty instance"},
                read_name_form);
  catalogue.add({"bytestream.name.write_name_form", "BS-NAME-02", Level::must,
                 "Uploads are accepted under {instance}/uploads/{uuid}/blobs/{hash}/{size}"},
                write_name_form);
  catalogue.add({"bytestream.name.upload_metadata_tolerated", "BS-NAME-03", Level::must,
                 "Extra segments after the size of an upload name do not make the upload fail"},
                upload_metadata_tolerated);
  catalogue.add({"bytestream.name.uuid_reuse", "BS-NAME-04", Level::must,
                 "One uuid may be used for uploads of different blobs one after the other"},
                uuid_reuse);
  catalogue.add({"bytestream.name.digest_function_segment", "BS-NAME-05", Level::must,
                 "Each advertised digest function works under its name form: no segment for "
                 "functions inferred from the hash length, blake3/, sha256tree/, gitsha1/ else"},
                digest_function_segment);
  catalogue.add({"bytestream.name.omitted_function_segment_rejected", "BS-NAME-06", Level::should,
                 "A name that spells out a function inferred from length (blobs/sha256/...) is "
                 "refused with INVALID_ARGUMENT"},
                omitted_function_segment);
  catalogue.add({"bytestream.name.malformed_rejected", "BS-NAME-07", Level::should,
                 "Names that break the grammar (size, hash, keyword, uploads/ form) are refused "
                 "with INVALID_ARGUMENT"},
                malformed_rejected);
  catalogue.add({"bytestream.name.compressor_names_accepted", "BS-NAME-08", Level::must,
                 "Every advertised compressor is accepted under its lowercase name in "
                 "compressed-blobs names"},
                compressor_names_accepted);
  catalogue.add({"bytestream.name.unsupported_compressor_rejected", "BS-NAME-09", Level::should,
                 "compressed-blobs names with identity, an unknown word or an unadvertised "
                 "compressor are refused (INVALID_ARGUMENT preferred)"},
                unsupported_compressor_rejected);
}

}  // namespace conformance
