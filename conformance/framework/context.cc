#include "framework/context.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace conformance {

namespace {

// SplitMix64: a small, fast generator; unique data needs spread, not cryptographic strength.
std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string random_nonce() {
  std::random_device device;
  std::string nonce(8, '\0');
  for (char& c : nonce) c = static_cast<char>(device() & 0xff);
  return nonce;
}

std::uint64_t load64(const std::string& bytes) {
  std::uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace

Session::Session(reapi::Target target, SuiteOptions options)
    : target_(std::move(target)),
      options_(options),
      run_deadline_(Clock::now() + options.run_timeout),
      capabilities_(v2::Capabilities::NewStub(target_.channel())),
      cas_(v2::ContentAddressableStorage::NewStub(target_.channel())),
      action_cache_(v2::ActionCache::NewStub(target_.channel())),
      bytestream_(google::bytestream::ByteStream::NewStub(target_.channel())),
      nonce_(random_nonce()) {}

grpc::Status Session::discover() {
  v2::GetCapabilitiesRequest request;
  request.set_instance_name(target_.instance_name());
  v2::ServerCapabilities response;
  grpc::ClientContext context;
  target_.prepare(context);
  const grpc::Status status = capabilities_->GetCapabilities(&context, request, &response);
  facts_ = facts_from(status, response);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return status;  // nothing answers: no check could tell anything
  }
  if (!status.ok() || facts_.digest_functions.empty()) return grpc::Status::OK;
  if (facts_.advertises_function(v2::DigestFunction::SHA256)) return grpc::Status::OK;
  for (v2::DigestFunction::Value f : facts_.digest_functions) {
    const auto fn = reapi::digest_function_from_number(f);
    if (fn && reapi::is_hashable(*fn)) {
      function_ = *fn;
      return grpc::Status::OK;
    }
  }
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "the server advertises no digest function this suite can hash "
                      "(it hashes SHA256, SHA1, MD5, SHA384, SHA512)");
}

Context::Context(Session& session, const CheckInfo& info, std::uint64_t seed)
    : session_(session),
      info_(info),
      seed_(seed),
      deadline_(std::min(Clock::now() + session.options().check_timeout, session.run_deadline())) {}

v2::DigestFunction::Value Context::function_proto() const {
  return static_cast<v2::DigestFunction::Value>(static_cast<int>(function()));
}

void Context::prepare(grpc::ClientContext& context, std::int64_t payload_bytes) const {
  const auto per_call = session_.target().deadline() +
                        std::chrono::milliseconds(std::max<std::int64_t>(payload_bytes, 0) >> 10);
  const auto call_deadline = Clock::now() + per_call;
  // ClientContext takes a system_clock deadline; convert from our steady one.
  const auto until = std::min(call_deadline, deadline_) - Clock::now();
  session_.target().prepare(context);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::max<Clock::duration>(until, std::chrono::milliseconds(1)));
}

std::int64_t Context::chunk_size() const {
  const std::int64_t limit =
      std::max<std::int64_t>(session_.target().max_message_size() - (16 << 10), 1024);
  // The server's receive limit is not advertised, but one that takes batches of
  // max_batch_total_size_bytes (CAS-BUP-06) takes a message of that many data bytes, less
  // 1 KiB for a resource name longer than a batch entry's framing; 16 KiB, the chunk Bazel
  // writes in, at least. Without the limit, gRPC's 4 MiB default applies.
  const std::int64_t batch = facts().max_batch_total_size_bytes;
  const std::int64_t taken = batch > 0 ? std::max<std::int64_t>(batch - 1024, 16 << 10) : 1 << 20;
  return std::min<std::int64_t>({1 << 20, limit, taken});
}

std::string Context::unique_bytes(std::size_t n) {
  const std::uint64_t serial = session_.next_serial();
  std::uint64_t state = load64(session_.nonce()) ^ (serial * 0xd1342543de82ef95ULL) ^ seed_;
  std::string out(n, '\0');
  // The first 16 bytes name the run and the blob, so longer blobs never repeat.
  std::string prefix = session_.nonce();
  for (int i = 0; i < 8; ++i) prefix += static_cast<char>((serial >> (8 * i)) & 0xff);
  std::size_t i = 0;
  for (; i < n && i < prefix.size(); ++i) out[i] = prefix[i];
  if (n < prefix.size()) {
    // Too short to carry the prefix: random bytes instead.
    i = 0;
  }
  while (i < n) {
    std::uint64_t word = splitmix(state);
    for (int b = 0; b < 8 && i < n; ++b, ++i, word >>= 8) {
      out[i] = static_cast<char>(word & 0xff);
    }
  }
  return out;
}

std::string Context::unique_text(std::size_t n) {
  const std::uint64_t serial = session_.next_serial();
  std::uint64_t state = load64(session_.nonce()) ^ (serial * 0xd1342543de82ef95ULL) ^ ~seed_;
  // The first 16 characters mix the run and the blob, so text blobs of 16 bytes or more
  // are unique too; the run's nonce follows.
  std::uint64_t mix = load64(session_.nonce()) ^ (serial * 0x9e3779b97f4a7c15ULL);
  char prefix[40];
  std::snprintf(prefix, sizeof prefix, "%016llx%016llx",
                static_cast<unsigned long long>(splitmix(mix)),
                static_cast<unsigned long long>(load64(session_.nonce())));
  std::string out(prefix, std::min<std::size_t>(n, 32));
  // Words of a small alphabet: zstd shrinks them to well under half.
  while (out.size() < n) {
    const std::uint64_t word = splitmix(state);
    out += static_cast<char>('a' + word % 8);
    if (word % 7 == 0 && out.size() < n) out += ' ';
  }
  out.resize(n);
  return out;
}

std::string Context::uuid() {
  std::string raw = unique_bytes(16);
  std::uint64_t state = load64(raw) ^ Clock::now().time_since_epoch().count();
  for (char& c : raw) c = static_cast<char>(c ^ (splitmix(state) & 0xff));
  raw[6] = static_cast<char>((raw[6] & 0x0f) | 0x40);  // version 4
  raw[8] = static_cast<char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(raw[i]));
    out += hex;
  }
  return out;
}

reapi::Digest Context::absent_digest(std::int64_t size) {
  // The hash of unique bytes that are never uploaded: no server holds it.
  reapi::Digest d = digest_of(unique_bytes(32) + "absent");
  d.size_bytes = size;
  return d;
}

reapi::Digest Context::digest_of(std::string_view data) const {
  return reapi::digest_of(function(), data);
}

void Context::warn(std::string message) {
  std::lock_guard lock(mutex_);
  if (warning_.empty()) warning_ = std::move(message);
}

std::optional<Level> Context::take_failing_at() {
  std::optional<Level> level = failing_at_;
  failing_at_.reset();
  return level;
}

}  // namespace conformance
