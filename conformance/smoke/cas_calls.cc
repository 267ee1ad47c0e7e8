// FindMissingBlobs, BatchUpdateBlobs and BatchReadBlobs (shared/reapi/cas.md 1-3).

#include <algorithm>

#include "reapi/status.h"
#include "smoke.h"

namespace smoke {
namespace {

// The response entry for `digest`, or null when the server sent none.
template <typename Responses>
auto find_response(const Responses& responses, const v2::Digest& digest)
    -> decltype(&*responses.begin()) {
  for (const auto& r : responses) {
    if (same_digest(r.digest(), digest)) return &r;
  }
  return nullptr;
}

std::string code_of(const google::rpc::Status* status) {
  return status ? reapi::code_name(status->code()) : std::string("no response");
}

std::string digest_list(const google::protobuf::RepeatedPtrField<v2::Digest>& digests) {
  std::string out = "[";
  for (int i = 0; i < digests.size(); ++i) out += (i ? ", " : "") + brief(digests[i]);
  return out + "]";
}

void find_missing(Smoke& s, std::string_view what, const std::vector<v2::Digest>& present,
                  const std::vector<v2::Digest>& absent, std::string_view rules) {
  v2::FindMissingBlobsRequest request;
  request.set_instance_name(s.instance());
  request.set_digest_function(s.function_proto());
  for (const auto& d : present) *request.add_blob_digests() = d;
  for (const auto& d : absent) *request.add_blob_digests() = d;
  v2::FindMissingBlobsResponse response;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.cas->FindMissingBlobs(&context, request, &response);

  Expect expect;
  expect.code(status, grpc::StatusCode::OK);
  if (status.ok()) {
    const auto& missing = response.missing_blob_digests();
    auto listed = [&](const v2::Digest& d) {
      return std::any_of(missing.begin(), missing.end(),
                         [&](const v2::Digest& m) { return same_digest(m, d); });
    };
    for (const auto& d : absent) expect.that(listed(d), brief(d) + " listed missing");
    for (const auto& d : present) expect.that(!listed(d), brief(d) + " not listed");
    expect.that(missing.size() == static_cast<int>(absent.size()),
                "exactly " + std::to_string(absent.size()) + " missing");
  }
  std::string sent(what);
  sent += " ";
  sent += rules;
  s.report.call("FindMissingBlobs", sent, status,
                status.ok() ? "missing " + digest_list(response.missing_blob_digests()) : "",
                expect);
}

}  // namespace

bool upload_blobs(Smoke& s, std::string_view what, const std::vector<Blob>& blobs) {
  v2::BatchUpdateBlobsRequest request;
  request.set_instance_name(s.instance());
  request.set_digest_function(s.function_proto());
  for (const Blob& b : blobs) {
    auto* entry = request.add_requests();
    *entry->mutable_digest() = b.digest;
    entry->set_data(b.data);
  }
  v2::BatchUpdateBlobsResponse response;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.cas->BatchUpdateBlobs(&context, request, &response);

  Expect expect;
  expect.code(status, grpc::StatusCode::OK);
  int stored = 0;
  if (status.ok()) {
    for (const Blob& b : blobs) {
      const auto* r = find_response(response.responses(), b.digest);
      const bool ok = r && r->status().code() == 0;
      stored += ok;
      expect.that(ok, brief(b.digest) + " stored, got " + code_of(r ? &r->status() : nullptr));
    }
  }
  s.report.call(
      "BatchUpdateBlobs", what, status,
      status.ok() ? std::to_string(stored) + "/" + std::to_string(blobs.size()) + " stored" : "",
      expect);
  return expect.met();
}

void cas_calls(Smoke& s) {
  const std::string fresh = s.random.bytes(static_cast<std::size_t>(s.random.between(100, 4096)));
  const v2::Digest empty = s.digest_proto("");
  find_missing(s, "[fresh " + brief(s.digest(fresh)) + ", empty blob]", {empty},
               {s.digest_proto(fresh)}, "(CAS-FMB-01, CAS-FMB-05)");

  // Two good blobs and one whose data differs from its digest in one byte.
  const std::string good1 = s.random.bytes(static_cast<std::size_t>(s.random.between(1, 1024)));
  const std::string good2 = s.random.bytes(static_cast<std::size_t>(s.random.between(1025, 16384)));
  const std::string original = s.random.bytes(1000);
  std::string corrupted = original;
  corrupted[static_cast<std::size_t>(s.random.between(0, 999))] ^= 0x01;
  const v2::Digest d1 = s.digest_proto(good1);
  const v2::Digest d2 = s.digest_proto(good2);
  const v2::Digest bad = s.digest_proto(original);

  v2::BatchUpdateBlobsRequest update;
  update.set_instance_name(s.instance());
  update.set_digest_function(s.function_proto());
  for (const Blob& b : std::vector<Blob>{{d1, good1}, {d2, good2}, {bad, corrupted}}) {
    auto* entry = update.add_requests();
    *entry->mutable_digest() = b.digest;
    entry->set_data(b.data);
  }
  v2::BatchUpdateBlobsResponse updated;
  {
    grpc::ClientContext context;
    s.target.prepare(context);
    const grpc::Status status = s.cas->BatchUpdateBlobs(&context, update, &updated);
    Expect expect;
    expect.code(status, grpc::StatusCode::OK);
    std::string got;
    if (status.ok()) {
      const auto* r1 = find_response(updated.responses(), d1);
      const auto* r2 = find_response(updated.responses(), d2);
      const auto* rb = find_response(updated.responses(), bad);
      expect.that(r1 && r1->status().code() == 0, "good blob 1 OK (CAS-BUP-01)")
          .that(r2 && r2->status().code() == 0, "good blob 2 OK (CAS-BUP-01)")
          .that(rb && rb->status().code() == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT),
                "wrong-data blob INVALID_ARGUMENT (CAS-BUP-03)");
      got = "good " + code_of(r1 ? &r1->status() : nullptr) + ", " +
            code_of(r2 ? &r2->status() : nullptr) + "; wrong data " +
            code_of(rb ? &rb->status() : nullptr);
    }
    s.report.call(
        "BatchUpdateBlobs",
        "[good " + brief(d1) + ", good " + brief(d2) + ", wrong data for " + brief(bad) + "]",
        status, got, expect);
  }

  find_missing(s,
               "[stored " + brief(d1) + ", stored " + brief(d2) + ", rejected " + brief(bad) + "]",
               {d1, d2}, {bad}, "(CAS-BUP-14, CAS-BUP-03)");

  // A digest nothing was ever stored under.
  const v2::Digest absent = s.digest_proto(s.random.bytes(64));
  v2::BatchReadBlobsRequest read;
  read.set_instance_name(s.instance());
  read.set_digest_function(s.function_proto());
  *read.add_digests() = d1;
  *read.add_digests() = d2;
  *read.add_digests() = absent;
  v2::BatchReadBlobsResponse response;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.cas->BatchReadBlobs(&context, read, &response);
  Expect expect;
  expect.code(status, grpc::StatusCode::OK);
  std::string got;
  if (status.ok()) {
    const auto* r1 = find_response(response.responses(), d1);
    const auto* r2 = find_response(response.responses(), d2);
    const auto* ra = find_response(response.responses(), absent);
    // No acceptable_compressors were sent, so data comes uncompressed (CAS-BRD-06).
    expect.that(r1 && r1->status().code() == 0 && r1->data() == good1, "blob 1 bytes (CAS-BRD-03)")
        .that(r2 && r2->status().code() == 0 && r2->data() == good2, "blob 2 bytes (CAS-BRD-03)")
        .that(ra && ra->status().code() == static_cast<int>(grpc::StatusCode::NOT_FOUND) &&
                  ra->data().empty(),
              "absent blob NOT_FOUND (CAS-BRD-02)");
    auto describe = [](const auto* r, const std::string& expected) {
      if (!r) return std::string("no response");
      return code_of(&r->status()) +
             (r->status().code() == 0 ? (r->data() == expected ? " equal" : " DIFFERENT") : "");
    };
    got = "stored " + describe(r1, good1) + ", " + describe(r2, good2) + "; absent " +
          describe(ra, "");
  }
  s.report.call(
      "BatchReadBlobs",
      "[stored " + brief(d1) + ", stored " + brief(d2) + ", absent " + brief(absent) + "]", status,
      got, expect);
}

}  // namespace smoke
