#pragma once
// Typed, mutable access to the messages and status of one intercepted call, so each fault
// only says what it changes. Everything it does not change passes through untouched. And
// the plans that install rewriters: plain, sharing state across calls, or with a tap into
// the server's storage.

#include <grpcpp/support/interceptor.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string_view>

#include "fault_plan.h"

namespace faulty {

// Full gRPC method names, as ServerRpcInfo::method() reports them.
namespace method {
inline constexpr std::string_view kGetCapabilities =
    "/build.bazel.remote.execution.v2.Capabilities/GetCapabilities";
inline constexpr std::string_view kFindMissingBlobs =
    "/build.bazel.remote.execution.v2.ContentAddressableStorage/FindMissingBlobs";
inline constexpr std::string_view kBatchUpdateBlobs =
    "/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchUpdateBlobs";
inline constexpr std::string_view kBatchReadBlobs =
    "/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchReadBlobs";
inline constexpr std::string_view kGetTree =
    "/build.bazel.remote.execution.v2.ContentAddressableStorage/GetTree";
inline constexpr std::string_view kSplitBlob =
    "/build.bazel.remote.execution.v2.ContentAddressableStorage/SplitBlob";
inline constexpr std::string_view kSpliceBlob =
    "/build.bazel.remote.execution.v2.ContentAddressableStorage/SpliceBlob";
inline constexpr std::string_view kGetActionResult =
    "/build.bazel.remote.execution.v2.ActionCache/GetActionResult";
inline constexpr std::string_view kUpdateActionResult =
    "/build.bazel.remote.execution.v2.ActionCache/UpdateActionResult";
inline constexpr std::string_view kRead = "/google.bytestream.ByteStream/Read";
inline constexpr std::string_view kWrite = "/google.bytestream.ByteStream/Write";
inline constexpr std::string_view kQueryWriteStatus =
    "/google.bytestream.ByteStream/QueryWriteStatus";
}  // namespace method

inline bool is_method(const grpc::experimental::ServerRpcInfo& info, std::string_view name) {
  return std::string_view(info.method()) == name;
}

// Base of the per-call interceptors of the message-rewriting faults. Request and Response
// are the method's message types (the caller picks the interceptor by method name).
template <class Request, class Response>
class CallRewriter : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) final {
    using Point = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Point::POST_RECV_MESSAGE)) {
      // nullptr at the end of a client stream.
      if (void* message = methods->GetRecvMessage()) on_request(*static_cast<Request*>(message));
    }
    if (methods->QueryInterceptionHookPoint(Point::PRE_SEND_MESSAGE)) {
      // nullptr if the service sent pre-serialized bytes (the reference never does).
      if (const void* message = methods->GetSendMessage()) {
        // The original belongs to the service; the edited copy must outlive this batch,
        // which serializes it once every interceptor has proceeded.
        auto copy = std::make_unique<Response>(*static_cast<const Response*>(message));
        if (on_response(*copy)) {
          methods->ModifySendMessage(copy.get());
          sent_ = std::move(copy);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(Point::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (on_status(status)) methods->ModifySendStatus(status);
    }
    methods->Proceed();
  }

 protected:
  // Each received request message, before the service sees it; edit in place.
  virtual void on_request(Request&) {}
  // Each response message, as a copy; return true to send the edited copy instead.
  virtual bool on_response(Response&) { return false; }
  // The final status; return true to send the edited one instead.
  virtual bool on_status(grpc::Status&) { return false; }

 private:
  std::unique_ptr<Response> sent_;
};

// Interceptors for every `name` call, each a T made from a copy of `arg` (typically a
// shared_ptr to the state the fault keeps across calls).
template <class T, class Arg>
FaultPlan::MakeInterceptor per_call(std::string_view name, Arg arg) {
  return [name, arg = std::move(arg)](grpc::experimental::ServerRpcInfo& info)
             -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (!is_method(info, name)) return nullptr;
    return std::make_unique<T>(arg);
  };
}

// The server's storage, for faults whose bug depends on what it holds: filled in as the
// server opens it, valid for as long as the server serves calls.
struct StorageTap {
  reference::Storage* storage = nullptr;
};

// A plan whose interceptors of `name` calls, each a T made with the tap, see the server's
// storage (left as it was opened).
template <class T>
FaultPlan tapped(std::string_view name) {
  auto tap = std::make_shared<StorageTap>();
  FaultPlan plan;
  plan.interceptor = per_call<T>(name, tap);
  plan.wrap_storage = [tap](std::unique_ptr<reference::Storage> storage) {
    tap->storage = storage.get();
    return storage;
  };
  return plan;
}

// A plan with a fresh T intercepting every `name` call.
template <class T>
FaultPlan intercept(std::string_view name) {
  FaultPlan plan;
  plan.interceptor = [name](grpc::experimental::ServerRpcInfo& info) {
    return is_method(info, name) ? std::make_unique<T>() : nullptr;
  };
  return plan;
}

}  // namespace faulty
