#include "reapi/target.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

#include "reapi/byte_size.h"

namespace reapi {
namespace {

absl::StatusOr<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError("cannot read " + std::string(what) + " '" + path + "'");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool valid_header_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool consume_prefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

void add_target_options(CLI::App& app, TargetOptions& o) {
  app.add_option("--target", o.address,
                 "Server to test: grpc://HOST:PORT, grpcs://HOST:PORT (TLS) or unix:/PATH")
      ->required();
  app.add_option("--instance", o.instance_name, "REAPI instance name (default: empty)");
  app.add_option("--header", o.headers,
                 "Extra gRPC metadata sent on every call, 'name: value' (repeatable), "
                 "e.g. --header 'authorization: Bearer TOKEN'");
  app.add_option("--tls-ca-file", o.tls_ca_file,
                 "PEM file of CA certificates to trust (grpcs; default: system roots)");
  app.add_option("--tls-cert-file", o.tls_cert_file, "PEM client certificate for mutual TLS");
  app.add_option("--tls-key-file", o.tls_key_file, "PEM client private key for mutual TLS");
  app.add_option("--tls-server-name", o.tls_server_name,
                 "Name to verify the server certificate against, if not the host in --target");
  app.add_option("--max-message-size", o.max_message_size,
                 "Largest gRPC message to send, e.g. 4MiB (replies of up to "
                 "max(this, 64MiB) are accepted)")
      ->capture_default_str();
  app.add_option("--deadline", o.deadline_seconds, "Deadline of every call, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

absl::StatusOr<Endpoint> parse_target_address(std::string_view address) {
  Endpoint e;
  std::string_view rest = address;
  if (consume_prefix(rest, "grpc://")) {
    e.transport = Endpoint::Transport::insecure;
  } else if (consume_prefix(rest, "grpcs://")) {
    e.transport = Endpoint::Transport::tls;
  } else if (rest.starts_with("unix:")) {
    std::string_view path = rest.substr(5);
    // "unix://name/x" would be read by gRPC as authority "name", which it refuses only when
    // the first call fails; "unix:///abs" (empty authority) is fine.
    const bool has_authority = path.starts_with("//") && !path.starts_with("///");
    if (path.empty() || path.front() != '/' || has_authority) {
      return absl::InvalidArgumentError("target '" + std::string(address) +
                                        "': unix: needs an absolute path, e.g. unix:/run/cas.sock");
    }
    e.transport = Endpoint::Transport::unix_socket;
    e.grpc_target = std::string(rest);
    return e;
  } else {
    return absl::InvalidArgumentError(
        "target '" + std::string(address) +
        "' must start with grpc://, grpcs:// or unix: (e.g. grpc://127.0.0.1:50051)");
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return absl::InvalidArgumentError("target '" + std::string(address) +
                                      "' needs HOST:PORT after the scheme");
  }
  const std::string_view port = rest.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      port.size() > 5 || std::stoi(std::string(port)) > 65535) {
    return absl::InvalidArgumentError("target '" + std::string(address) + "': port '" +
                                      std::string(port) + "' is not a number from 0 to 65535");
  }
  if (rest.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError("target '" + std::string(address) +
                                      "' must not have a path after HOST:PORT");
  }
  e.grpc_target = std::string(rest);
  return e;
}

absl::StatusOr<std::pair<std::string, std::string>> parse_header(std::string_view header) {
  const auto colon = header.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError("header '" + std::string(header) +
                                      "' must look like 'name: value'");
  }
  std::string name(strip(header.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value(strip(header.substr(colon + 1)));
  if (name.empty() || !std::all_of(name.begin(), name.end(), valid_header_name_char) ||
      name.front() == ':') {
    return absl::InvalidArgumentError("header name '" + name +
                                      "' may only hold a-z, 0-9, '-', '_' and '.'");
  }
  if (!name.ends_with("-bin") &&
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return absl::InvalidArgumentError("header '" + name + "' has a non-printable value");
  }
  return std::make_pair(std::move(name), std::move(value));
}

absl::StatusOr<Target> Target::connect(const TargetOptions& o) {
  auto endpoint = parse_target_address(o.address);
  if (!endpoint.ok()) return endpoint.status();
  auto max_message = parse_byte_size(o.max_message_size);
  if (!max_message.ok()) return max_message.status();
  if (*max_message <= 0 || *max_message > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError("--max-message-size must be between 1B and 2GiB");
  }
  if (!(o.deadline_seconds > 0)) return absl::InvalidArgumentError("--deadline must be positive");

  Target t;
  t.address_ = o.address;
  t.instance_name_ = o.instance_name;
  t.max_message_size_ = *max_message;
  t.deadline_ = std::chrono::milliseconds(static_cast<std::int64_t>(o.deadline_seconds * 1000));
  for (const std::string& h : o.headers) {
    auto parsed = parse_header(h);
    if (!parsed.ok()) return parsed.status();
    t.headers_.push_back(*std::move(parsed));
  }

  const bool tls = endpoint->transport == Endpoint::Transport::tls;
  if (!tls && (!o.tls_ca_file.empty() || !o.tls_cert_file.empty() || !o.tls_key_file.empty())) {
    return absl::InvalidArgumentError("TLS files were given but the target is not grpcs://");
  }
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return absl::InvalidArgumentError("mutual TLS needs both --tls-cert-file and --tls-key-file");
  }

  grpc::ChannelArguments args;
  // The limit shapes what we send; how big a server's chunks are is its own choice, so a small
  // --max-message-size must not make us refuse its replies (and blame the server for it).
  constexpr std::int64_t kMinReceiveMessageSize = 64 << 20;
  args.SetMaxReceiveMessageSize(static_cast<int>(std::max(*max_message, kMinReceiveMessageSize)));
  args.SetMaxSendMessageSize(static_cast<int>(*max_message));
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (!o.tls_ca_file.empty()) {
      auto ca = read_file(o.tls_ca_file, "CA file");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
    }
    if (!o.tls_cert_file.empty()) {
      auto cert = read_file(o.tls_cert_file, "client certificate");
      if (!cert.ok()) return cert.status();
      auto key = read_file(o.tls_key_file, "client key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    if (!o.tls_server_name.empty()) args.SetSslTargetNameOverride(o.tls_server_name);
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  t.channel_ = grpc::CreateCustomChannel(endpoint->grpc_target, credentials, args);
  return t;
}

void Target::prepare(grpc::ClientContext& context) const { prepare(context, deadline_); }

void Target::prepare(grpc::ClientContext& context, std::chrono::milliseconds deadline) const {
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  for (const auto& [name, value] : headers_) context.AddMetadata(name, value);
}

}  // namespace reapi
