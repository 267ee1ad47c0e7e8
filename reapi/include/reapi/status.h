#pragma once
// Conversions between absl::Status (used inside the project) and the two forms a status
// takes on the wire: a gRPC call status and a google.rpc.Status inside batch responses.

#include <absl/status/status.h>
#include <grpcpp/support/status.h>

#include "google/rpc/status.pb.h"

namespace reapi {

grpc::Status to_grpc(const absl::Status& status);
absl::Status from_grpc(const grpc::Status& status);
google::rpc::Status to_rpc_status(const absl::Status& status);
absl::Status from_rpc_status(const google::rpc::Status& status);
// Upper-case code name, e.g. "NOT_FOUND", for reports and logs.
std::string code_name(int code);

}  // namespace reapi
