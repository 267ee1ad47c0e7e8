#include "framework/open_write.h"

#include <utility>

namespace conformance {

OpenWrite::OpenWrite(Context& ctx, std::string name, std::int64_t payload,
                     std::int64_t first_offset)
    : name_(std::move(name)), offset_(first_offset) {
  ctx.prepare(context_, payload);
  writer_ = ctx.bytestream().Write(&context_, &response_);
}

OpenWrite::~OpenWrite() {
  if (!done_) cancel();
}

bool OpenWrite::send(std::string_view data, bool finish) {
  google::bytestream::WriteRequest r;
  if (messages_ == 0) r.set_resource_name(name_);
  r.set_write_offset(offset_);
  r.set_data(std::string(data));
  r.set_finish_write(finish);
  ++messages_;
  offset_ += static_cast<std::int64_t>(data.size());
  return writer_->Write(r);
}

WriteResult OpenWrite::close() {
  writer_->WritesDone();
  return finish("half-closed");
}

WriteResult OpenWrite::cancel() {
  context_.TryCancel();
  return finish("cancelled");
}

WriteResult OpenWrite::finish(const char* how) {
  done_ = true;
  WriteResult out;
  out.status = writer_->Finish();
  if (out.status.ok()) out.committed_size = response_.committed_size();
  out.messages_sent = messages_;
  out.request = "Write " + name_ + " (" + std::to_string(messages_) + " message(s) up to offset " +
                std::to_string(offset_) + ", then " + how + ")";
  return out;
}

}  // namespace conformance
