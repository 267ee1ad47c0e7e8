// Status conversions between absl::Status, grpc::Status and google.rpc.Status keep the code
// number and the message (common.md 1.2: the three share one numbering).

#include "reapi/status.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace reapi {
namespace {

// common.md 1.2, typed in by hand.
constexpr std::array<const char*, 17> kCodeNames{
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

TEST(StatusConversion, EveryCodeSurvivesBothWireForms) {
  for (int code = 1; code <= 16; ++code) {
    SCOPED_TRACE(kCodeNames[code]);
    const absl::Status original(static_cast<absl::StatusCode>(code), "why it failed");

    const grpc::Status g = to_grpc(original);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(g.error_message(), "why it failed");
    EXPECT_EQ(from_grpc(g), original);

    const google::rpc::Status r = to_rpc_status(original);
    EXPECT_EQ(r.code(), code);
    EXPECT_EQ(r.message(), "why it failed");
    EXPECT_EQ(r.details_size(), 0);
    EXPECT_EQ(from_rpc_status(r), original);
  }
}

TEST(StatusConversion, Ok) {
  EXPECT_TRUE(to_grpc(absl::OkStatus()).ok());
  EXPECT_TRUE(from_grpc(grpc::Status::OK).ok());
  const auto r = to_rpc_status(absl::OkStatus());
  EXPECT_EQ(r.code(), 0);
  EXPECT_EQ(r.message(), "");
  EXPECT_TRUE(from_rpc_status(google::rpc::Status()).ok());
}

TEST(StatusConversion, NamedCodesMatchGrpc) {
  EXPECT_EQ(to_grpc(absl::InvalidArgumentError("x")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(to_grpc(absl::NotFoundError("x")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(to_grpc(absl::OutOfRangeError("x")).error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(from_grpc(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "big")),
            absl::ResourceExhaustedError("big"));
  EXPECT_EQ(from_grpc(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who")),
            absl::UnauthenticatedError("who"));
}

TEST(StatusConversion, BinaryMessageBytesSurvive) {
  const std::string message("nul\0byte \xff", 10);
  const absl::Status s = absl::DataLossError(message);
  EXPECT_EQ(to_rpc_status(s).message(), message);
  EXPECT_EQ(to_grpc(s).error_message(), message);
}

TEST(CodeName, AllNamesAndOutOfRange) {
  for (int code = 0; code <= 16; ++code) EXPECT_EQ(code_name(code), kCodeNames[code]);
  EXPECT_EQ(code_name(17), "CODE_17");
  EXPECT_EQ(code_name(-1), "CODE_-1");
}

}  // namespace
}  // namespace reapi
