#pragma once
// Digest functions as REAPI numbers them (DigestFunction.Value), and the facts about each
// that parsing and hashing need: hex length, resource-name segment, whether we can hash it.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace reapi {

enum class DigestFunction : int {
  unknown = 0,
  sha256 = 1,
  sha1 = 2,
  md5 = 3,
  vso = 4,
  sha384 = 5,
  sha512 = 6,
  murmur3 = 7,
  sha256tree = 8,
  blake3 = 9,
  gitsha1 = 10,
};

// Lowercase enum name, as used in resource names ("sha256", "blake3", ...).
std::string_view name(DigestFunction fn);
std::optional<DigestFunction> digest_function_from_name(std::string_view name);
std::optional<DigestFunction> digest_function_from_number(int number);

// Number of lowercase hex characters in a hash of this function (0 for unknown).
std::size_t hex_length(DigestFunction fn);

// True for the functions whose name is left out of resource names and inferred from the
// hash length (MD5, MURMUR3, SHA1, SHA256, SHA384, SHA512, VSO); common.md 1.1.
bool is_inferred_from_length(DigestFunction fn);

// Functions this library can hash (through OpenSSL EVP).
std::span<const DigestFunction> hashable_functions();
bool is_hashable(DigestFunction fn);

// The function among `enabled` that an unset digest_function means for a hash of `length`
// hex characters: only functions inferred from length qualify (COM-08).
std::optional<DigestFunction> infer_from_hex_length(std::size_t length,
                                                    std::span<const DigestFunction> enabled);

}  // namespace reapi
