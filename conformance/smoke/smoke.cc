#include "smoke.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "reapi/resource_name.h"
#include "reapi/status.h"

namespace smoke {

bool ServerFacts::advertises(reapi::Compressor c) const {
  return std::find(compressors.begin(), compressors.end(), c) != compressors.end();
}

Expect& Expect::that(bool ok, std::string failure) {
  if (!ok) failures_.push_back(std::move(failure));
  return *this;
}

Expect& Expect::code(const grpc::Status& status, grpc::StatusCode wanted) {
  return that(status.error_code() == wanted, "status " + reapi::code_name(wanted));
}

namespace {

// Server messages can be long (stack traces, HTML from proxies); one line stays readable.
std::string clipped(std::string text, std::size_t limit = 160) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

}  // namespace

void Report::call(std::string_view rpc, std::string_view sent, const grpc::Status& status,
                  std::string_view got, const Expect& expect) {
  std::string line = expect.met() ? "PASS " : "FAIL ";
  line += rpc;
  line += "  sent: ";
  line += sent;
  line += " -> " + reapi::code_name(status.error_code());
  if (!status.ok() && !status.error_message().empty() &&
      status.error_message() != reapi::code_name(status.error_code())) {
    line += " (" + clipped(status.error_message()) + ")";
  }
  if (!got.empty()) {
    line += "; got: ";
    line += got;
  }
  if (!expect.met()) {
    line += "; EXPECTED:";
    for (const std::string& f : expect.failures()) line += " [" + f + "]";
  }
  std::cout << line << std::endl;
  (expect.met() ? passed_ : failed_)++;
}

void Report::skip(std::string_view rpc, std::string_view why) {
  std::cout << "SKIP " << rpc << "  skipped (" << why << ")" << std::endl;
}

void Report::summary() const {
  std::cout << passed_ << " passed, " << failed_ << " failed" << std::endl;
}

RandomData::RandomData() {
  // Several words from the OS so two runs started at once still differ.
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device(), device(), device()};
  engine_.seed(seed);
}

std::string RandomData::bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t i = 0;
  while (i < n) {
    std::uint64_t word = engine_();
    for (int b = 0; b < 8 && i < n; ++b, ++i, word >>= 8) out[i] = static_cast<char>(word & 0xff);
  }
  return out;
}

std::string RandomData::letters(std::size_t n) {
  std::uniform_int_distribution<int> letter('a', 'z');
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(letter(engine_));
  return out;
}

std::string RandomData::uuid() {
  std::string raw = bytes(16);
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

std::int64_t RandomData::between(std::int64_t low, std::int64_t high) {
  return std::uniform_int_distribution<std::int64_t>(low, high)(engine_);
}

Smoke::Smoke(reapi::Target t)
    : target(std::move(t)),
      capabilities(v2::Capabilities::NewStub(target.channel())),
      cas(v2::ContentAddressableStorage::NewStub(target.channel())),
      action_cache(v2::ActionCache::NewStub(target.channel())),
      bytestream(google::bytestream::ByteStream::NewStub(target.channel())) {}

reapi::Digest Smoke::digest(std::string_view data) const {
  return reapi::digest_of(function, data);
}

v2::Digest Smoke::digest_proto(std::string_view data) const {
  return reapi::to_proto(digest(data));
}

v2::DigestFunction::Value Smoke::function_proto() const {
  return static_cast<v2::DigestFunction::Value>(static_cast<int>(function));
}

namespace {

reapi::BlobResourceName blob_name(const Smoke& s, const reapi::Digest& digest,
                                  reapi::Compressor c) {
  reapi::BlobResourceName name;
  name.instance_name = s.instance();
  name.compressor = c;
  // The function is spelled out only where it cannot be inferred from the hash length.
  if (!reapi::is_inferred_from_length(s.function)) name.digest_function = s.function;
  name.digest = digest;
  return name;
}

}  // namespace

std::string Smoke::read_name(const reapi::Digest& digest, reapi::Compressor c) const {
  return reapi::format_read_resource_name(blob_name(*this, digest, c));
}

std::string Smoke::write_name(const reapi::Digest& digest, reapi::Compressor c) {
  reapi::BlobResourceName name = blob_name(*this, digest, c);
  name.upload_id = random.uuid();
  return reapi::format_write_resource_name(name);
}

std::size_t Smoke::chunk_size() const {
  // Leave room for the resource name and framing under the message limit.
  const std::int64_t limit = std::max<std::int64_t>(target.max_message_size() - (16 << 10), 1024);
  return static_cast<std::size_t>(std::min<std::int64_t>(1 << 20, limit));
}

std::string brief(const reapi::Digest& digest) {
  return digest.hash.substr(0, 12) + "../" + std::to_string(digest.size_bytes);
}

std::string brief(const v2::Digest& digest) { return brief(reapi::from_proto(digest)); }

std::string brief_name(std::string_view resource_name) {
  std::string out;
  std::size_t start = 0;
  while (start <= resource_name.size()) {
    std::size_t end = resource_name.find('/', start);
    if (end == std::string_view::npos) end = resource_name.size();
    const std::string_view segment = resource_name.substr(start, end - start);
    const bool is_hash = segment.size() >= 32 &&
                         segment.find_first_not_of("0123456789abcdef") == std::string_view::npos;
    if (start > 0) out += '/';
    out += is_hash ? std::string(segment.substr(0, 12)) + ".." : std::string(segment);
    start = end + 1;
  }
  return out;
}

std::string size_text(std::int64_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < (1 << 20)) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  return text;
}

std::string messages_text(int messages) {
  return std::to_string(messages) + " message" + (messages == 1 ? "" : "s");
}

}  // namespace smoke
