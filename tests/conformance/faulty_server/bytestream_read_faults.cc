// ByteStream Read faults: offsets ignored, the last byte lost, compression ignored, and
// upper-case hashes accepted. Each rewrites the request or the responses of Read only.

#include <algorithm>
#include <cctype>

#include "call_rewriter.h"
#include "fault_plan.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/resource_name.h"

namespace faulty {
namespace {
using google::bytestream::ReadRequest;
using google::bytestream::ReadResponse;

// Serves every read from the start of the blob, whatever read_offset asks for.
class IgnoreReadOffset final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override { request.set_read_offset(0); }
};

// Cuts one byte off the message that would complete the read, so the client gets all but
// the last byte of what it asked for and an OK status.
class LostLastChunk final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = reapi::parse_read_resource_name(request.resource_name());
    // Compressed reads send compressed bytes; their length says nothing about the blob.
    if (!name.ok() || name->compressor != reapi::Compressor::identity) return;
    const std::int64_t size = name->digest.size_bytes;
    if (request.read_offset() < 0 || request.read_offset() > size) return;
    remaining_ = size - request.read_offset();
    if (request.read_limit() > 0) remaining_ = std::min(remaining_, request.read_limit());
  }
  bool on_response(ReadResponse& response) override {
    if (remaining_ <= 0 || response.data().empty()) return false;
    remaining_ -= static_cast<std::int64_t>(response.data().size());
    if (remaining_ > 0) return false;
    response.mutable_data()->pop_back();
    remaining_ = 0;  // only once
    return true;
  }

  std::int64_t remaining_ = 0;  // bytes the read will send before this message
};

// Reads of compressed-blobs/{compressor}/ names get the plain bytes: the name is rewritten
// to its blobs/ form before the service sees it.
class CompressedIgnored final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = reapi::parse_read_resource_name(request.resource_name());
    if (!name.ok() || name->compressor == reapi::Compressor::identity) return;
    name->compressor = reapi::Compressor::identity;
    request.set_resource_name(reapi::format_read_resource_name(*name));
  }
};

// Lower-cases every all-hex segment after the blobs/compressed-blobs segment, so a name
// with an upper-case hash reads the blob instead of being refused (COM-01).
class UppercaseHashAccepted final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    std::string name = request.resource_name();
    bool after_blobs = false;
    std::size_t begin = 0;
    while (begin <= name.size()) {
      const std::size_t end = std::min(name.find('/', begin), name.size());
      const auto first = name.begin() + static_cast<std::ptrdiff_t>(begin);
      const auto last = name.begin() + static_cast<std::ptrdiff_t>(end);
      const std::string_view segment(name.data() + begin, end - begin);
      if (after_blobs && !segment.empty() &&
          std::all_of(first, last, [](unsigned char c) { return std::isxdigit(c) != 0; })) {
        std::transform(first, last, first,
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
      if (segment == "blobs" || segment == "compressed-blobs") after_blobs = true;
      begin = end + 1;
    }
    request.set_resource_name(name);
  }
};

}  // namespace

std::vector<FaultEntry> bytestream_read_faults() {
  return {
      {.name = "ignore-read-offset",
       .description = "ByteStream Read serves from offset 0 whatever read_offset says",
       .make = [] { return intercept<IgnoreReadOffset>(method::kRead); },
       .expect = {.filter = "bytestream.read.*", .fails = {"bytestream.read.offset"}}},
      {.name = "lost-last-chunk",
       .description = "ByteStream Read drops the last byte of every read",
       .make = [] { return intercept<LostLastChunk>(method::kRead); },
       .expect = {.filter = "bytestream.read.*", .fails = {"bytestream.read.full_read"}}},
      {.name = "compressed-ignored",
       .description = "ByteStream Read of compressed-blobs/ names sends plain bytes",
       .make = [] { return intercept<CompressedIgnored>(method::kRead); },
       .expect = {.filter = "bytestream.compressed.*",
                  .fails = {"bytestream.compressed.read_every_stored_blob"}}},
      // BS-NAME-07 is a SHOULD rule: a warning, which --strict turns into a failed run.
      {.name = "uppercase-hash-accepted",
       .description = "ByteStream Read accepts upper-case hashes in names",
       .make = [] { return intercept<UppercaseHashAccepted>(method::kRead); },
       .expect = {.filter = "bytestream.name.*",
                  .warns = {"bytestream.name.malformed_rejected"},
                  .extra_args = {"--strict"}}},
  };
}

}  // namespace faulty
