#pragma once
// Digests (hash + size) and the hashing behind them, through OpenSSL EVP with the digest
// function as a parameter. Parsing is strict: lowercase hex of the function's exact length
// and a non-negative size (COM-01, COM-02, COM-04).

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "reapi/digest_function.h"

namespace reapi {

struct Digest {
  std::string hash;
  std::int64_t size_bytes = 0;

  auto operator<=>(const Digest&) const = default;
  // "hash/size", as in resource names and log lines.
  std::string to_string() const;
};

// OK when `digest` is well formed for `fn`; INVALID_ARGUMENT with the reason otherwise.
absl::Status validate_digest(DigestFunction fn, const Digest& digest);
// OK when `hash` is lowercase hex of the length `fn` produces.
absl::Status validate_hash(DigestFunction fn, std::string_view hash);

// Incremental hashing of a stream of bytes.
class Hasher {
 public:
  // INVALID_ARGUMENT if `fn` is not one this library can hash.
  static absl::StatusOr<Hasher> create(DigestFunction fn);

  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  DigestFunction function() const { return fn_; }
  std::int64_t bytes_hashed() const { return bytes_; }
  void update(std::string_view data);
  // Lowercase hex of the hash of everything passed to update(); the hasher is spent after.
  std::string finish_hex();
  // The digest of everything passed to update(); the hasher is spent after.
  Digest finish();

 private:
  struct Ctx;
  Hasher(DigestFunction fn, std::unique_ptr<Ctx> ctx);
  DigestFunction fn_;
  std::unique_ptr<Ctx> ctx_;
  std::int64_t bytes_ = 0;
};

// One-shot helpers; `fn` must be hashable (see is_hashable), else they return an empty hash.
std::string hash_hex(DigestFunction fn, std::string_view data);
Digest digest_of(DigestFunction fn, std::string_view data);
// The digest of the empty blob, which every CAS holds (COM-05).
Digest empty_digest(DigestFunction fn);

// Conversions to and from the wire message.
Digest from_proto(const build::bazel::remote::execution::v2::Digest& proto);
build::bazel::remote::execution::v2::Digest to_proto(const Digest& digest);

// Serialized-message digests (Directory, Tree, Action, Command); COM-17.
Digest digest_of_message(DigestFunction fn, const google::protobuf::MessageLite& message);

}  // namespace reapi
