// ByteStream Read faults: offsets and limits misjudged (ignored, clamped, off by one, or
// checked against the wrong end), the last byte lost, a blob sent in one message, the empty
// blob forgotten, blobs found by hash alone, compression ignored, and upper-case hashes
// accepted. Each rewrites the request, the responses or the status of Read only, except the
// hash-keyed CAS, which is a storage decorator.

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>

#include "bytestream_rewrite.h"
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

// The parsed name of an uncompressed read, or nullopt (compressed or malformed names).
std::optional<reapi::BlobResourceName> plain_name(const ReadRequest& request) {
  auto name = reapi::parse_read_resource_name(request.resource_name());
  if (!name.ok() || name->compressor != reapi::Compressor::identity) return std::nullopt;
  return *std::move(name);
}

// Takes a negative read_offset as 0 (a clamp where a refusal belongs): the whole blob.
class NegativeOffsetAsZero final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    if (request.read_offset() < 0) request.set_read_offset(0);
  }
};

// Clamps read_offset to the size in the name: a read past the end is an empty read, OK.
class OffsetClampedToEnd final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = reapi::parse_read_resource_name(request.resource_name());
    if (name.ok() && request.read_offset() > name->digest.size_bytes) {
      request.set_read_offset(name->digest.size_bytes);
    }
  }
};

// `read_offset >= size` where `>` was meant: an offset equal to the size of a stored blob
// is OUT_OF_RANGE (the empty blob, served on a path of its own, is spared).
class OffsetAtEndOutOfRange final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = plain_name(request);
    if (name && request.read_offset() > 0 && request.read_offset() == name->digest.size_bytes) {
      at_end_ = request.read_offset();
    }
  }
  bool on_status(grpc::Status& status) override {
    if (!at_end_ || !status.ok()) return false;
    status = grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                          "read_offset " + std::to_string(*at_end_) + " is past the end of the " +
                              std::to_string(*at_end_) + "-byte blob");
    return true;
  }

  std::optional<std::int64_t> at_end_;
};

// Ignores read_limit: every read runs to the end of the blob.
class ReadLimitIgnored final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    if (plain_name(request) && request.read_limit() > 0) request.set_read_limit(0);
  }
};

// Takes read_limit 0 as a limit of zero bytes (end = offset + limit, with no case for 0):
// a read without a limit ends OK with no data. Done by moving the offset to the end.
class ZeroLimitReadsNothing final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = plain_name(request);
    if (!name || request.read_limit() != 0) return;
    if (request.read_offset() >= 0 && request.read_offset() <= name->digest.size_bytes) {
      request.set_read_offset(name->digest.size_bytes);
    }
  }
};

// Checks read_offset + read_limit against the size, where only read_offset belongs: a
// limit reaching past the end is OUT_OF_RANGE.
class LimitPastEndOutOfRange final : public bytestream::Refusing<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = plain_name(request);
    const std::int64_t offset = request.read_offset(), limit = request.read_limit();
    if (!name || limit <= 0 || offset < 0 || offset > name->digest.size_bytes) return;
    if (limit <= name->digest.size_bytes - offset) return;
    refuse(request, grpc::StatusCode::OUT_OF_RANGE,
           "read_offset " + std::to_string(offset) + " + read_limit " + std::to_string(limit) +
               " is past the end of the " + std::to_string(name->digest.size_bytes) + "-byte blob");
  }
};

// Takes a negative read_limit as no limit (`limit <= 0` where `== 0` was meant).
class NegativeLimitUnlimited final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    if (request.read_limit() < 0) request.set_read_limit(0);
  }
};

// Sends what a read asks for in one message, as a server that loads the blob whole would.
// The reference's chunks are held back (their messages go out empty, which clients must
// accept) and all the data goes in the message that completes the read.
class WholeBlobInOneMessage final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = plain_name(request);
    const std::int64_t size = name ? name->digest.size_bytes : 0;
    if (!name || request.read_offset() < 0 || request.read_offset() > size) return;
    remaining_ = size - request.read_offset();
    if (request.read_limit() > 0) remaining_ = std::min(remaining_, request.read_limit());
  }
  bool on_response(ReadResponse& response) override {
    if (remaining_ <= 0) return false;
    remaining_ -= static_cast<std::int64_t>(response.data().size());
    held_ += response.data();
    if (remaining_ > 0) {
      response.clear_data();
    } else {
      response.set_data(std::move(held_));
    }
    return true;
  }

  std::int64_t remaining_ = 0;  // bytes the read will send after the ones held
  std::string held_;
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
      {.name = "negative-read-offset-as-zero",
       .description = "ByteStream Read takes a negative read_offset as 0 and serves the blob",
       .make = [] { return intercept<NegativeOffsetAsZero>(method::kRead); },
       .expect = {.filter = "bytestream.read.*",
                  .fails = {"bytestream.read.negative_offset_out_of_range"}}},
      {.name = "read-offset-clamped-to-end",
       .description = "ByteStream Read past the end of a blob is an empty read, OK",
       .make = [] { return intercept<OffsetClampedToEnd>(method::kRead); },
       .expect = {.filter = "bytestream.read.*",
                  .fails = {"bytestream.read.offset_past_end_out_of_range"}}},
      // BS-READ-06 is a SHOULD rule (note B1): a warning, which --strict makes a failed run.
      {.name = "offset-at-end-out-of-range",
       .description = "ByteStream Read with read_offset equal to the blob size is OUT_OF_RANGE",
       .make = [] { return intercept<OffsetAtEndOutOfRange>(method::kRead); },
       .expect = {.filter = "bytestream.read.*",
                  .warns = {"bytestream.read.offset_at_end_empty"},
                  .extra_args = {"--strict"}}},
      {.name = "read-limit-ignored",
       .description = "ByteStream Read ignores read_limit and sends up to the end of the blob",
       .make = [] { return intercept<ReadLimitIgnored>(method::kRead); },
       .expect = {.filter = "bytestream.read.*", .fails = {"bytestream.read.limit"}}},
      {.name = "zero-limit-reads-nothing",
       .description = "ByteStream Read takes read_limit 0 as zero bytes: OK with no data",
       .make = [] { return intercept<ZeroLimitReadsNothing>(method::kRead); },
       .expect = {.filter = "bytestream.read.*",
                  .fails = {"bytestream.read.zero_limit_unlimited", "bytestream.read.full_read"}}},
      // BS-READ-14 is a SHOULD rule, and BS-READ-07 leaves reads that do not end OK to it.
      {.name = "limit-past-end-out-of-range",
       .description = "ByteStream Read refuses a read_limit reaching past the end (OUT_OF_RANGE)",
       .make = [] { return intercept<LimitPastEndOutOfRange>(method::kRead); },
       .expect = {.filter = "bytestream.read.*",
                  .warns = {"bytestream.read.range_uses_blob_size"},
                  .extra_args = {"--strict"}}},
      {.name = "negative-limit-unlimited",
       .description = "ByteStream Read takes a negative read_limit as no limit",
       .make = [] { return intercept<NegativeLimitUnlimited>(method::kRead); },
       .expect = {.filter = "bytestream.read.*",
                  .fails = {"bytestream.read.negative_limit_rejected"}}},
      {.name = "whole-blob-one-message",
       .description = "ByteStream Read sends a blob in one message, however large",
       .make = [] { return intercept<WholeBlobInOneMessage>(method::kRead); },
       .expect = {.filter = "bytestream.read.*", .fails = {"bytestream.read.chunked_under_4mib"}}},
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
