#include "fresh_blob.h"

#include <cstdio>
#include <cstring>

namespace reapi_bench {

FreshBlob::FreshBlob(std::int64_t size, reapi::DigestFunction fn, std::mt19937_64& rng)
    : fn_(fn), data_(random_bytes(size, rng)), nonce_(rng()), rng_(&rng) {
  digest_ = reapi::digest_of(fn_, data_);
}

void FreshBlob::renew() {
  ++counter_;
  const std::uint64_t stamp[2] = {nonce_, counter_};
  if (data_.size() >= sizeof(stamp)) {
    std::memcpy(data_.data(), stamp, sizeof(stamp));
  } else {
    // Too small to stamp: new random content is as fresh as it gets.
    data_ = random_bytes(static_cast<std::int64_t>(data_.size()), *rng_);
  }
  digest_ = reapi::digest_of(fn_, data_);
}

std::string random_bytes(std::int64_t size, std::mt19937_64& rng) {
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::size_t i = 0;
  for (; i + sizeof(std::uint64_t) <= bytes.size(); i += sizeof(std::uint64_t)) {
    const std::uint64_t word = rng();
    std::memcpy(bytes.data() + i, &word, sizeof(word));
  }
  for (; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng());
  return bytes;
}

std::string random_uuid(std::mt19937_64& rng) {
  std::uint64_t high = rng();
  std::uint64_t low = rng();
  high = (high & ~std::uint64_t{0xF000}) | 0x4000;                         // version 4
  low = (low & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

std::mt19937_64 seeded_rng() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace reapi_bench
