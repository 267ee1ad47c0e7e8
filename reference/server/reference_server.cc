#include "server/reference_server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

namespace reference {

ReferenceServer::ReferenceServer(const Policy& policy, std::unique_ptr<Storage> storage)
    : policy_(policy),
      storage_(std::move(storage)),
      cas_(*storage_),
      capabilities_(policy_),
      cas_service_(policy_, cas_),
      bytestream_(policy_, cas_),
      action_cache_(policy_, cas_) {}

ReferenceServer::~ReferenceServer() { shutdown(); }

absl::StatusOr<std::unique_ptr<ReferenceServer>> ReferenceServer::start(
    const ServerConfig& config, std::unique_ptr<Storage> storage, const BuilderHook& hook) {
  auto policy = Policy::create(config);
  if (!policy.ok()) return policy.status();
  if (config.listen.empty()) return absl::InvalidArgumentError("no --listen address given");
  auto server = std::make_unique<ReferenceServer>(*policy, std::move(storage));

  grpc::ServerBuilder builder;
  server->ports_.assign(config.listen.size(), 0);
  for (std::size_t i = 0; i < config.listen.size(); ++i) {
    builder.AddListeningPort(config.listen[i], grpc::InsecureServerCredentials(),
                             &server->ports_[i]);
  }
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_receive_message_size));
  builder.SetMaxSendMessageSize(-1);
  builder.RegisterService(&server->capabilities_);
  builder.RegisterService(&server->cas_service_);
  builder.RegisterService(&server->bytestream_);
  builder.RegisterService(&server->action_cache_);
  if (hook) hook(builder);
  server->server_ = builder.BuildAndStart();
  if (!server->server_) {
    return absl::UnavailableError(
        "could not listen on every --listen address (in use, or "
        "not a valid HOST:PORT / unix:/path?)");
  }
  for (std::size_t i = 0; i < config.listen.size(); ++i) {
    if (server->ports_[i] == 0 && config.listen[i].rfind("unix:", 0) != 0) {
      return absl::UnavailableError("could not listen on " + config.listen[i]);
    }
  }
  return server;
}

void ReferenceServer::shutdown(std::chrono::milliseconds grace) {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
}

}  // namespace reference
