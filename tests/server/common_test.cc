// Rules shared by every service (shared/reapi/common.md): metadata headers, instance names
// on every RPC, and configurations the server refuses to start with.

#include <google/protobuf/util/message_differencer.h>

#include "server_fixture.h"
#include "storage/storage_spec.h"

namespace reference::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr char kRequestMetadata[] = "build.bazel.remote.execution.v2.requestmetadata-bin";
constexpr char kResourceName[] = "build.bazel.remote.execution.v2.resource-name";

class CommonTest : public ServerTest {
 protected:
  // A context carrying a well-formed RequestMetadata header (COM-14), or none.
  static std::unique_ptr<grpc::ClientContext> context_with(bool metadata) {
    auto ctx = context();
    if (metadata) {
      v2::RequestMetadata m;
      m.mutable_tool_details()->set_tool_name("server-test");
      m.mutable_tool_details()->set_tool_version("1");
      m.set_action_id("action-1");
      m.set_tool_invocation_id("invocation-1");
      m.set_correlated_invocations_id("build-1");
      m.set_action_mnemonic("CppCompile");
      m.set_target_id("//a:b");
      ctx->AddMetadata(kRequestMetadata, m.SerializeAsString());
    }
    return ctx;
  }
};

// COM-14: every RPC answers the same with and without a RequestMetadata header.
TEST_P(CommonTest, RequestMetadataHeaderIsAccepted) {
  const Blob blob = make_blob("metadata blob");
  const Blob written = make_blob("metadata write");
  const v2::Digest action = make_blob("metadata action").digest;
  v2::Directory dir;
  dir.add_files()->set_name("f");
  *dir.mutable_files(0)->mutable_digest() = blob.digest;
  const Blob dir_blob = make_blob(dir.SerializeAsString());
  for (bool metadata : {true, false}) {
    SCOPED_TRACE(metadata);
    {
      v2::GetCapabilitiesRequest request;
      v2::ServerCapabilities response;
      EXPECT_TRUE(
          has_code(capabilities().GetCapabilities(context_with(metadata).get(), request, &response),
                   grpc::StatusCode::OK));
      EXPECT_TRUE(response.has_cache_capabilities());
    }
    {
      v2::BatchUpdateBlobsRequest request;
      for (const Blob* b : {&blob, &dir_blob}) {
        auto* e = request.add_requests();
        *e->mutable_digest() = b->digest;
        e->set_data(b->data);
      }
      v2::BatchUpdateBlobsResponse response;
      EXPECT_TRUE(has_code(cas().BatchUpdateBlobs(context_with(metadata).get(), request, &response),
                           grpc::StatusCode::OK));
      ASSERT_EQ(response.responses_size(), 2);
      EXPECT_EQ(response.responses(0).status().code(), 0);
    }
    {
      v2::FindMissingBlobsRequest request;
      *request.add_blob_digests() = blob.digest;
      const v2::Digest absent = absent_digest();
      *request.add_blob_digests() = absent;
      v2::FindMissingBlobsResponse response;
      EXPECT_TRUE(has_code(cas().FindMissingBlobs(context_with(metadata).get(), request, &response),
                           grpc::StatusCode::OK));
      ASSERT_EQ(response.missing_blob_digests_size(), 1);
      EXPECT_EQ(response.missing_blob_digests(0).hash(), absent.hash());
    }
    {
      v2::BatchReadBlobsRequest request;
      *request.add_digests() = blob.digest;
      v2::BatchReadBlobsResponse response;
      EXPECT_TRUE(has_code(cas().BatchReadBlobs(context_with(metadata).get(), request, &response),
                           grpc::StatusCode::OK));
      ASSERT_EQ(response.responses_size(), 1);
      EXPECT_EQ(response.responses(0).data(), blob.data);
    }
    {
      v2::GetTreeRequest request;
      *request.mutable_root_digest() = dir_blob.digest;
      auto ctx = context_with(metadata);
      auto reader = cas().GetTree(ctx.get(), request);
      v2::GetTreeResponse response;
      int directories = 0;
      while (reader->Read(&response)) directories += response.directories_size();
      EXPECT_TRUE(has_code(reader->Finish(), grpc::StatusCode::OK));
      EXPECT_EQ(directories, 1);
    }
    {
      bs::ReadRequest request;
      request.set_resource_name(read_name(blob.digest));
      auto ctx = context_with(metadata);
      auto reader = bytestream().Read(ctx.get(), request);
      bs::ReadResponse response;
      std::string data;
      while (reader->Read(&response)) data += response.data();
      EXPECT_TRUE(has_code(reader->Finish(), grpc::StatusCode::OK));
      EXPECT_EQ(data, blob.data);
    }
    {
      const std::string name = upload_name(written.digest);
      auto ctx = context_with(metadata);
      bs::WriteResponse response;
      auto writer = bytestream().Write(ctx.get(), &response);
      writer->Write(write_request(name, 0, written.data, true));
      writer->WritesDone();
      EXPECT_TRUE(has_code(writer->Finish(), grpc::StatusCode::OK));
      EXPECT_EQ(response.committed_size(), written.digest.size_bytes());
      bs::QueryWriteStatusRequest query;
      query.set_resource_name(name);
      bs::QueryWriteStatusResponse status;
      EXPECT_TRUE(
          has_code(bytestream().QueryWriteStatus(context_with(metadata).get(), query, &status),
                   grpc::StatusCode::OK));
      EXPECT_TRUE(status.complete());
    }
    {
      v2::UpdateActionResultRequest update;
      *update.mutable_action_digest() = action;
      update.mutable_action_result()->set_exit_code(metadata ? 1 : 2);
      v2::ActionResult stored;
      EXPECT_TRUE(
          has_code(action_cache().UpdateActionResult(context_with(metadata).get(), update, &stored),
                   grpc::StatusCode::OK));
      v2::GetActionResultRequest get;
      *get.mutable_action_digest() = action;
      v2::ActionResult fetched;
      EXPECT_TRUE(
          has_code(action_cache().GetActionResult(context_with(metadata).get(), get, &fetched),
                   grpc::StatusCode::OK));
      EXPECT_EQ(fetched.exit_code(), metadata ? 1 : 2);
    }
  }
}

// COM-15: a resource-name header equal to the request's name is served normally.
TEST_P(CommonTest, ResourceNameHeaderIsAccepted) {
  const Blob blob = make_blob("resource name header");
  const std::string upload = upload_name(blob.digest);
  {
    auto ctx = context();
    ctx->AddMetadata(kResourceName, upload);
    bs::WriteResponse response;
    auto writer = bytestream().Write(ctx.get(), &response);
    writer->Write(write_request(upload, 0, blob.data, true));
    writer->WritesDone();
    EXPECT_TRUE(has_code(writer->Finish(), grpc::StatusCode::OK));
  }
  {
    auto ctx = context();
    ctx->AddMetadata(kResourceName, read_name(blob.digest));
    bs::ReadRequest request;
    request.set_resource_name(read_name(blob.digest));
    auto reader = bytestream().Read(ctx.get(), request);
    bs::ReadResponse response;
    std::string data;
    while (reader->Read(&response)) data += response.data();
    EXPECT_TRUE(has_code(reader->Finish(), grpc::StatusCode::OK));
    EXPECT_EQ(data, blob.data);
  }
}

// COM-11, COM-12, COM-13: every RPC of every service refuses an instance the server does not
// serve, and one with a reserved word, with INVALID_ARGUMENT.
TEST_P(CommonTest, UnknownInstanceOnEveryService) {
  const Blob blob = make_blob("instance check");
  ASSERT_TRUE(upload({blob}));
  for (const std::string instance : {"unknown", "a", "a/b/c", "blobs", "a/uploads"}) {
    SCOPED_TRACE(instance);
    const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
    v2::ServerCapabilities caps;
    EXPECT_TRUE(has_code(get_capabilities(instance, caps), invalid));
    std::vector<v2::Digest> missing;
    EXPECT_TRUE(has_code(find_missing({blob.digest}, missing, instance), invalid));
    {
      v2::BatchUpdateBlobsRequest request;
      request.set_instance_name(instance);
      auto* e = request.add_requests();
      *e->mutable_digest() = blob.digest;
      e->set_data(blob.data);
      v2::BatchUpdateBlobsResponse response;
      EXPECT_TRUE(has_code(batch_update(request, response), invalid));
    }
    {
      v2::BatchReadBlobsRequest request;
      request.set_instance_name(instance);
      *request.add_digests() = blob.digest;
      v2::BatchReadBlobsResponse response;
      EXPECT_TRUE(has_code(batch_read(request, response), invalid));
    }
    EXPECT_TRUE(has_code(get_tree(blob.digest, 0, "", instance).status, invalid));
    // In resource names a reserved word ends the instance part, which makes the rest of
    // the name malformed: INVALID_ARGUMENT as well.
    EXPECT_TRUE(has_code(read(read_name(blob.digest, instance)).status, invalid));
    EXPECT_TRUE(has_code(
        write({write_request(upload_name(blob.digest, instance), 0, blob.data, true)}).status,
        invalid));
    bs::QueryWriteStatusResponse qws;
    EXPECT_TRUE(has_code(query_write_status(upload_name(blob.digest, instance), qws), invalid));
    {
      v2::GetActionResultRequest request;
      request.set_instance_name(instance);
      *request.mutable_action_digest() = blob.digest;
      v2::ActionResult result;
      EXPECT_TRUE(
          has_code(action_cache().GetActionResult(context().get(), request, &result), invalid));
      v2::UpdateActionResultRequest update;
      update.set_instance_name(instance);
      *update.mutable_action_digest() = blob.digest;
      update.mutable_action_result()->set_exit_code(1);
      EXPECT_TRUE(
          has_code(action_cache().UpdateActionResult(context().get(), update, &result), invalid));
    }
  }
}

// COM-12 and configuration checks: the server refuses to start with reserved or malformed
// instance names, digest functions it cannot hash, no listen address, or a batch limit
// without room for framing under the gRPC receive limit.
TEST_P(CommonTest, InvalidConfigurationsAreRefused) {
  std::vector<ServerConfig> bad;
  for (const std::vector<std::string>& instances :
       std::vector<std::vector<std::string>>{{"blobs"},
                                             {"ok", "x/compressed-blobs"},
                                             {"a//b"},
                                             {"/a"},
                                             {"a/"},
                                             {"actionResults"},
                                             {}}) {
    ServerConfig c = default_config();
    c.instances = instances;
    bad.push_back(c);
  }
  {
    ServerConfig c = default_config();
    c.digest_functions = {reapi::DigestFunction::blake3};
    bad.push_back(c);
    c.digest_functions = {};
    bad.push_back(c);
  }
  {
    ServerConfig c = default_config();
    c.listen = {};
    bad.push_back(c);
  }
  {
    ServerConfig c = default_config();
    c.max_receive_message_size = c.max_batch_total_size_bytes + 1000;
    bad.push_back(c);
    c = default_config();
    c.max_batch_total_size_bytes = 0;
    bad.push_back(c);
  }
  for (std::size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    auto storage = open_storage("memory:1MiB");
    ASSERT_TRUE(storage.ok());
    auto server = ReferenceServer::start(bad[i], *std::move(storage));
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument)
        << server.status().message();
  }
}

// An address that cannot be bound is UNAVAILABLE.
TEST_P(CommonTest, UnbindableAddressIsUnavailable) {
  ServerConfig c = default_config();
  c.listen = {"203.0.113.1:0"};  // TEST-NET-3: not an address of this machine
  auto storage = open_storage("memory:1MiB");
  ASSERT_TRUE(storage.ok());
  auto server = ReferenceServer::start(c, *std::move(storage));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable) << server.status().message();
}

INSTANTIATE_ON_BOTH_BACKENDS(CommonTest);

}  // namespace
}  // namespace reference::testing
