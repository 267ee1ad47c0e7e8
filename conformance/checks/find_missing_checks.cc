// FindMissingBlobs (cas.md section 1, CAS-FMB-nn).

#include <algorithm>

#include "checks/families.h"
#include "checks/malformed_digest.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"

namespace conformance {

namespace {

int count_listed(const v2::FindMissingBlobsResponse& response, const v2::Digest& d) {
  return static_cast<int>(std::count_if(response.missing_blob_digests().begin(),
                                        response.missing_blob_digests().end(),
                                        [&](const v2::Digest& m) { return same(m, d); }));
}

bool listed(const v2::FindMissingBlobsResponse& response, const v2::Digest& d) {
  return count_listed(response, d) > 0;
}

std::string listed_text(const v2::FindMissingBlobsResponse& response) {
  std::string out = "missing = [";
  for (int i = 0; i < response.missing_blob_digests_size(); ++i) {
    if (i > 0) out += ", ";
    out += brief(response.missing_blob_digests(i));
  }
  return out + "]";
}

// Sizes for digests that are never uploaded: the size is only a number here. Not 0: a random
// hash with size 0 can never be stored, and a server may call it malformed.
rc::Gen<std::int64_t> gen_absent_size() {
  return rc::gen::weightedOneOf<std::int64_t>({
      {2, rc::gen::elementOf(std::vector<std::int64_t>{1, 16, kMiB, 4 * kMiB + 1})},
      {3, rc::gen::inRange<std::int64_t>(1, 1 << 20)},
  });
}

std::vector<v2::Digest> absent_digests(Context& ctx, const std::vector<std::int64_t>& sizes) {
  std::vector<v2::Digest> out;
  for (std::int64_t size : sizes) out.push_back(absent(ctx, size));
  return out;
}

// A position in [0, n].
std::size_t draw_position(std::size_t n) {
  return static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, n + 1));
}

// Stored blobs are never listed; absent ones always are.
Outcome reports_exactly_absent(Context& ctx) {
  return property(ctx, [&] {
    const auto stored_sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(1, 6), gen_small_size(max_blob(ctx, 64 << 10)));
    const int absent_count = *rc::gen::inRange(0, 6);
    std::vector<Blob> stored;
    for (std::int64_t size : stored_sizes)
      stored.push_back(make_blob(ctx, std::max<std::int64_t>(size, 16)));
    upload(ctx, stored);
    std::vector<v2::Digest> absent_digests, asked;
    for (int i = 0; i < absent_count; ++i) absent_digests.push_back(absent(ctx, 16 + i * 1000));
    for (const Blob& b : stored) asked.push_back(b.digest);
    asked.insert(asked.end(), absent_digests.begin(), absent_digests.end());
    auto reply = find_missing(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    for (const Blob& b : stored) {
      require(!listed(reply.response, b.digest),
              reply.request + ": " + listed_text(reply.response) + " lists " + brief(b.digest) +
                  ", which was stored just before");
    }
    for (const v2::Digest& d : absent_digests) {
      require(listed(reply.response, d), reply.request + ": " + listed_text(reply.response) +
                                             " leaves out " + brief(d) + ", never uploaded");
    }
  });
}

// CAS-FMB-02: every listed digest is one that was asked for, hash and size alike.
Outcome returns_only_requested(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes =
        *rc::gen::container<std::vector<std::int64_t>>(*rc::gen::inRange(1, 11), gen_absent_size());
    const auto stored_size = *gen_small_size(max_blob(ctx, 4096));
    const Blob stored = make_blob(ctx, std::max<std::int64_t>(stored_size, 16));
    upload(ctx, {stored});
    std::vector<v2::Digest> asked = absent_digests(ctx, sizes);
    asked.insert(asked.begin() + static_cast<std::ptrdiff_t>(draw_position(asked.size())),
                 stored.digest);
    auto reply = find_missing(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    for (const v2::Digest& m : reply.response.missing_blob_digests()) {
      const bool requested =
          std::any_of(asked.begin(), asked.end(), [&](const v2::Digest& a) { return same(a, m); });
      require(requested, reply.request + " -> " + listed_text(reply.response) + ": " + brief(m) +
                             " was not in the request");
    }
    require(reply.response.missing_blob_digests_size() <= static_cast<int>(asked.size()),
            reply.request + " -> " + listed_text(reply.response) + ": more digests than asked for");
  });
}

// CAS-FMB-03: absence is an answer, not an error.
Outcome all_absent_is_ok(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes =
        *rc::gen::container<std::vector<std::int64_t>>(*rc::gen::inRange(1, 9), gen_absent_size());
    const std::vector<v2::Digest> asked = absent_digests(ctx, sizes);
    auto reply = find_missing(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status) +
                            ": digests that are all absent must give OK and be listed");
    for (const v2::Digest& d : asked) {
      require(listed(reply.response, d), reply.request + " -> OK, " + listed_text(reply.response) +
                                             " leaves out " + brief(d) + ", never uploaded");
    }
  });
}

// CAS-FMB-04
Outcome empty_request(Context& ctx) {
  return once(ctx, [&] {
    auto reply = find_missing(ctx, {});
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    require(reply.response.missing_blob_digests_size() == 0,
            reply.request + " -> OK, " + listed_text(reply.response) +
                ": an empty request must list nothing");
  });
}

// CAS-FMB-05: the empty blob is present without ever being uploaded.
Outcome empty_blob_never_missing(Context& ctx) {
  return property(ctx, [&] {
    const auto sizes =
        *rc::gen::container<std::vector<std::int64_t>>(*rc::gen::inRange(0, 5), gen_absent_size());
    std::vector<v2::Digest> absent_ones = absent_digests(ctx, sizes);
    std::vector<v2::Digest> asked = absent_ones;
    const v2::Digest empty = empty_blob_digest(ctx);
    asked.insert(asked.begin() + static_cast<std::ptrdiff_t>(draw_position(asked.size())), empty);
    auto reply = find_missing(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    require(!listed(reply.response, empty), reply.request + " -> " + listed_text(reply.response) +
                                                " lists the empty blob " + brief(empty) +
                                                ", which every CAS holds");
    for (const v2::Digest& d : absent_ones) {
      require(listed(reply.response, d), reply.request + " -> " + listed_text(reply.response) +
                                             " leaves out " + brief(d) + ", never uploaded");
    }
  });
}

// CAS-FMB-06: repeated digests get a consistent answer.
Outcome duplicates_consistent(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_small_size(max_blob(ctx, 64 << 10));
    const int stored_times = *rc::gen::inRange(1, 4);
    const int absent_times = *rc::gen::inRange(1, 4);
    const Blob stored = make_blob(ctx, std::max<std::int64_t>(size, 16));
    upload(ctx, {stored});
    const v2::Digest missing = absent(ctx, std::max<std::int64_t>(size, 16));
    std::vector<v2::Digest> asked;
    for (int i = 0; i < stored_times; ++i) asked.push_back(stored.digest);
    for (int i = 0; i < absent_times; ++i)
      asked.insert(asked.begin() + static_cast<std::ptrdiff_t>(draw_position(asked.size())),
                   missing);
    auto reply = find_missing(ctx, asked);
    require(reply.ok(), reply.request + " -> " + status_text(reply.status));
    const int times = count_listed(reply.response, missing);
    require(times >= 1 && times <= absent_times,
            reply.request + " -> " + listed_text(reply.response) + ": the absent " +
                brief(missing) + " (asked " + std::to_string(absent_times) + " times) is listed " +
                std::to_string(times) + " times; expected 1 to " + std::to_string(absent_times));
    require(!listed(reply.response, stored.digest),
            reply.request + " -> " + listed_text(reply.response) + " lists " +
                brief(stored.digest) + ", which was stored just before");
  });
}

// CAS-FMB-08: one malformed digest fails the call with INVALID_ARGUMENT.
Outcome rejects_malformed_digest(Context& ctx) {
  return property(ctx, [&] {
    const int kind = *gen_malformed_kind();
    const auto sizes =
        *rc::gen::container<std::vector<std::int64_t>>(*rc::gen::inRange(0, 4), gen_absent_size());
    const Malformed bad = malformed_from(absent(ctx, *gen_absent_size()), kind);
    std::vector<v2::Digest> asked = absent_digests(ctx, sizes);
    asked.insert(asked.begin() + static_cast<std::ptrdiff_t>(draw_position(asked.size())),
                 bad.digest);
    auto reply = find_missing(ctx, asked);
    const std::string sent = reply.request + " (" + brief(bad.digest) + ": " + bad.what + ")";
    if (reply.ok()) {
      // Listing it as missing is the lenient reading (COM-02): a shortcoming, not a lie.
      require(listed(reply.response, bad.digest),
              sent + " -> OK, " + listed_text(reply.response) +
                  ": the malformed digest is treated as present");
      should(ctx, false,
             sent + " -> OK, listed missing; expected INVALID_ARGUMENT for a malformed digest");
      return;
    }
    require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
            sent + " -> " + status_text(reply.status) + "; expected INVALID_ARGUMENT");
  });
}

// CAS-FMB-09: the right hash with the wrong size is not the stored blob.
Outcome wrong_size_is_missing(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *gen_small_size(max_blob(ctx, 64 << 10));
    const Blob stored = make_blob(ctx, size);
    upload(ctx, {stored});
    std::vector<std::int64_t> wrong = {size + 1, size * 2 + 1, size + kMiB};
    if (size > 0) wrong.insert(wrong.end(), {size - 1, 0});
    const std::int64_t wrong_size = *rc::gen::elementOf(wrong);
    v2::Digest asked = stored.digest;
    asked.set_size_bytes(wrong_size);
    auto reply = find_missing(ctx, {asked});
    const std::string sent = reply.request + " (stored blob of " + std::to_string(size) +
                             " bytes asked with size " + std::to_string(wrong_size) + ")";
    if (!reply.ok()) {
      require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
              sent + " -> " + status_text(reply.status) +
                  "; expected OK listing it missing, or INVALID_ARGUMENT");
      return;
    }
    require(listed(reply.response, asked), sent + " -> OK, " + listed_text(reply.response) +
                                               ": the wrong-size digest is reported present");
  });
}

}  // namespace

void add_find_missing_checks(Catalogue& catalogue) {
  catalogue.add({"cas.find_missing.reports_exactly_absent", "CAS-FMB-01", Level::must,
                 "FindMissingBlobs lists every requested digest that is absent and none that is "
                 "stored"},
                reports_exactly_absent);
  catalogue.add({"cas.find_missing.returns_only_requested", "CAS-FMB-02", Level::must,
                 "Every digest listed missing is one of the requested digests, hash and size"},
                returns_only_requested);
  catalogue.add({"cas.find_missing.all_absent_is_ok", "CAS-FMB-03", Level::must,
                 "A request whose digests are all absent succeeds and lists them; absence is "
                 "never an error status"},
                all_absent_is_ok);
  catalogue.add({"cas.find_missing.empty_request", "CAS-FMB-04", Level::must,
                 "A request with no digests succeeds with an empty list"},
                empty_request);
  catalogue.add({"cas.find_missing.empty_blob_never_missing", "CAS-FMB-05", Level::must,
                 "The empty-blob digest is never listed missing"},
                empty_blob_never_missing);
  catalogue.add({"cas.find_missing.duplicates_consistent", "CAS-FMB-06", Level::should,
                 "A digest asked several times is listed (once or per occurrence) if absent and "
                 "never if stored"},
                duplicates_consistent);
  catalogue.not_checkable({"cas.find_missing.refreshes_lifetime", "CAS-FMB-07", Level::should,
                           "Blobs reported present have their retention extended"},
                          "retention is internal to the server; nothing observable from outside "
                          "within a test run");
  catalogue.add({"cas.find_missing.rejects_malformed_digest", "CAS-FMB-08", Level::should,
                 "A request with a malformed digest (bad hash, negative size) fails with "
                 "INVALID_ARGUMENT"},
                rejects_malformed_digest);
  catalogue.add({"cas.find_missing.wrong_size_is_missing", "CAS-FMB-09", Level::must,
                 "A stored blob's hash with a wrong size is listed missing or rejected, never "
                 "reported present"},
                wrong_size_is_missing);
}

}  // namespace conformance
