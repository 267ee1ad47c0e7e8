#include "null_server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>

#include "google/bytestream/bytestream.grpc.pb.h"
#include "reapi/resource_name.h"

namespace reapi_bench {

namespace {

using google::bytestream::ReadRequest;
using google::bytestream::ReadResponse;
using google::bytestream::WriteRequest;
using google::bytestream::WriteResponse;

// Streams a blob's worth of filler. Reactors delete themselves in OnDone, as gRPC's callback
// API requires; the callback API is used because it streams faster than the synchronous one,
// and the baseline must be the fastest server possible.
class NullReadReactor final : public grpc::ServerWriteReactor<ReadResponse> {
 public:
  NullReadReactor(const ReadRequest& request, const ReadResponse& full_chunk)
      : full_chunk_(full_chunk) {
    // The size comes from the name; offset and limit are honoured so a client sees ordinary
    // ByteStream behaviour (BS-READ-03, BS-READ-07).
    auto name = reapi::parse_read_resource_name(request.resource_name());
    if (!name.ok()) {
      Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(name.status().message())));
      return;
    }
    const std::int64_t size = name->digest.size_bytes;
    const std::int64_t offset = request.read_offset();
    if (offset < 0 || offset > size) {
      Finish(grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "read_offset outside the blob"));
      return;
    }
    if (request.read_limit() < 0) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "negative read_limit"));
      return;
    }
    remaining_ = size - offset;
    if (request.read_limit() > 0) remaining_ = std::min(remaining_, request.read_limit());
    write_next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {  // the client went away
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client stopped reading"));
      return;
    }
    write_next();
  }

  void OnDone() override { delete this; }

 private:
  void write_next() {
    if (remaining_ == 0) {
      Finish(grpc::Status::OK);
      return;
    }
    const ReadResponse* response = &full_chunk_;
    if (remaining_ < static_cast<std::int64_t>(full_chunk_.data().size())) {
      tail_.set_data(full_chunk_.data().data(), static_cast<std::size_t>(remaining_));
      response = &tail_;
    }
    remaining_ -= static_cast<std::int64_t>(response->data().size());
    StartWrite(response);
  }

  const ReadResponse& full_chunk_;
  ReadResponse tail_;
  std::int64_t remaining_ = 0;
};

// Counts and discards what the client sends; commits all of it.
class NullWriteReactor final : public grpc::ServerReadReactor<WriteRequest> {
 public:
  explicit NullWriteReactor(WriteResponse* response) : response_(response) { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed: the upload is complete
      response_->set_committed_size(received_);
      Finish(grpc::Status::OK);
      return;
    }
    received_ += static_cast<std::int64_t>(request_.data().size());
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  WriteResponse* response_;
  WriteRequest request_;
  std::int64_t received_ = 0;
};

}  // namespace

class NullByteStreamServer::Service final : public google::bytestream::ByteStream::CallbackService {
 public:
  explicit Service(std::int64_t chunk_size) {
    full_chunk_.set_data(std::string(static_cast<std::size_t>(chunk_size), '\x5a'));
  }

  grpc::ServerWriteReactor<ReadResponse>* Read(grpc::CallbackServerContext*,
                                               const ReadRequest* request) override {
    return new NullReadReactor(*request, full_chunk_);
  }

  grpc::ServerReadReactor<WriteRequest>* Write(grpc::CallbackServerContext*,
                                               WriteResponse* response) override {
    return new NullWriteReactor(response);
  }

 private:
  // The one preallocated buffer every full-size message is sent from.
  ReadResponse full_chunk_;
};

NullByteStreamServer::NullByteStreamServer() = default;
NullByteStreamServer::NullByteStreamServer(NullByteStreamServer&&) noexcept = default;

absl::StatusOr<NullByteStreamServer> NullByteStreamServer::start(std::int64_t chunk_size) {
  NullByteStreamServer server;
  server.service_ = std::make_unique<Service>(chunk_size);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &server.port_);
  builder.RegisterService(server.service_.get());
  // Never the bottleneck: accept whatever message size the client is configured for.
  builder.SetMaxReceiveMessageSize(-1);
  builder.SetMaxSendMessageSize(-1);
  server.server_ = builder.BuildAndStart();
  if (!server.server_ || server.port_ == 0) {
    return absl::UnavailableError("could not start the null ByteStream server on 127.0.0.1");
  }
  return server;
}

NullByteStreamServer::~NullByteStreamServer() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

std::string NullByteStreamServer::address() const {
  return "grpc://127.0.0.1:" + std::to_string(port_);
}

}  // namespace reapi_bench
