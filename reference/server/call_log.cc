#include "server/call_log.h"

#include <spdlog/spdlog.h>

#include "reapi/status.h"

namespace reference {

grpc::Status answer(std::string_view method, const absl::Status& status) {
  if (!status.ok()) {
    const auto level = status.code() == absl::StatusCode::kInternal ||
                               status.code() == absl::StatusCode::kDataLoss ||
                               status.code() == absl::StatusCode::kUnknown
                           ? spdlog::level::err
                           : spdlog::level::info;
    spdlog::log(level, "{} refused: {}: {}", method,
                reapi::code_name(static_cast<int>(status.code())), std::string(status.message()));
  }
  return reapi::to_grpc(status);
}

grpc::ServerUnaryReactor* finish_unary(grpc::CallbackServerContext* context,
                                       std::string_view method, const absl::Status& status) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(answer(method, status));
  return reactor;
}

}  // namespace reference
