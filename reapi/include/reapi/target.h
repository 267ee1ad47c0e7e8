#pragma once
// A target: everything a tool needs to reach a server by address. One option set, added to
// every binary of the project by add_target_options(), so they all accept it the same way:
//   --target grpc://host:port | grpcs://host:port | unix:/path
//   --instance NAME   --header 'name: value' (repeatable)   --deadline SECONDS
//   --max-message-size SIZE   --tls-ca-file / --tls-cert-file / --tls-key-file / --tls-server-name

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace reapi {

struct TargetOptions {
  std::string address;
  std::string instance_name;
  std::vector<std::string> headers;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
  std::string max_message_size = "4MiB";
  double deadline_seconds = 60;
};

// Adds the target options to `app`, storing into `options` (which must outlive parsing).
void add_target_options(CLI::App& app, TargetOptions& options);

// The parsed form of an address.
struct Endpoint {
  enum class Transport { insecure, tls, unix_socket };
  Transport transport = Transport::insecure;
  // What grpc::CreateChannel takes: "host:port" or "unix:/path".
  std::string grpc_target;
};
absl::StatusOr<Endpoint> parse_target_address(std::string_view address);

// "name: value" -> {name, value}; names are lowercased, as gRPC requires.
absl::StatusOr<std::pair<std::string, std::string>> parse_header(std::string_view header);

class Target {
 public:
  // Validates the options and creates the channel (lazily connected, as gRPC channels are).
  static absl::StatusOr<Target> connect(const TargetOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& instance_name() const { return instance_name_; }
  std::chrono::milliseconds deadline() const { return deadline_; }
  std::int64_t max_message_size() const { return max_message_size_; }
  const std::string& address() const { return address_; }

  // Applies the default deadline and the extra headers to a fresh context.
  void prepare(grpc::ClientContext& context) const;
  // Same, with a deadline of its own for calls that need longer (large transfers).
  void prepare(grpc::ClientContext& context, std::chrono::milliseconds deadline) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string address_;
  std::string instance_name_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::chrono::milliseconds deadline_{60000};
  std::int64_t max_message_size_ = 0;
};

}  // namespace reapi
