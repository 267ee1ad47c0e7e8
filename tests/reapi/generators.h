#pragma once
// rapidcheck generators shared by the reapi tests: hex hashes, digest functions, instance
// names and the other parts of ByteStream resource names (bytestream.md 1.1).

#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "reapi/compression.h"
#include "reapi/digest_function.h"
#include "reapi/resource_name.h"

namespace reapi::testing {

inline constexpr std::string_view kLowerHex = "0123456789abcdef";

// The seven words no instance-name segment may be (common.md 1.4), written out here rather
// than taken from the library under test.
inline constexpr std::array<std::string_view, 7> kReservedWords{
    "blobs",      "uploads",      "actions",         "actionResults",
    "operations", "capabilities", "compressed-blobs"};

// Every function with a hex length (all but UNKNOWN).
inline std::vector<DigestFunction> all_functions() {
  std::vector<DigestFunction> out;
  for (int n = 1; n <= 10; ++n) out.push_back(static_cast<DigestFunction>(n));
  return out;
}

inline rc::Gen<std::string> gen_lower_hex(std::size_t length) {
  return rc::gen::container<std::string>(length, rc::gen::elementOf(kLowerHex));
}

// A well-formed hash for `fn`.
inline rc::Gen<std::string> gen_hash(DigestFunction fn) { return gen_lower_hex(hex_length(fn)); }

inline rc::Gen<DigestFunction> gen_any_function() { return rc::gen::elementOf(all_functions()); }

// Functions that resource names spell out (common.md 1.1: sha256tree, blake3, gitsha1).
inline rc::Gen<DigestFunction> gen_explicit_function() {
  return rc::gen::element(DigestFunction::sha256tree, DigestFunction::blake3,
                          DigestFunction::gitsha1);
}

// Functions inferred from the hash length, whose segment names must leave out. MURMUR3 and
// VSO share lengths with MD5/none, so the hash length alone decides the parse either way.
inline rc::Gen<DigestFunction> gen_inferred_function() {
  return rc::gen::element(DigestFunction::sha256, DigestFunction::sha1, DigestFunction::md5,
                          DigestFunction::sha384, DigestFunction::sha512);
}

// Sizes over the whole non-negative int64 range, with the edges made likely.
inline rc::Gen<std::int64_t> gen_size() {
  return rc::gen::oneOf(
      rc::gen::inRange<std::int64_t>(0, 1 << 20),
      rc::gen::inRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max()),
      rc::gen::element<std::int64_t>(0, 1, std::numeric_limits<std::int64_t>::max()));
}

// One segment of a path-like part: 1-12 characters of [A-Za-z0-9._-], never a word that
// has a meaning in resource names.
inline rc::Gen<std::string> gen_segment() {
  static const std::string kChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
  const auto any_segment = rc::gen::exec([] {
    return *rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(1, 13),
                                            rc::gen::elementOf(kChars));
  });
  return rc::gen::suchThat(any_segment, [](const std::string& s) {
    return std::find(kReservedWords.begin(), kReservedWords.end(), s) == kReservedWords.end();
  });
}

// Instance names of 0-3 segments joined by '/' (COM-12: no reserved word, no empty segment).
inline rc::Gen<std::string> gen_instance_name() {
  return rc::gen::exec([] {
    const auto count = *rc::gen::inRange<std::size_t>(0, 4);
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) out += '/';
      out += *gen_segment();
    }
    return out;
  });
}

// Upload ids: usually a UUID-shaped string, sometimes any other non-keyword segment.
inline rc::Gen<std::string> gen_upload_id() {
  return rc::gen::oneOf(rc::gen::exec([] {
                          return *gen_lower_hex(8) + "-" + *gen_lower_hex(4) + "-4" +
                                 *gen_lower_hex(3) + "-8" + *gen_lower_hex(3) + "-" +
                                 *gen_lower_hex(12);
                        }),
                        gen_segment());
}

// Real compressors (identity is the absence of one).
inline rc::Gen<Compressor> gen_compressor() {
  return rc::gen::element(Compressor::zstd, Compressor::deflate, Compressor::brotli);
}

// Trailing upload metadata: 1-3 segments (they may be keywords; only what precedes the size
// has a grammar).
inline rc::Gen<std::string> gen_metadata() {
  return rc::gen::exec([] {
    const auto count = *rc::gen::inRange<std::size_t>(1, 4);
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) out += '/';
      out += *rc::gen::oneOf(gen_segment(), rc::gen::element<std::string>("blobs", "uploads"));
    }
    return out;
  });
}

// A read name: any instance, maybe compressed, function explicit or inferred.
inline rc::Gen<BlobResourceName> gen_read_name() {
  return rc::gen::exec([] {
    BlobResourceName n;
    n.instance_name = *gen_instance_name();
    if (*rc::gen::arbitrary<bool>()) n.compressor = *gen_compressor();
    const bool explicit_fn = *rc::gen::arbitrary<bool>();
    const DigestFunction fn = explicit_fn ? *gen_explicit_function() : *gen_inferred_function();
    if (explicit_fn) n.digest_function = fn;
    n.digest.hash = *gen_hash(fn);
    n.digest.size_bytes = *gen_size();
    return n;
  });
}

// A write name: a read name plus an upload id and maybe metadata.
inline rc::Gen<BlobResourceName> gen_write_name() {
  return rc::gen::exec([] {
    BlobResourceName n = *gen_read_name();
    n.upload_id = *gen_upload_id();
    if (*rc::gen::arbitrary<bool>()) n.metadata = *gen_metadata();
    return n;
  });
}

}  // namespace reapi::testing
