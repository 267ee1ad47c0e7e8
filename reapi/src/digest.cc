#include "reapi/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <utility>

namespace reapi {
namespace {

const EVP_MD* evp_for(DigestFunction fn) {
  switch (fn) {
    case DigestFunction::sha256:
      return EVP_sha256();
    case DigestFunction::sha1:
      return EVP_sha1();
    case DigestFunction::md5:
      return EVP_md5();
    case DigestFunction::sha384:
      return EVP_sha384();
    case DigestFunction::sha512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

std::string to_hex(const unsigned char* bytes, unsigned int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(length) * 2, '\0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

struct Hasher::Ctx {
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> md;
};

std::string Digest::to_string() const { return hash + "/" + std::to_string(size_bytes); }

absl::Status validate_hash(DigestFunction fn, std::string_view hash) {
  const std::size_t want = hex_length(fn);
  if (want == 0) return absl::InvalidArgumentError("unknown digest function");
  if (hash.size() != want) {
    return absl::InvalidArgumentError("hash '" + std::string(hash.substr(0, 140)) + "' has " +
                                      std::to_string(hash.size()) + " characters; " +
                                      std::string(name(fn)) + " needs " + std::to_string(want));
  }
  if (!std::all_of(hash.begin(), hash.end(), is_lower_hex)) {
    return absl::InvalidArgumentError("hash '" + std::string(hash) +
                                      "' is not lowercase hexadecimal");
  }
  return absl::OkStatus();
}

absl::Status validate_digest(DigestFunction fn, const Digest& digest) {
  if (digest.size_bytes < 0) {
    return absl::InvalidArgumentError("digest " + digest.to_string() + " has a negative size");
  }
  return validate_hash(fn, digest.hash);
}

Hasher::Hasher(DigestFunction fn, std::unique_ptr<Ctx> ctx) : fn_(fn), ctx_(std::move(ctx)) {}
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

absl::StatusOr<Hasher> Hasher::create(DigestFunction fn) {
  const EVP_MD* md = evp_for(fn);
  if (md == nullptr) {
    return absl::InvalidArgumentError("digest function " + std::string(name(fn)) +
                                      " is not supported for hashing");
  }
  auto ctx = std::make_unique<Ctx>();
  ctx->md.reset(EVP_MD_CTX_new());
  if (!ctx->md || EVP_DigestInit_ex(ctx->md.get(), md, nullptr) != 1) {
    return absl::InternalError("OpenSSL could not start a " + std::string(name(fn)) + " hash");
  }
  return Hasher(fn, std::move(ctx));
}

void Hasher::update(std::string_view data) {
  EVP_DigestUpdate(ctx_->md.get(), data.data(), data.size());
  bytes_ += static_cast<std::int64_t>(data.size());
}

std::string Hasher::finish_hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_->md.get(), out, &length);
  return to_hex(out, length);
}

Digest Hasher::finish() {
  const std::int64_t size = bytes_;
  return Digest{finish_hex(), size};
}

std::string hash_hex(DigestFunction fn, std::string_view data) {
  auto hasher = Hasher::create(fn);
  if (!hasher.ok()) return {};
  hasher->update(data);
  return hasher->finish_hex();
}

Digest digest_of(DigestFunction fn, std::string_view data) {
  return Digest{hash_hex(fn, data), static_cast<std::int64_t>(data.size())};
}

Digest empty_digest(DigestFunction fn) {
  // Asked for on every CAS lookup (the empty blob is always present), so computed once.
  static const auto kEmpty = [] {
    std::array<std::string, 11> hashes;
    for (DigestFunction f : hashable_functions())
      hashes[static_cast<std::size_t>(f)] = hash_hex(f, {});
    return hashes;
  }();
  const auto i = static_cast<std::size_t>(fn);
  return Digest{i < kEmpty.size() ? kEmpty[i] : std::string(), 0};
}

Digest from_proto(const build::bazel::remote::execution::v2::Digest& proto) {
  return Digest{proto.hash(), proto.size_bytes()};
}

build::bazel::remote::execution::v2::Digest to_proto(const Digest& digest) {
  build::bazel::remote::execution::v2::Digest proto;
  proto.set_hash(digest.hash);
  proto.set_size_bytes(digest.size_bytes);
  return proto;
}

Digest digest_of_message(DigestFunction fn, const google::protobuf::MessageLite& message) {
  return digest_of(fn, message.SerializeAsString());
}

}  // namespace reapi
