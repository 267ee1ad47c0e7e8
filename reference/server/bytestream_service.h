#pragma once
// google.bytestream.ByteStream for CAS blobs (shared/reapi/bytestream.md): Read in chunks
// of at most 1 MiB with offsets and limits, Write that hashes while it receives and commits
// only verified blobs, resumable through QueryWriteStatus; zstd compressed-blobs both ways,
// streamed piecewise.

#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/resource_name.h"
#include "server/cas.h"
#include "server/policy.h"
#include "server/upload_registry.h"

namespace reference {

// What the Read and Write reactors share with the service.
struct ByteStreamContext {
  const Policy& policy;
  Cas& cas;
  UploadRegistry& uploads;
};

// The seed's BLOCK_SIZE: no ReadResponse carries more than this (BS-READ-10).
inline constexpr std::size_t kReadChunkBytes = 1 << 20;

grpc::ServerWriteReactor<google::bytestream::ReadResponse>* start_read(
    ByteStreamContext& context, const google::bytestream::ReadRequest& request);
grpc::ServerReadReactor<google::bytestream::WriteRequest>* start_write(
    ByteStreamContext& context, google::bytestream::WriteResponse* response);

class ByteStreamService final : public google::bytestream::ByteStream::CallbackService {
 public:
  ByteStreamService(const Policy& policy, Cas& cas);

  grpc::ServerWriteReactor<google::bytestream::ReadResponse>* Read(
      grpc::CallbackServerContext* context,
      const google::bytestream::ReadRequest* request) override;
  grpc::ServerReadReactor<google::bytestream::WriteRequest>* Write(
      grpc::CallbackServerContext* context, google::bytestream::WriteResponse* response) override;
  grpc::ServerUnaryReactor* QueryWriteStatus(
      grpc::CallbackServerContext* context,
      const google::bytestream::QueryWriteStatusRequest* request,
      google::bytestream::QueryWriteStatusResponse* response) override;

 private:
  absl::Status query_write_status(const google::bytestream::QueryWriteStatusRequest& request,
                                  google::bytestream::QueryWriteStatusResponse& response);

  UploadRegistry uploads_;
  ByteStreamContext context_;
};

// The registry key of an upload: its resource name without the optional metadata.
std::string upload_key(const reapi::BlobResourceName& name);

}  // namespace reference
