#include "bytestream_client.h"

#include <grpcpp/client_context.h>

#include <algorithm>

#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/status.h"

namespace reapi_bench {

using google::bytestream::ByteStream;

absl::StatusOr<std::int64_t> write_blob(const reapi::Target& target,
                                        const std::string& resource_name, std::string_view data,
                                        const TransferOptions& options) {
  auto stub = ByteStream::NewStub(target.channel());
  grpc::ClientContext context;
  target.prepare(context, options.deadline);
  google::bytestream::WriteResponse response;
  auto writer = stub->Write(&context, &response);

  google::bytestream::WriteRequest request;
  request.set_resource_name(resource_name);
  const auto size = static_cast<std::int64_t>(data.size());
  std::int64_t offset = 0;
  do {
    const std::int64_t n = std::min(options.chunk_size, size - offset);
    request.set_write_offset(offset);
    request.mutable_data()->assign(data.data() + offset, static_cast<std::size_t>(n));
    offset += n;
    const bool last = offset == size;
    request.set_finish_write(last);
    // A false return means the server ended the call, possibly early because it already
    // holds the blob (BS-WRITE-05); Finish() tells which.
    if (!writer->Write(request)) break;
    request.clear_resource_name();
  } while (offset < size);
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) return reapi::from_grpc(status);
  return response.committed_size();
}

absl::Status read_blob(const reapi::Target& target, const std::string& resource_name,
                       std::string& out, const TransferOptions& options) {
  auto stub = ByteStream::NewStub(target.channel());
  grpc::ClientContext context;
  target.prepare(context, options.deadline);
  google::bytestream::ReadRequest request;
  request.set_resource_name(resource_name);
  auto reader = stub->Read(&context, request);
  out.clear();
  google::bytestream::ReadResponse response;
  while (reader->Read(&response)) out.append(response.data());
  return reapi::from_grpc(reader->Finish());
}

}  // namespace reapi_bench
