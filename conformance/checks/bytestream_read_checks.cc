// ByteStream Read (bytestream.md section 2, BS-READ-nn): whole reads, offsets, limits and
// their error codes, chunking of large blobs, the empty blob and wrong sizes.

#include <grpcpp/client_context.h>

#include <algorithm>
#include <limits>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"

namespace conformance {

namespace {

using Code = grpc::StatusCode;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
// gRPC's default receive limit, which most clients keep (BS-READ-10).
constexpr std::int64_t kDefaultReceiveLimit = 4 << 20;

rc::Gen<std::int64_t> in_range(std::int64_t low, std::int64_t high_inclusive) {
  if (high_inclusive <= low) return rc::gen::just(low);
  return rc::gen::inRange<std::int64_t>(low, high_inclusive + 1);
}

// A blob of `size` bytes, stored before the read (blobs under 16 bytes may already exist,
// which changes nothing for a read).
Blob stored_blob(Context& ctx, std::int64_t size) {
  Blob blob = make_blob(ctx, size);
  upload(ctx, {blob});
  return blob;
}

// The read ended OK with exactly `wanted`.
void require_data(const ReadResult& r, std::string_view wanted, const std::string& what) {
  require(r.status.ok(), r.request + " -> " + status_text(r.status) + ", expected OK with " + what);
  require(r.data == wanted, r.request + " -> OK with " + std::to_string(r.data.size()) +
                                " bytes in " + std::to_string(r.messages) +
                                " message(s), expected " + what + ": " +
                                first_difference(r.data, wanted));
}

std::string blob_text(const Blob& blob) {
  return "the " + std::to_string(blob.data.size()) + "-byte blob " + brief(blob.digest);
}

// A positive read_limit, weighted toward the end of the blob and the chunk boundary.
rc::Gen<std::int64_t> gen_limit(std::int64_t remaining, std::int64_t chunk) {
  std::vector<std::int64_t> edges{1, remaining + 1, chunk, chunk + 1};
  if (remaining > 0) edges.push_back(remaining);
  if (remaining > 1) edges.push_back(remaining - 1);
  return rc::gen::weightedOneOf<std::int64_t>({
      {2, rc::gen::elementOf(edges)},
      {2, in_range(1, std::max<std::int64_t>(remaining, 1))},
      {1, in_range(1, remaining + 2 * chunk)},
  });
}

// BS-READ-01: offset 0, limit 0 gives the whole blob.
Outcome full_read(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_blob_size(ctx, max_blob(ctx));
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require_data(r, blob.data, "all of " + blob_text(blob));
  });
}

// BS-READ-02: a blob nobody stored is NOT_FOUND, with no data.
Outcome absent_not_found(Context& ctx) {
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_blob_size(ctx, max_blob(ctx)), 1);
    const v2::Digest digest = absent(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, digest));
    require(r.status.error_code() == Code::NOT_FOUND,
            r.request + " -> " + status_text(r.status) + ", expected NOT_FOUND for " +
                brief(digest) + ", which was never uploaded");
    require(r.data.empty(), r.request + " -> NOT_FOUND, but " + std::to_string(r.data.size()) +
                                " data bytes came before it");
  });
}

// BS-READ-03: read_offset k gives the blob from byte k.
Outcome offset(Context& ctx) {
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_blob_size(ctx, max_blob(ctx)), 1);
    const auto at = *gen_offset(size - 1);
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), at);
    require_data(
        r, std::string_view(blob.data).substr(static_cast<std::size_t>(at)),
        "bytes " + std::to_string(at) + ".." + std::to_string(size) + " of " + blob_text(blob));
  });
}

// BS-READ-04: a negative read_offset is OUT_OF_RANGE.
Outcome negative_offset(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_small_size(max_blob(ctx, 64 << 10));
    const auto at = *rc::gen::weightedOneOf<std::int64_t>({
        {2, rc::gen::just<std::int64_t>(-1)},
        {1, rc::gen::just(kInt64Min)},
        {1, rc::gen::just(-size - 1)},
        {2, rc::gen::map(in_range(1, std::int64_t{1} << 40), [](std::int64_t v) { return -v; })},
    });
    const auto limit = *rc::gen::elementOf(std::vector<std::int64_t>{0, 1, size + 1});
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), at, limit);
    require(r.status.error_code() == Code::OUT_OF_RANGE,
            r.request + " -> " + status_text(r.status) + " with " + std::to_string(r.data.size()) +
                " data bytes, expected OUT_OF_RANGE for a " + "negative read_offset on " +
                blob_text(blob));
  });
}

// BS-READ-05: read_offset past the end is OUT_OF_RANGE.
Outcome offset_past_end(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_blob_size(ctx, max_blob(ctx));
    const auto beyond = *rc::gen::weightedOneOf<std::int64_t>({
        {3, rc::gen::just<std::int64_t>(1)},
        {2, in_range(1, 2 * ctx.chunk_size())},
        {1, rc::gen::just(kInt64Max - size)},
    });
    const auto limit = *rc::gen::elementOf(std::vector<std::int64_t>{0, 1, 1 << 20});
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), size + beyond, limit);
    require(r.status.error_code() == Code::OUT_OF_RANGE,
            r.request + " -> " + status_text(r.status) + " with " + std::to_string(r.data.size()) +
                " data bytes, expected OUT_OF_RANGE: the " + "offset is " + std::to_string(beyond) +
                " past the end of " + blob_text(blob));
  });
}

// BS-READ-06: read_offset == size is an empty read (OUT_OF_RANGE tolerated, note B1).
Outcome offset_at_end(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_blob_size(ctx, max_blob(ctx));
    const auto limit = *rc::gen::elementOf(std::vector<std::int64_t>{0, 1, 100});
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), size, limit);
    if (r.status.error_code() == Code::OUT_OF_RANGE) {
      should(ctx, false,
             r.request + " -> " + status_text(r.status) +
                 ": an offset equal to the size is in range" +
                 (limit > 0 ? ", and a read_limit past the end is no error (BS-READ-14)" : "") +
                 "; expected OK with no data");
      return;
    }
    require(r.status.ok(), r.request + " -> " + status_text(r.status) +
                               ", expected OK with no data (offset equal to the size of " +
                               blob_text(blob) + ")");
    require_at(ctx, Level::must, r.data.empty(),
               r.request + " -> OK with " + std::to_string(r.data.size()) +
                   " data bytes past the end of " + blob_text(blob));
  });
}

// BS-READ-07: read_limit n returns min(n, rest) bytes, exactly.
Outcome limit(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_blob_size(ctx, max_blob(ctx));
    const auto at = *gen_offset(size);
    const auto n = *gen_limit(size - at, ctx.chunk_size());
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), at, n);
    if (at == size && r.status.error_code() == Code::OUT_OF_RANGE) return;  // note B1
    if (n > size - at && !r.status.ok()) {
      // Past the end the MUST part binds only the amount sent and a read that ends OK;
      // that such a limit is no error is BS-READ-14, a SHOULD.
      require(static_cast<std::int64_t>(r.data.size()) <= n,
              r.request + " -> " + std::to_string(r.data.size()) + " data bytes, over the limit");
      should(ctx, false,
             r.request + " -> " + status_text(r.status) + ": a read_limit reaching past the " +
                 "end of " + blob_text(blob) + " is no error (BS-READ-14)");
      return;
    }
    const std::int64_t count = std::min(n, size - at);
    require_data(r,
                 std::string_view(blob.data).substr(static_cast<std::size_t>(at),
                                                    static_cast<std::size_t>(count)),
                 std::to_string(count) + " bytes from offset " + std::to_string(at) + " of " +
                     blob_text(blob));
  });
}

// BS-READ-08: read_limit 0 means everything to the end, across many messages.
Outcome zero_limit(Context& ctx) {
  return property(ctx, [&] {
    const std::int64_t max = max_blob(ctx);
    const std::int64_t chunk = ctx.chunk_size();
    const auto size = max > chunk
                          ? *rc::gen::weightedOneOf<std::int64_t>({
                                {1, rc::gen::just(max)},
                                {1, rc::gen::elementOf(std::vector<std::int64_t>{
                                        std::min(max, 2 * chunk), std::min(max, 2 * chunk + 1)})},
                                {2, in_range(chunk + 1, max)},
                            })
                          : std::max<std::int64_t>(*gen_blob_size(ctx, max_blob(ctx)), 1);
    const auto at = *gen_offset(size - 1);
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), at, 0);
    require_data(r, std::string_view(blob.data).substr(static_cast<std::size_t>(at)),
                 "everything from offset " + std::to_string(at) + " of " + blob_text(blob));
  });
}

// BS-READ-09: a negative read_limit fails; INVALID_ARGUMENT expected.
Outcome negative_limit(Context& ctx) {
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_small_size(max_blob(ctx, 64 << 10)), 1);
    const auto at = *gen_offset(size - 1);
    const auto n = *rc::gen::weightedOneOf<std::int64_t>({
        {2, rc::gen::just<std::int64_t>(-1)},
        {1, rc::gen::just(kInt64Min)},
        {2, rc::gen::map(in_range(1, std::int64_t{1} << 40), [](std::int64_t v) { return -v; })},
    });
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), at, n);
    require(!r.status.ok(), r.request + " -> OK with " + std::to_string(r.data.size()) +
                                " bytes: a negative read_limit must make the call fail");
    should(ctx, r.status.error_code() == Code::INVALID_ARGUMENT,
           r.request + " -> " + status_text(r.status) +
               ", expected INVALID_ARGUMENT for a negative read_limit");
  });
}

// Reads `name` keeping the size of the largest message (BS-READ-10).
struct TrackedRead {
  grpc::Status status;
  std::string data;
  std::size_t largest_message = 0;
  int messages = 0;
};

TrackedRead read_tracked(Context& ctx, const std::string& name, std::int64_t size) {
  TrackedRead out;
  google::bytestream::ReadRequest request;
  request.set_resource_name(name);
  grpc::ClientContext context;
  ctx.prepare(context, size);
  auto reader = ctx.bytestream().Read(&context, request);
  google::bytestream::ReadResponse message;
  while (reader->Read(&message)) {
    ++out.messages;
    out.largest_message = std::max(out.largest_message, message.ByteSizeLong());
    out.data += message.data();
    if (static_cast<std::int64_t>(out.data.size()) > size) {
      context.TryCancel();  // more than the blob: no need to take the rest
      break;
    }
  }
  out.status = reader->Finish();
  return out;
}

// BS-READ-10: a blob over 4 MiB comes in messages a default client accepts.
Outcome chunked(Context& ctx) {
  const std::int64_t size_max = 6 << 20;
  const std::int64_t size_min = kDefaultReceiveLimit + 1;
  const std::int64_t blob_limit = ctx.facts().max_cas_blob_size_bytes;
  if (blob_limit > 0 && blob_limit < size_min) {
    return Outcome::skip("the server advertises max_cas_blob_size_bytes " +
                         std::to_string(blob_limit) + ", below the 4 MiB this check needs");
  }
  std::size_t largest = 0;
  Outcome outcome = property(
      ctx,
      [&] {
        const std::int64_t high = blob_limit > 0 ? std::min(blob_limit, size_max) : size_max;
        const auto size = *rc::gen::weightedOneOf<std::int64_t>({
            {1, rc::gen::just(size_min)},
            {2, in_range(size_min, high)},
        });
        const Blob blob = stored_blob(ctx, size);
        const std::string name = read_name(ctx, blob.digest);
        const TrackedRead r = read_tracked(ctx, name, size);
        const std::string request = "Read " + name;
        require(r.status.ok(), request + " -> " + status_text(r.status) + " after " +
                                   std::to_string(r.messages) + " message(s) of " +
                                   blob_text(blob) + " (largest message " +
                                   std::to_string(r.largest_message) + " bytes)");
        require(static_cast<std::int64_t>(r.largest_message) <= kDefaultReceiveLimit,
                request + " -> a ReadResponse of " + std::to_string(r.largest_message) +
                    " bytes, over the 4 MiB a default gRPC client accepts");
        require(r.data == blob.data, request + " -> OK in " + std::to_string(r.messages) +
                                         " messages, but " + first_difference(r.data, blob.data));
        largest = std::max(largest, r.largest_message);
      },
      {.cases = 3});
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "largest ReadResponse " + std::to_string(largest) + " bytes";
  }
  return outcome;
}

// BS-READ-12: the empty blob reads as zero bytes, uploaded or not.
Outcome empty_blob(Context& ctx) {
  return once(ctx, [&] {
    const std::string name = read_name(ctx, empty_blob_digest(ctx));
    for (std::int64_t n : {0, 1, 100}) {
      const ReadResult r = read(ctx, name, 0, n);
      if (n > 0 && r.status.error_code() == Code::OUT_OF_RANGE) {
        // The blob is there; only the limit past its end was refused, which BS-READ-14
        // discourages at SHOULD level.
        should(ctx, false,
               r.request + " -> " + status_text(r.status) +
                   ": a read_limit reaching past the end of the empty blob is no error "
                   "(BS-READ-14)");
        continue;
      }
      require_data(r, "", "no data (the empty blob always exists)");
    }
  });
}

// BS-READ-13: the hash of a stored blob with another size does not reach the blob.
Outcome wrong_size(Context& ctx) {
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_small_size(max_blob(ctx, 64 << 10)), 16);
    const auto wrong =
        *rc::gen::suchThat(rc::gen::weightedOneOf<std::int64_t>({
                               {3, rc::gen::elementOf(std::vector<std::int64_t>{
                                       size + 1, size - 1, 0, 2 * size, size + (1 << 20)})},
                               {1, in_range(0, 2 * size)},
                           }),
                           [size](std::int64_t v) { return v != size; });
    const Blob blob = stored_blob(ctx, size);
    v2::Digest digest = blob.digest;
    digest.set_size_bytes(wrong);
    const ReadResult r = read(ctx, read_name(ctx, digest));
    require(
        r.status.error_code() == Code::NOT_FOUND || r.status.error_code() == Code::INVALID_ARGUMENT,
        r.request + " -> " + status_text(r.status) + " with " + std::to_string(r.data.size()) +
            " data bytes; the hash is that of " + blob_text(blob) +
            " but the size differs: expected NOT_FOUND or INVALID_ARGUMENT");
    require(r.data.empty(), r.request + " -> " + status_text(r.status) + " after sending " +
                                std::to_string(r.data.size()) + " bytes of a blob of another size");
  });
}

// BS-READ-14: offsets are judged against the blob's size, and a limit reaching past the
// end is no error.
Outcome range_uses_blob_size(Context& ctx) {
  return property(ctx, [&] {
    const auto size = std::max<std::int64_t>(*gen_blob_size(ctx, max_blob(ctx)), 1);
    const auto at = *rc::gen::weightedOneOf<std::int64_t>({
        {2, rc::gen::elementOf(std::vector<std::int64_t>{size - 1, size, size + 1})},
        {1, gen_offset(size)},
    });
    const auto past = *in_range(1, 2 * ctx.chunk_size());
    const std::int64_t n = std::max<std::int64_t>(size - at, 0) + past;
    const Blob blob = stored_blob(ctx, size);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest), at, n);
    if (at > size) {
      require(r.status.error_code() == Code::OUT_OF_RANGE,
              r.request + " -> " + status_text(r.status) + ", expected OUT_OF_RANGE: the " +
                  "offset is past the end of " + blob_text(blob));
      return;
    }
    if (at == size && r.status.error_code() == Code::OUT_OF_RANGE) return;  // note B1
    require_data(r, std::string_view(blob.data).substr(static_cast<std::size_t>(at)),
                 "the " + std::to_string(size - at) + " bytes from offset " + std::to_string(at) +
                     " to the end of " + blob_text(blob) +
                     " (a limit reaching past the end is no error)");
  });
}

}  // namespace

void add_bytestream_read_checks(Catalogue& catalogue) {
  catalogue.add({"bytestream.read.full_read", "BS-READ-01", Level::must,
                 "Read from offset 0 with no limit returns exactly the stored blob, then OK"},
                full_read);
  catalogue.add({"bytestream.read.absent_not_found", "BS-READ-02", Level::must,
                 "Read of a blob that is not stored fails with NOT_FOUND and sends no data"},
                absent_not_found);
  catalogue.add({"bytestream.read.offset", "BS-READ-03", Level::must,
                 "Read with read_offset k returns the blob from byte k to its end"},
                offset);
  catalogue.add({"bytestream.read.negative_offset_out_of_range", "BS-READ-04", Level::must,
                 "Read with a negative read_offset fails with OUT_OF_RANGE"},
                negative_offset);
  catalogue.add({"bytestream.read.offset_past_end_out_of_range", "BS-READ-05", Level::must,
                 "Read with read_offset greater than the blob size fails with OUT_OF_RANGE"},
                offset_past_end);
  catalogue.add({"bytestream.read.offset_at_end_empty", "BS-READ-06", Level::should,
                 "Read with read_offset equal to the blob size succeeds with no data"},
                offset_at_end);
  catalogue.add({"bytestream.read.limit", "BS-READ-07", Level::must,
                 "Read with read_limit n returns the next min(n, remaining) bytes exactly"},
                limit);
  catalogue.add({"bytestream.read.zero_limit_unlimited", "BS-READ-08", Level::must,
                 "Read with read_limit 0 returns everything from the offset to the end"},
                zero_limit);
  catalogue.add({"bytestream.read.negative_limit_rejected", "BS-READ-09", Level::must,
                 "Read with a negative read_limit fails (INVALID_ARGUMENT expected)"},
                negative_limit);
  catalogue.add({"bytestream.read.chunked_under_4mib", "BS-READ-10", Level::must,
                 "A blob over 4 MiB is read in messages a default 4 MiB gRPC client accepts"},
                chunked);
  catalogue.not_checkable({"bytestream.read.empty_messages_allowed", "BS-READ-11", Level::may,
                           "The server may send ReadResponse messages with empty data"},
                          "a permission for the server, nothing it must do; the suite's reader "
                          "accepts empty messages anywhere in a stream");
  catalogue.add({"bytestream.read.empty_blob", "BS-READ-12", Level::must,
                 "Read of the empty blob succeeds with zero bytes even if never uploaded"},
                empty_blob);
  catalogue.add({"bytestream.read.wrong_size_not_served", "BS-READ-13", Level::must,
                 "Read of a stored blob's hash with another size fails with NOT_FOUND or "
                 "INVALID_ARGUMENT and returns no data"},
                wrong_size);
  catalogue.add({"bytestream.read.range_uses_blob_size", "BS-READ-14", Level::should,
                 "Offsets are checked against the blob's size; a limit past the end is no error"},
                range_uses_blob_size);
  catalogue.not_checkable(
      {"bytestream.read.large_blobs_readable", "BS-READ-15", Level::may,
       "A server may serve blobs larger than its advertised max_cas_blob_size_bytes"},
      "a permission only, and the suite cannot create a blob above the advertised limit to read "
      "(uploads over it are refused)");
}

}  // namespace conformance
