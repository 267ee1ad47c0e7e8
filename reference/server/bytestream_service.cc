#include "server/bytestream_service.h"

#include "reapi/resource_name.h"
#include "server/call_log.h"

namespace reference {

std::string upload_key(const reapi::BlobResourceName& name) {
  reapi::BlobResourceName key = name;
  key.metadata.clear();
  return reapi::format_write_resource_name(key);
}

ByteStreamService::ByteStreamService(const Policy& policy, Cas& cas)
    : uploads_(static_cast<std::size_t>(policy.config().max_pending_uploads),
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double, std::ratio<60>>(
                       policy.config().pending_upload_ttl_minutes))),
      context_{policy, cas, uploads_} {}

grpc::ServerWriteReactor<google::bytestream::ReadResponse>* ByteStreamService::Read(
    grpc::CallbackServerContext*, const google::bytestream::ReadRequest* request) {
  return start_read(context_, *request);
}

grpc::ServerReadReactor<google::bytestream::WriteRequest>* ByteStreamService::Write(
    grpc::CallbackServerContext*, google::bytestream::WriteResponse* response) {
  return start_write(context_, response);
}

grpc::ServerUnaryReactor* ByteStreamService::QueryWriteStatus(
    grpc::CallbackServerContext* context,
    const google::bytestream::QueryWriteStatusRequest* request,
    google::bytestream::QueryWriteStatusResponse* response) {
  return finish_unary(context, "QueryWriteStatus", query_write_status(*request, *response));
}

absl::Status ByteStreamService::query_write_status(
    const google::bytestream::QueryWriteStatusRequest& request,
    google::bytestream::QueryWriteStatusResponse& response) {
  auto name = reapi::parse_write_resource_name(request.resource_name());
  if (!name.ok()) return name.status();
  // Refused like Write refuses it (BS-NAME-09), not reported as an unknown upload.
  auto fn = context_.policy.check_blob_name(*name);
  if (!fn.ok()) return fn.status();
  // A stored blob counts as a complete upload, whoever wrote it (BS-QWS-04, B4).
  if (context_.cas.contains(*fn, name->digest)) {
    response.set_committed_size(name->digest.size_bytes);
    response.set_complete(true);
    return absl::OkStatus();
  }
  auto progress = uploads_.progress(upload_key(*name));
  if (!progress) {
    return absl::NotFoundError("no upload in progress for " + request.resource_name());
  }
  response.set_committed_size(*progress);
  response.set_complete(false);
  return absl::OkStatus();
}

}  // namespace reference
