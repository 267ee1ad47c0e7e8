// The gRPC services as generated from our .proto files: method paths, request/response
// types and streaming kinds (wire.md sections 0 and 1). Paths are checked twice: in the
// service descriptors, and on the wire by calling each generated stub against an in-process
// server that answers every call with the path it received.

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "google/bytestream/bytestream.grpc.pb.h"

namespace {

namespace v2 = build::bazel::remote::execution::v2;
namespace bs = google::bytestream;

struct Method {
  std::string service;
  std::string name;
  std::string request;
  std::string response;
  bool client_streaming;
  bool server_streaming;
};

const std::string kV2 = "build.bazel.remote.execution.v2.";

// wire.md section 1, typed in by hand.
const std::vector<Method>& expected_methods() {
  static const std::vector<Method> kMethods{
      {kV2 + "ContentAddressableStorage", "FindMissingBlobs", kV2 + "FindMissingBlobsRequest",
       kV2 + "FindMissingBlobsResponse", false, false},
      {kV2 + "ContentAddressableStorage", "BatchUpdateBlobs", kV2 + "BatchUpdateBlobsRequest",
       kV2 + "BatchUpdateBlobsResponse", false, false},
      {kV2 + "ContentAddressableStorage", "BatchReadBlobs", kV2 + "BatchReadBlobsRequest",
       kV2 + "BatchReadBlobsResponse", false, false},
      {kV2 + "ContentAddressableStorage", "GetTree", kV2 + "GetTreeRequest",
       kV2 + "GetTreeResponse", false, true},
      {kV2 + "ContentAddressableStorage", "SplitBlob", kV2 + "SplitBlobRequest",
       kV2 + "SplitBlobResponse", false, false},
      {kV2 + "ContentAddressableStorage", "SpliceBlob", kV2 + "SpliceBlobRequest",
       kV2 + "SpliceBlobResponse", false, false},
      {kV2 + "ActionCache", "GetActionResult", kV2 + "GetActionResultRequest", kV2 + "ActionResult",
       false, false},
      {kV2 + "ActionCache", "UpdateActionResult", kV2 + "UpdateActionResultRequest",
       kV2 + "ActionResult", false, false},
      {kV2 + "Capabilities", "GetCapabilities", kV2 + "GetCapabilitiesRequest",
       kV2 + "ServerCapabilities", false, false},
      {"google.bytestream.ByteStream", "Read", "google.bytestream.ReadRequest",
       "google.bytestream.ReadResponse", false, true},
      {"google.bytestream.ByteStream", "Write", "google.bytestream.WriteRequest",
       "google.bytestream.WriteResponse", true, false},
      {"google.bytestream.ByteStream", "QueryWriteStatus",
       "google.bytestream.QueryWriteStatusRequest", "google.bytestream.QueryWriteStatusResponse",
       false, false},
  };
  return kMethods;
}

std::string path_of(const Method& m) { return "/" + m.service + "/" + m.name; }

TEST(ServiceDescriptors, MethodsTypesAndStreaming) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const Method& m : expected_methods()) {
    SCOPED_TRACE(path_of(m));
    const auto* service = pool->FindServiceByName(m.service);
    ASSERT_NE(service, nullptr);
    const auto* method = service->FindMethodByName(m.name);
    ASSERT_NE(method, nullptr);
    EXPECT_EQ("/" + method->service()->full_name() + "/" + method->name(), path_of(m));
    EXPECT_EQ(method->input_type()->full_name(), m.request);
    EXPECT_EQ(method->output_type()->full_name(), m.response);
    EXPECT_EQ(method->client_streaming(), m.client_streaming);
    EXPECT_EQ(method->server_streaming(), m.server_streaming);
  }
}

TEST(ServiceDescriptors, NoExtraMethods) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : {"ContentAddressableStorage", "ActionCache", "Capabilities"}) {
    int expected = 0;
    for (const Method& m : expected_methods()) expected += m.service == kV2 + name ? 1 : 0;
    EXPECT_EQ(pool->FindServiceByName(kV2 + name)->method_count(), expected) << name;
  }
  EXPECT_EQ(pool->FindServiceByName("google.bytestream.ByteStream")->method_count(), 3);
}

// Answers every call with UNIMPLEMENTED and, as the message, the method path it was called
// with. The service owns its reactors; the server is shut down before the service goes.
class PathEchoService : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    std::lock_guard lock(mu_);
    reactors_.push_back(std::make_unique<Reactor>(ctx->method()));
    return reactors_.back().get();
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(const std::string& path) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, path));
    }
    void OnDone() override {}
  };
  std::mutex mu_;
  std::vector<std::unique_ptr<Reactor>> reactors_;
};

class GeneratedStubs : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // The path the server saw for a call made through a generated stub.
  static std::string path_seen(const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
    return status.error_message();
  }

  PathEchoService service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(GeneratedStubs, ContentAddressableStorage) {
  auto stub = v2::ContentAddressableStorage::NewStub(channel_);
  const std::string cas = "/build.bazel.remote.execution.v2.ContentAddressableStorage/";
  {
    grpc::ClientContext ctx;
    v2::FindMissingBlobsResponse resp;
    EXPECT_EQ(path_seen(stub->FindMissingBlobs(&ctx, {}, &resp)), cas + "FindMissingBlobs");
  }
  {
    grpc::ClientContext ctx;
    v2::BatchUpdateBlobsResponse resp;
    EXPECT_EQ(path_seen(stub->BatchUpdateBlobs(&ctx, {}, &resp)), cas + "BatchUpdateBlobs");
  }
  {
    grpc::ClientContext ctx;
    v2::BatchReadBlobsResponse resp;
    EXPECT_EQ(path_seen(stub->BatchReadBlobs(&ctx, {}, &resp)), cas + "BatchReadBlobs");
  }
  {
    grpc::ClientContext ctx;
    auto reader = stub->GetTree(&ctx, {});
    v2::GetTreeResponse resp;
    while (reader->Read(&resp)) {
    }
    EXPECT_EQ(path_seen(reader->Finish()), cas + "GetTree");
  }
  {
    grpc::ClientContext ctx;
    v2::SplitBlobResponse resp;
    EXPECT_EQ(path_seen(stub->SplitBlob(&ctx, {}, &resp)), cas + "SplitBlob");
  }
  {
    grpc::ClientContext ctx;
    v2::SpliceBlobResponse resp;
    EXPECT_EQ(path_seen(stub->SpliceBlob(&ctx, {}, &resp)), cas + "SpliceBlob");
  }
}

TEST_F(GeneratedStubs, ActionCacheAndCapabilities) {
  auto ac = v2::ActionCache::NewStub(channel_);
  const std::string prefix = "/build.bazel.remote.execution.v2.";
  {
    grpc::ClientContext ctx;
    v2::ActionResult resp;
    EXPECT_EQ(path_seen(ac->GetActionResult(&ctx, {}, &resp)),
              prefix + "ActionCache/GetActionResult");
  }
  {
    grpc::ClientContext ctx;
    v2::ActionResult resp;
    EXPECT_EQ(path_seen(ac->UpdateActionResult(&ctx, {}, &resp)),
              prefix + "ActionCache/UpdateActionResult");
  }
  auto caps = v2::Capabilities::NewStub(channel_);
  grpc::ClientContext ctx;
  v2::ServerCapabilities resp;
  EXPECT_EQ(path_seen(caps->GetCapabilities(&ctx, {}, &resp)),
            prefix + "Capabilities/GetCapabilities");
}

TEST_F(GeneratedStubs, ByteStream) {
  auto stub = bs::ByteStream::NewStub(channel_);
  {
    grpc::ClientContext ctx;
    auto reader = stub->Read(&ctx, {});
    bs::ReadResponse resp;
    while (reader->Read(&resp)) {
    }
    EXPECT_EQ(path_seen(reader->Finish()), "/google.bytestream.ByteStream/Read");
  }
  {
    grpc::ClientContext ctx;
    bs::WriteResponse resp;
    auto writer = stub->Write(&ctx, &resp);
    writer->WritesDone();
    EXPECT_EQ(path_seen(writer->Finish()), "/google.bytestream.ByteStream/Write");
  }
  {
    grpc::ClientContext ctx;
    bs::QueryWriteStatusResponse resp;
    EXPECT_EQ(path_seen(stub->QueryWriteStatus(&ctx, {}, &resp)),
              "/google.bytestream.ByteStream/QueryWriteStatus");
  }
}

}  // namespace
