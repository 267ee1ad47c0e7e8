#pragma once
// What the ByteStream faults (read, name and compressed families) share: resource names as
// segments, for the faults that edit names the project's parser would refuse, and a
// rewriter base that refuses calls the reference would serve.

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "call_rewriter.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/digest.h"
#include "reapi/resource_name.h"

namespace faulty::bytestream {

using google::bytestream::ReadRequest;
using google::bytestream::ReadResponse;
using google::bytestream::WriteRequest;
using google::bytestream::WriteResponse;

// A resource name cut at its '/'s.
class Segments {
 public:
  explicit Segments(std::string_view name) {
    for (std::size_t begin = 0;;) {
      const std::size_t slash = name.find('/', begin);
      if (slash == std::string_view::npos) {
        parts_.emplace_back(name.substr(begin));
        return;
      }
      parts_.emplace_back(name.substr(begin, slash - begin));
      begin = slash + 1;
    }
  }
  std::string join() const {
    std::string out;
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      if (i > 0) out += '/';
      out += parts_[i];
    }
    return out;
  }
  // Index of the first segment equal to `word`, or nullopt.
  std::optional<std::size_t> find(std::string_view word) const {
    auto it = std::find(parts_.begin(), parts_.end(), word);
    if (it == parts_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - parts_.begin());
  }
  std::vector<std::string>& parts() { return parts_; }
  const std::vector<std::string>& parts() const { return parts_; }

 private:
  std::vector<std::string> parts_;
};

// The digest function a parsed name means: its segment, else the hash length.
inline std::optional<reapi::DigestFunction> function_of(const reapi::BlobResourceName& name) {
  if (name.digest_function) return name.digest_function;
  return reapi::infer_from_hex_length(name.digest.hash.size(), reapi::hashable_functions());
}

inline bool names_empty_blob(const reapi::BlobResourceName& name) {
  const auto fn = function_of(name);
  return fn && name.digest == reapi::empty_digest(*fn);
}

// Spoils a request so that the reference fails the call at once, sending and storing
// nothing: a Read without a name; a Write message without a name, at offset -1 (the first
// message must name the resource, a later one must continue the offsets).
inline void spoil(ReadRequest& request) { request.clear_resource_name(); }
inline void spoil(WriteRequest& request) {
  request.clear_resource_name();
  request.set_write_offset(-1);
}

// Base of the faults that refuse calls the reference would serve: the request is spoiled
// and the fault's status goes out instead of the reference's.
template <class Request, class Response>
class Refusing : public CallRewriter<Request, Response> {
 protected:
  void refuse(Request& request, grpc::StatusCode code, std::string message) {
    std::lock_guard lock(mu_);
    refusal_ = grpc::Status(code, std::move(message));
    spoil(request);
  }
  // The status of a call that was not refused; return true to send the edited one.
  virtual bool on_served_status(grpc::Status&) { return false; }

 private:
  bool on_status(grpc::Status& status) final {
    {
      std::lock_guard lock(mu_);
      if (refusal_) {
        status = *refusal_;
        return true;
      }
    }
    return on_served_status(status);
  }

  std::mutex mu_;  // a Write's status may go out while a message is being received
  std::optional<grpc::Status> refusal_;
};

// Base of the Write faults that judge the resource name: `on_first` sees the first message
// (the one that must carry the name), `on_next` each later one.
class WriteRewriter : public Refusing<WriteRequest, WriteResponse> {
 protected:
  virtual void on_first(WriteRequest&) {}
  virtual void on_next(WriteRequest&) {}

 private:
  void on_request(WriteRequest& request) final {
    if (started_) {
      on_next(request);
      return;
    }
    started_ = true;
    on_first(request);
  }

  bool started_ = false;
};

}  // namespace faulty::bytestream
