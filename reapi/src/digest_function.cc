#include "reapi/digest_function.h"

#include <algorithm>
#include <array>

namespace reapi {
namespace {

struct Facts {
  DigestFunction fn;
  std::string_view name;
  std::size_t hex_length;
  bool inferred_from_length;
};

constexpr std::array<Facts, 10> kFacts{{
    {DigestFunction::sha256, "sha256", 64, true},
    {DigestFunction::sha1, "sha1", 40, true},
    {DigestFunction::md5, "md5", 32, true},
    {DigestFunction::vso, "vso", 66, true},
    {DigestFunction::sha384, "sha384", 96, true},
    {DigestFunction::sha512, "sha512", 128, true},
    {DigestFunction::murmur3, "murmur3", 32, true},
    {DigestFunction::sha256tree, "sha256tree", 64, false},
    {DigestFunction::blake3, "blake3", 64, false},
    {DigestFunction::gitsha1, "gitsha1", 40, false},
}};

constexpr std::array<DigestFunction, 5> kHashable{DigestFunction::sha256, DigestFunction::sha1,
                                                  DigestFunction::md5, DigestFunction::sha384,
                                                  DigestFunction::sha512};

const Facts* find(DigestFunction fn) {
  auto it = std::find_if(kFacts.begin(), kFacts.end(), [fn](const Facts& f) { return f.fn == fn; });
  return it == kFacts.end() ? nullptr : &*it;
}

}  // namespace

std::string_view name(DigestFunction fn) {
  const Facts* f = find(fn);
  return f ? f->name : "unknown";
}

std::optional<DigestFunction> digest_function_from_name(std::string_view name) {
  for (const Facts& f : kFacts) {
    if (f.name == name) return f.fn;
  }
  return std::nullopt;
}

std::optional<DigestFunction> digest_function_from_number(int number) {
  for (const Facts& f : kFacts) {
    if (static_cast<int>(f.fn) == number) return f.fn;
  }
  return std::nullopt;
}

std::size_t hex_length(DigestFunction fn) {
  const Facts* f = find(fn);
  return f ? f->hex_length : 0;
}

bool is_inferred_from_length(DigestFunction fn) {
  const Facts* f = find(fn);
  return f && f->inferred_from_length;
}

std::span<const DigestFunction> hashable_functions() { return kHashable; }

bool is_hashable(DigestFunction fn) {
  return std::find(kHashable.begin(), kHashable.end(), fn) != kHashable.end();
}

std::optional<DigestFunction> infer_from_hex_length(std::size_t length,
                                                    std::span<const DigestFunction> enabled) {
  for (DigestFunction fn : enabled) {
    if (is_inferred_from_length(fn) && hex_length(fn) == length) return fn;
  }
  return std::nullopt;
}

}  // namespace reapi
