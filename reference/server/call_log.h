#pragma once
// One place that turns a refused or failed call into its gRPC status and a log line with
// the reason, so every error a client sees is also in the server's log.

#include <absl/status/status.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/callback_common.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <string_view>

namespace reference {

// Logs `status` (when not OK) for `method` and returns it as a gRPC status.
grpc::Status answer(std::string_view method, const absl::Status& status);
// Ends a unary callback call with `status` (logged as answer() does).
grpc::ServerUnaryReactor* finish_unary(grpc::CallbackServerContext* context,
                                       std::string_view method, const absl::Status& status);

}  // namespace reference
