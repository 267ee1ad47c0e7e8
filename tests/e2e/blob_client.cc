#include "blob_client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include <chrono>

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/resource_name.h"
#include "reapi/status.h"

namespace e2e {
namespace v2 = build::bazel::remote::execution::v2;
using reapi::DigestFunction;

namespace {

void set_deadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
}

std::string upload_id(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id += kHex[rng() % 16];
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-4" + id.substr(13, 3) + "-8" +
         id.substr(17, 3) + "-" + id.substr(20, 12);
}

}  // namespace

std::shared_ptr<grpc::Channel> connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::string random_bytes(std::mt19937_64& rng, std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    const std::uint64_t v = rng();
    for (std::size_t j = 0; j < 8 && i + j < size; ++j)
      out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

absl::Status write_blob(const std::shared_ptr<grpc::Channel>& channel, const std::string& data,
                        std::size_t chunk) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  reapi::BlobResourceName name;
  name.upload_id = upload_id(rng);
  name.digest = reapi::digest_of(DigestFunction::sha256, data);
  auto stub = google::bytestream::ByteStream::NewStub(channel);
  grpc::ClientContext context;
  set_deadline(context);
  google::bytestream::WriteResponse response;
  auto writer = stub->Write(&context, &response);
  std::size_t offset = 0;
  do {
    google::bytestream::WriteRequest request;
    if (offset == 0) request.set_resource_name(reapi::format_write_resource_name(name));
    request.set_write_offset(static_cast<std::int64_t>(offset));
    const std::size_t n = std::min(chunk, data.size() - offset);
    request.set_data(data.substr(offset, n));
    offset += n;
    request.set_finish_write(offset == data.size());
    if (!writer->Write(request)) break;
  } while (offset < data.size());
  writer->WritesDone();
  auto status = reapi::from_grpc(writer->Finish());
  if (status.ok() && response.committed_size() != name.digest.size_bytes) {
    return absl::InternalError("committed_size " + std::to_string(response.committed_size()));
  }
  return status;
}

absl::StatusOr<std::string> read_blob(const std::shared_ptr<grpc::Channel>& channel,
                                      const reapi::Digest& digest) {
  reapi::BlobResourceName name;
  name.digest = digest;
  auto stub = google::bytestream::ByteStream::NewStub(channel);
  grpc::ClientContext context;
  set_deadline(context);
  google::bytestream::ReadRequest request;
  request.set_resource_name(reapi::format_read_resource_name(name));
  auto reader = stub->Read(&context, request);
  std::string out;
  google::bytestream::ReadResponse response;
  while (reader->Read(&response)) out += response.data();
  auto status = reapi::from_grpc(reader->Finish());
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<reapi::Digest>> find_missing(
    const std::shared_ptr<grpc::Channel>& channel, const std::vector<reapi::Digest>& digests) {
  auto stub = v2::ContentAddressableStorage::NewStub(channel);
  grpc::ClientContext context;
  set_deadline(context);
  v2::FindMissingBlobsRequest request;
  for (const auto& d : digests) *request.add_blob_digests() = reapi::to_proto(d);
  v2::FindMissingBlobsResponse response;
  auto status = reapi::from_grpc(stub->FindMissingBlobs(&context, request, &response));
  if (!status.ok()) return status;
  std::vector<reapi::Digest> missing;
  for (const auto& d : response.missing_blob_digests()) missing.push_back(reapi::from_proto(d));
  return missing;
}

}  // namespace e2e
