// Fuzzes the command-line parsers every tool shares: byte sizes, target addresses and
// extra headers. Each input goes to all three; whatever one accepts must be well formed and
// stable when formatted and parsed again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "reapi/byte_size.h"
#include "reapi/target.h"

namespace {

void check_byte_size(std::string_view text) {
  const auto bytes = reapi::parse_byte_size(text);
  if (!bytes.ok()) {
    FUZZ_CHECK(bytes.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(*bytes >= 0);
  const auto again = reapi::parse_byte_size(reapi::format_byte_size(*bytes));
  FUZZ_CHECK(again.ok() && *again == *bytes);
}

void check_target(std::string_view text) {
  const auto endpoint = reapi::parse_target_address(text);
  if (!endpoint.ok()) {
    FUZZ_CHECK(endpoint.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  const std::string& target = endpoint->grpc_target;
  using Transport = reapi::Endpoint::Transport;
  if (endpoint->transport == Transport::unix_socket) {
    FUZZ_CHECK(target.starts_with("unix:/"));
    return;
  }
  // HOST:PORT with a non-empty host, a port of 0-65535 and no path.
  const auto colon = target.rfind(':');
  FUZZ_CHECK(colon != std::string::npos && colon > 0);
  FUZZ_CHECK(target.find('/') == std::string::npos);
  const std::string port = target.substr(colon + 1);
  FUZZ_CHECK(!port.empty() && port.size() <= 5);
  for (char c : port) FUZZ_CHECK(c >= '0' && c <= '9');
  FUZZ_CHECK(std::stoi(port) <= 65535);
  const std::string scheme = endpoint->transport == Transport::tls ? "grpcs://" : "grpc://";
  const auto again = reapi::parse_target_address(scheme + target);
  FUZZ_CHECK(again.ok() && again->grpc_target == target && again->transport == endpoint->transport);
}

void check_header(std::string_view text) {
  const auto header = reapi::parse_header(text);
  if (!header.ok()) {
    FUZZ_CHECK(header.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  const auto& [name, value] = *header;
  FUZZ_CHECK(!name.empty());
  for (char c : name) {
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.');
  }
  if (!name.ends_with("-bin")) {
    for (char c : value) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
  }
  const auto again = reapi::parse_header(name + ": " + value);
  FUZZ_CHECK(again.ok() && *again == *header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_byte_size(text);
  check_target(text);
  check_header(text);
  return 0;
}
