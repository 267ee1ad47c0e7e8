#pragma once
// Blobs that are new on every use: random content whose first bytes are overwritten with a
// per-process nonce and a counter on each renew(), so no server has seen them before and a
// store cannot short-circuit the upload (BS-WRITE-05 early return).

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "reapi/digest.h"
#include "reapi/digest_function.h"

namespace reapi_bench {

class FreshBlob {
 public:
  FreshBlob(std::int64_t size, reapi::DigestFunction fn, std::mt19937_64& rng);

  // Changes a few bytes so the content has never been produced before, and re-hashes it.
  void renew();

  std::string_view data() const { return data_; }
  const reapi::Digest& digest() const { return digest_; }

 private:
  reapi::DigestFunction fn_;
  std::string data_;
  reapi::Digest digest_;
  std::uint64_t nonce_;
  std::uint64_t counter_ = 0;
  std::mt19937_64* rng_;
};

// `size` random bytes.
std::string random_bytes(std::int64_t size, std::mt19937_64& rng);
// A random (version 4) UUID, for upload resource names.
std::string random_uuid(std::mt19937_64& rng);
// A generator seeded from std::random_device, so separate runs produce different blobs.
std::mt19937_64 seeded_rng();

}  // namespace reapi_bench
