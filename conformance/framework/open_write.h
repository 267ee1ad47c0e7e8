#pragma once
// A ByteStream Write stream held open between messages, for checks that must act while an
// upload is under way (slow uploads, QueryWriteStatus mid-upload, broken uploads).
// calls.h's write() sends a whole stream at once.

#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "framework/calls.h"
#include "framework/context.h"

namespace conformance {

class OpenWrite {
 public:
  // Opens the stream; the first message will name `name` and start at `first_offset`.
  OpenWrite(Context& ctx, std::string name, std::int64_t payload, std::int64_t first_offset = 0);
  OpenWrite(const OpenWrite&) = delete;
  OpenWrite& operator=(const OpenWrite&) = delete;
  // A stream neither closed nor cancelled is cancelled.
  ~OpenWrite();

  // Sends `data` at the next offset (the first message names the resource). False when the
  // server has already ended the stream.
  bool send(std::string_view data, bool finish);
  // Half-closes the stream and waits for the server's answer.
  WriteResult close();
  // Breaks the stream the way a client that goes away does.
  WriteResult cancel();

 private:
  WriteResult finish(const char* how);

  std::string name_;
  std::int64_t offset_;
  int messages_ = 0;
  bool done_ = false;
  grpc::ClientContext context_;
  google::bytestream::WriteResponse response_;
  std::unique_ptr<grpc::ClientWriter<google::bytestream::WriteRequest>> writer_;
};

}  // namespace conformance
