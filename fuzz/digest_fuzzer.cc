// Fuzzes digest validation and hashing. Input: one byte choosing the digest function (by
// number, including invalid ones), one byte choosing a split point, then a candidate hash
// that is also hashed as data. validate_hash must agree with the definition (lowercase hex
// of the function's length, COM-01/COM-02), and incremental hashing with one-shot hashing.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "reapi/digest.h"

namespace {

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto fn = static_cast<reapi::DigestFunction>(data[0] % 12);
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  const std::size_t want = reapi::hex_length(fn);
  const bool valid = want != 0 && text.size() == want && is_lower_hex(text);
  const auto status = reapi::validate_hash(fn, text);
  FUZZ_CHECK(status.ok() == valid);
  FUZZ_CHECK(status.ok() ||
             (status.code() == absl::StatusCode::kInvalidArgument && !status.message().empty()));
  // Sizes: data[1] picks a sign, so negative sizes are tried too (COM-04).
  const std::int64_t digest_size =
      data[1] & 1 ? -static_cast<std::int64_t>(size) : std::numeric_limits<std::int64_t>::max();
  const auto digest_status =
      reapi::validate_digest(fn, reapi::Digest{std::string(text), digest_size});
  FUZZ_CHECK(digest_status.ok() == (valid && digest_size >= 0));

  if (!reapi::is_hashable(fn)) {
    FUZZ_CHECK(!reapi::Hasher::create(fn).ok());
    return 0;
  }
  const std::size_t split = std::min<std::size_t>(data[1], text.size());
  auto hasher = reapi::Hasher::create(fn);
  FUZZ_CHECK(hasher.ok());
  hasher->update(text.substr(0, split));
  hasher->update(text.substr(split));
  const reapi::Digest incremental = hasher->finish();
  FUZZ_CHECK(incremental == reapi::digest_of(fn, text));
  FUZZ_CHECK(reapi::validate_digest(fn, incremental).ok());
  return 0;
}
