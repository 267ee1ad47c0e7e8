// Common rules (common.md, COM-nn): digests, digest functions, the empty blob, instance
// names, metadata headers and the canonical encoding of digested messages.

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <ostream>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/resource_name.h"

namespace conformance {

namespace {

namespace bs = google::bytestream;
using reapi::DigestFunction;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr int kOk = 0;
constexpr int kInvalid = static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT);
constexpr int kNotFound = static_cast<int>(grpc::StatusCode::NOT_FOUND);

// The advertised functions this suite can hash; the run's function when none is advertised.
std::vector<DigestFunction> hashable_functions(const Context& ctx) {
  std::vector<DigestFunction> out;
  for (v2::DigestFunction::Value f : ctx.facts().digest_functions) {
    const auto fn = reapi::digest_function_from_number(f);
    if (fn && reapi::is_hashable(*fn) && std::find(out.begin(), out.end(), *fn) == out.end()) {
      out.push_back(*fn);
    }
  }
  if (out.empty()) out.push_back(ctx.function());
  return out;
}

// Whether a hash of `fn` left without a function name (unset field, no resource-name
// segment) can only mean `fn` on this server: MD5 and MURMUR3 share a length (common.md A4).
bool unambiguous_when_unset(const Context& ctx, DigestFunction fn) {
  if (!reapi::is_inferred_from_length(fn)) return false;
  if (fn == DigestFunction::md5)
    return !ctx.facts().advertises_function(v2::DigestFunction::MURMUR3);
  return true;
}

std::string lower_hex(Context& ctx, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : ctx.unique_bytes(n)) out += kHex[c % 16];
  return out;
}

v2::Digest digest(std::string hash, std::int64_t size) {
  v2::Digest d;
  d.set_hash(std::move(hash));
  d.set_size_bytes(size);
  return d;
}

// A read name for exactly this hash text and size (which may be malformed), in the run's
// instance; the function is inferred from the hash length, as for SHA-256.
std::string raw_read_name(Context& ctx, const std::string& hash, std::int64_t size) {
  return (ctx.instance().empty() ? "" : ctx.instance() + "/") + "blobs/" + hash + "/" +
         std::to_string(size);
}
std::string raw_upload_name(Context& ctx, const std::string& hash, std::int64_t size) {
  return (ctx.instance().empty() ? "" : ctx.instance() + "/") + "uploads/" + ctx.uuid() +
         "/blobs/" + hash + "/" + std::to_string(size);
}

// --- requests for any instance and digest function ---

v2::FindMissingBlobsRequest find_request(const std::string& instance, v2::DigestFunction::Value f,
                                         const std::vector<v2::Digest>& digests) {
  v2::FindMissingBlobsRequest r;
  r.set_instance_name(instance);
  r.set_digest_function(f);
  for (const auto& d : digests) *r.add_blob_digests() = d;
  return r;
}
v2::BatchReadBlobsRequest read_request(const std::string& instance, v2::DigestFunction::Value f,
                                       const std::vector<v2::Digest>& digests) {
  v2::BatchReadBlobsRequest r;
  r.set_instance_name(instance);
  r.set_digest_function(f);
  for (const auto& d : digests) *r.add_digests() = d;
  return r;
}
v2::BatchUpdateBlobsRequest update_request(const std::string& instance, v2::DigestFunction::Value f,
                                           const v2::Digest& d, const std::string& data) {
  v2::BatchUpdateBlobsRequest r;
  r.set_instance_name(instance);
  r.set_digest_function(f);
  auto* entry = r.add_requests();
  *entry->mutable_digest() = d;
  entry->set_data(data);
  return r;
}

bool listed(const v2::FindMissingBlobsResponse& response, const v2::Digest& d) {
  return std::any_of(response.missing_blob_digests().begin(), response.missing_blob_digests().end(),
                     [&](const v2::Digest& m) { return same(m, d); });
}

// The code of a one-entry batch answer: the call's when it failed, else the entry's
// (-1 when the answer has no entry).
template <typename Response>
int batch_code(const Reply<Response>& reply) {
  if (!reply.ok()) return static_cast<int>(reply.code());
  return reply.response.responses_size() == 1 ? reply.response.responses(0).status().code() : -1;
}
template <typename Response>
std::string batch_text(const Reply<Response>& reply) {
  if (!reply.ok()) return reply.request + " -> " + status_text(reply.status);
  std::string out = reply.request + " -> OK";
  for (const auto& r : reply.response.responses()) out += ", entry " + status_text(r.status());
  return out;
}

// ============================================================================ COM-01

void check_hash(Context& ctx, const v2::Digest& d, const std::string& where) {
  const absl::Status s = reapi::validate_hash(ctx.function(), d.hash());
  require(s.ok(), where + " returned the hash '" + d.hash() + "': " + std::string(s.message()) +
                      " (" + std::string(reapi::name(ctx.function())) + ")");
}

// The most blobs and absent digests hashes_lowercase_hex puts in one batch call, and the
// bytes the absent ones count toward the batch limit (sizes 100 to 102).
constexpr int kMaxHexBlobs = 4;
constexpr int kMaxHexAbsent = 3;
constexpr std::int64_t kHexAbsentBytes = 303;

// Every digest the server sends back is lowercase hex of the function's length.
Outcome hashes_lowercase_hex(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  // The blobs go up in one BatchUpdateBlobs and are read back with the absent digests in one
  // BatchReadBlobs: together within the batch limit.
  const std::int64_t each =
      std::min(max_blob(ctx, 64 << 10), (batch_capacity(ctx) - kHexAbsentBytes) / kMaxHexBlobs);
  if (each < 16) {
    return Outcome::skip("the batch limit of " + std::to_string(batch_capacity(ctx)) +
                         " bytes cannot hold the blobs of 16 bytes or more (unique to this run) "
                         "and absent digests this check asks for in one call");
  }
  return property(ctx, [&] {
    const auto sizes = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange(1, kMaxHexBlobs + 1), gen_small_size(each));
    const int absent_count = *rc::gen::inRange(1, kMaxHexAbsent + 1);
    std::vector<Blob> blobs;
    for (std::int64_t s : sizes) blobs.push_back(make_blob(ctx, std::max<std::int64_t>(s, 16)));
    std::vector<v2::Digest> asked;
    for (const Blob& b : blobs) asked.push_back(b.digest);
    for (int i = 0; i < absent_count; ++i) asked.push_back(absent(ctx, 100 + i));

    const auto up = batch_update(ctx, blobs);
    require(up.ok(), "preparing the check: " + up.request + " -> " + status_text(up.status));
    for (const auto& r : up.response.responses()) check_hash(ctx, r.digest(), up.request);
    const auto fm = find_missing(ctx, asked);
    require(fm.ok(), fm.request + " -> " + status_text(fm.status));
    for (const auto& d : fm.response.missing_blob_digests()) check_hash(ctx, d, fm.request);
    const auto br = batch_read(ctx, asked);
    require(br.ok(), br.request + " -> " + status_text(br.status));
    for (const auto& r : br.response.responses()) check_hash(ctx, r.digest(), br.request);

    // A directory of the blobs, through GetTree.
    v2::Directory dir;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      auto* f = dir.add_files();
      f->set_name("f" + std::to_string(i));
      *f->mutable_digest() = blobs[i].digest;
    }
    const Blob dir_blob = blob_of(ctx, dir.SerializeAsString());
    upload(ctx, {dir_blob});
    const TreeWalk tree = get_tree_all(ctx, dir_blob.digest, 0);
    for (const auto& d : tree.directories) {
      for (const auto& f : d.files()) check_hash(ctx, f.digest(), tree.request);
      for (const auto& s : d.directories()) check_hash(ctx, s.digest(), tree.request);
    }
    if (ctx.facts().split_blob) {
      v2::SplitBlobRequest request;
      request.set_instance_name(ctx.instance());
      request.set_digest_function(ctx.function_proto());
      *request.mutable_blob_digest() = blobs[0].digest;
      v2::SplitBlobResponse response;
      grpc::ClientContext context;
      ctx.prepare(context);
      if (ctx.cas().SplitBlob(&context, request, &response).ok()) {
        for (const auto& d : response.chunk_digests()) check_hash(ctx, d, "SplitBlob");
      }
    }
    if (ctx.facts().update_enabled) {
      // Servers may refuse results whose action they do not hold; only answers are checked.
      v2::ActionResult result;
      auto* out = result.add_output_files();
      out->set_path("out/f0");
      *out->mutable_digest() = blobs[0].digest;
      *result.mutable_stdout_digest() = blobs.back().digest;
      const v2::Digest action = absent(ctx, 140);
      const auto stored = update_action_result(ctx, action, result);
      const auto fetched = get_action_result(ctx, action);
      for (const auto* r : {&stored, &fetched}) {
        if (!r->ok()) continue;
        for (const auto& f : r->response.output_files()) check_hash(ctx, f.digest(), r->request);
        if (r->response.has_stdout_digest()) {
          check_hash(ctx, r->response.stdout_digest(), r->request);
        }
      }
    }
  });
}

// ============================================================================ COM-02

enum class Malformed { too_short, too_long, uppercase, non_hex, empty };
void showValue(Malformed m, std::ostream& os) {
  constexpr const char* kNames[] = {"too short", "too long", "upper case", "non-hex", "empty"};
  os << kNames[static_cast<int>(m)];
}
enum class Via { find_missing, batch_read, batch_update, read, write };

std::string malformed_hash(const std::string& hash, Malformed how, std::size_t where) {
  std::string out = hash;
  switch (how) {
    case Malformed::too_short:
      out.resize(where % hash.size());
      break;
    case Malformed::too_long:
      out += std::string("0123456789abcdef").substr(0, 1 + where % 15);
      break;
    case Malformed::uppercase:
      std::transform(out.begin(), out.end(), out.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (out == hash) out[0] = 'G';  // no letter to raise: make it non-hex instead
      break;
    case Malformed::non_hex:
      out[where % out.size()] = std::string("gzG-_.~")[where % 7];
      break;
    case Malformed::empty:
      out.clear();
      break;
  }
  // A length some function has is a well-formed hash of that function in ByteStream names
  // (the function is inferred from the length): keep clear of those lengths.
  for (std::size_t taken : {32u, 40u, 64u, 66u, 96u, 128u}) {
    if (!out.empty() && out.size() == taken && out.size() != hash.size()) out += "0";
  }
  return out;
}

// Sends `d` (data: `data`) through `via`; `ok` says whether the server took it as a valid
// digest (answered with data, stored it, or said it is present), `invalid` whether it said
// INVALID_ARGUMENT, `text` what happened.
struct Verdict {
  bool accepted = false;
  bool invalid = false;
  std::string text;
};

Verdict send_digest(Context& ctx, Via via, const v2::Digest& d, const std::string& data) {
  Verdict v;
  switch (via) {
    case Via::find_missing: {
      const auto r = find_missing(ctx, {d});
      v.accepted = r.ok() && !listed(r.response, d);
      v.invalid = r.code() == grpc::StatusCode::INVALID_ARGUMENT;
      v.text = r.request + " -> " + status_text(r.status) +
               (r.ok() ? ", " + brief(r.response) : "") +
               (v.accepted ? " (not listed missing: reported present)" : "");
      break;
    }
    case Via::batch_read: {
      const auto r = batch_read(ctx, {d});
      v.accepted = batch_code(r) == kOk;
      v.invalid = batch_code(r) == kInvalid;
      v.text = batch_text(r);
      break;
    }
    case Via::batch_update: {
      const auto r =
          batch_update_raw(ctx, update_request(ctx.instance(), ctx.function_proto(), d, data));
      v.accepted = batch_code(r) == kOk;
      v.invalid = batch_code(r) == kInvalid;
      v.text = batch_text(r);
      break;
    }
    case Via::read: {
      const ReadResult r = read(ctx, raw_read_name(ctx, d.hash(), d.size_bytes()));
      v.accepted = r.status.ok();
      v.invalid = r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
      v.text = r.request + " -> " + status_text(r.status);
      break;
    }
    case Via::write: {
      const WriteResult w = write(ctx, raw_upload_name(ctx, d.hash(), d.size_bytes()), data);
      v.accepted = w.status.ok();
      v.invalid = w.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
      v.text = w.request + " -> " + status_text(w.status);
      break;
    }
  }
  return v;
}

// Each case sends its digest through every call: a handful of cheap calls.
constexpr std::array<Via, 5> kEveryVia{Via::find_missing, Via::batch_read, Via::batch_update,
                                       Via::read, Via::write};

// A malformed hash is refused with INVALID_ARGUMENT. Taking it as valid is a warning for an
// upper-case copy of a real hash (some servers normalise, common.md A1) and a failure
// otherwise: no blob can have such a digest.
Outcome rejects_malformed_hash(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return property(ctx, [&] {
    // Within the batch limit, so a batch call can only refuse the blob for its hash.
    const std::int64_t size =
        std::max<std::int64_t>(*gen_small_size(max_batch_blob(ctx, 4096)), 16);
    const Malformed how =
        *rc::gen::element(Malformed::too_short, Malformed::too_long, Malformed::uppercase,
                          Malformed::non_hex, Malformed::empty);
    const auto where = *rc::gen::inRange<std::size_t>(0, 1000);
    const Blob blob = make_blob(ctx, size);
    upload(ctx, {blob});
    // The drawn kind, and always an upper-case copy (the kind servers most often take).
    std::vector<Malformed> kinds{how};
    if (how != Malformed::uppercase) kinds.push_back(Malformed::uppercase);
    for (Malformed kind : kinds) {
      const v2::Digest bad = digest(malformed_hash(blob.digest.hash(), kind, where), size);
      for (Via via : kEveryVia) {
        const Verdict v = send_digest(ctx, via, bad, blob.data);
        if (kind != Malformed::uppercase) {
          require_at(ctx, Level::must, !v.accepted,
                     v.text + ": the hash '" + bad.hash() + "' is not a hash any blob can have");
        }
        should(ctx, v.invalid,
               v.text + ": expected INVALID_ARGUMENT for the malformed hash '" + bad.hash() + "'");
      }
    }
  });
}

// ============================================================================ COM-03

// One call with (hash of `blob`, another size): it must not name the blob.
void check_other_size(Context& ctx, Via via, const Blob& blob, const v2::Digest& wrong) {
  const std::string sent_with = " (the hash of a stored " +
                                std::to_string(blob.digest.size_bytes()) + "-byte blob with size " +
                                std::to_string(wrong.size_bytes()) + ")";
  switch (via) {
    case Via::find_missing: {
      const auto r = find_missing(ctx, {wrong});
      require(
          (r.ok() && listed(r.response, wrong)) || r.code() == grpc::StatusCode::INVALID_ARGUMENT,
          r.request + " -> " + status_text(r.status) + ", " + brief(r.response) + sent_with +
              ": must be listed missing or refused");
      return;
    }
    case Via::batch_read: {
      const auto r = batch_read(ctx, {wrong});
      require(batch_code(r) != kOk, batch_text(r) + sent_with + ": returned data");
      should(ctx, batch_code(r) == kNotFound || batch_code(r) == kInvalid,
             batch_text(r) + sent_with + ": expected NOT_FOUND or INVALID_ARGUMENT");
      return;
    }
    case Via::read: {
      const ReadResult r = read(ctx, read_name(ctx, wrong));
      require(!r.status.ok() && r.data.empty(), r.request + " -> " + status_text(r.status) +
                                                    " with " + std::to_string(r.data.size()) +
                                                    " bytes" + sent_with);
      should(ctx,
             r.status.error_code() == grpc::StatusCode::NOT_FOUND ||
                 r.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
             r.request + " -> " + status_text(r.status) + sent_with +
                 ": expected NOT_FOUND or INVALID_ARGUMENT");
      return;
    }
    case Via::batch_update:
    case Via::write: {
      const Verdict v = send_digest(ctx, via, wrong, blob.data);
      require(!v.accepted, v.text + sent_with + ": the data has another length");
      should(ctx, v.invalid, v.text + sent_with + ": expected INVALID_ARGUMENT");
      const auto after = find_missing(ctx, {wrong});
      require((after.ok() && listed(after.response, wrong)) ||
                  after.code() == grpc::StatusCode::INVALID_ARGUMENT,
              after.request + " -> " + status_text(after.status) + ", " + brief(after.response) +
                  " after the refused " + v.text);
      return;
    }
  }
}

// (hash of a stored blob, another size) never names that blob.
Outcome size_is_part_of_digest(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return property(ctx, [&] {
    // Within the batch limit, so BatchUpdateBlobs judges the data, not its amount.
    const std::int64_t size =
        std::max<std::int64_t>(*gen_small_size(max_batch_blob(ctx, 64 << 10)), 1);
    const std::int64_t other = *rc::gen::element(size + 1, size - 1, size * 2, size + 1000);
    const Blob blob = make_blob(ctx, size);
    upload(ctx, {blob});
    for (Via via : kEveryVia) check_other_size(ctx, via, blob, digest(blob.digest.hash(), other));
  });
}

// ============================================================================ COM-04

// A negative size is refused with INVALID_ARGUMENT; it never names a blob.
Outcome rejects_negative_size(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t negative =
        *rc::gen::oneOf(rc::gen::just<std::int64_t>(-1),
                        rc::gen::just<std::int64_t>(std::numeric_limits<std::int64_t>::min()),
                        rc::gen::inRange<std::int64_t>(-(std::int64_t{1} << 40), 0));
    const bool stored_hash = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, 64);
    if (stored_hash) upload(ctx, {blob});
    const v2::Digest bad = digest(
        stored_hash ? blob.digest.hash() : lower_hex(ctx, blob.digest.hash().size()), negative);
    for (Via via : kEveryVia) {
      const Verdict v = send_digest(ctx, via, bad, blob.data);
      require_at(ctx, Level::must, !v.accepted,
                 v.text + ": no blob has the size " + std::to_string(negative));
      should(ctx, v.invalid,
             v.text + ": expected INVALID_ARGUMENT for size " + std::to_string(negative));
    }
  });
}

// ============================================================================ COM-05

// The empty blob is there for every advertised function, through every read path.
Outcome empty_blob_always_present(Context& ctx) {
  return once(ctx, [&] {
    for (DigestFunction fn : hashable_functions(ctx)) {
      const v2::Digest empty = to_v2(reapi::empty_digest(fn));
      const std::string fn_name(reapi::name(fn));
      const auto fm = find_missing_raw(ctx, find_request(ctx.instance(), proto_of(fn), {empty}));
      require(fm.ok() && !listed(fm.response, empty),
              fm.request + " -> " + status_text(fm.status) + ", " + brief(fm.response) +
                  ": the empty blob (" + fn_name + ") is never missing");
      const auto br = batch_read_raw(ctx, read_request(ctx.instance(), proto_of(fn), {empty}));
      require(br.ok() && br.response.responses_size() == 1 &&
                  br.response.responses(0).status().code() == 0 &&
                  br.response.responses(0).data().empty(),
              batch_text(br) + ": the empty blob (" + fn_name + ") reads as OK with no data");
      if (unambiguous_when_unset(ctx, fn)) {
        const ReadResult r = read(ctx, raw_read_name(ctx, empty.hash(), 0));
        require(r.status.ok() && r.data.empty(), r.request + " -> " + status_text(r.status) +
                                                     " with " + std::to_string(r.data.size()) +
                                                     " bytes: the empty blob reads as nothing");
      }
    }
    const TreeWalk tree = get_tree_all(ctx, empty_blob_digest(ctx), 0);
    if (tree.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return;
    require(
        tree.status.ok() && tree.directories.size() == 1 && tree.directories[0].ByteSizeLong() == 0,
        tree.request + " -> " + status_text(tree.status) + ", " +
            std::to_string(tree.directories.size()) +
            " directories: the empty blob is the empty Directory, one directory in all");
  });
}

// ============================================================================ COM-06

Outcome empty_blob_upload_accepted(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return once(ctx, [&] {
    const Blob empty = blob_of(ctx, "");
    const auto up = batch_update(ctx, {empty});
    require(batch_code(up) == kOk, batch_text(up) + ": uploading the empty blob must succeed");
    const WriteResult w = write(ctx, upload_name(ctx, empty.digest), "");
    require(w.status.ok() && w.committed_size == 0,
            w.request + " -> " + status_text(w.status) +
                (w.status.ok() ? ", committed_size " + std::to_string(w.committed_size) : "") +
                "; expected OK, committed_size 0");
  });
}

// ============================================================================ COM-07

// An explicit digest_function decides how each digest of the request is read.
Outcome explicit_digest_function(Context& ctx) {
  if (ctx.facts().digest_functions.empty()) {
    return Outcome::skip("the server advertises no digest functions");
  }
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  const std::vector<DigestFunction> fns = hashable_functions(ctx);
  return property(ctx, [&] {
    const DigestFunction fn = *rc::gen::elementOf(fns);
    // The batch calls carry the digest_function on trial: the blob fits one.
    const std::int64_t size = *gen_small_size(max_batch_blob(ctx, 64 << 10));
    const std::string data = ctx.unique_bytes(static_cast<std::size_t>(size));
    const v2::Digest d = to_v2(reapi::digest_of(fn, data));
    const auto f = proto_of(fn);
    const std::string as = " with digest_function " + std::string(reapi::name(fn));
    const auto up = batch_update_raw(ctx, update_request(ctx.instance(), f, d, data));
    require(batch_code(up) == kOk, batch_text(up) + as);
    const auto fm = find_missing_raw(ctx, find_request(ctx.instance(), f, {d}));
    require(fm.ok() && !listed(fm.response, d), fm.request + " -> " + status_text(fm.status) +
                                                    ", " + brief(fm.response) + as +
                                                    ", right after " + batch_text(up));
    const auto br = batch_read_raw(ctx, read_request(ctx.instance(), f, {d}));
    require(
        batch_code(br) == kOk && br.response.responses(0).data() == data,
        batch_text(br) + as +
            (batch_code(br) == kOk ? ", " + first_difference(br.response.responses(0).data(), data)
                                   : ""));
  });
}

// ============================================================================ COM-08

// With digest_function unset, the hash length picks the function.
Outcome digest_function_inferred_when_unset(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  std::vector<DigestFunction> fns;
  for (DigestFunction fn : hashable_functions(ctx)) {
    if (unambiguous_when_unset(ctx, fn)) fns.push_back(fn);
  }
  if (fns.empty()) return Outcome::skip("no advertised function is inferred from hash length");
  return property(ctx, [&] {
    const DigestFunction fn = *rc::gen::elementOf(fns);
    const bool upload_unset = *rc::gen::arbitrary<bool>();
    // The batch calls carry the digest_function on trial (or leave it unset): the blob fits one.
    const std::int64_t size = *gen_small_size(max_batch_blob(ctx, 64 << 10));
    const std::string data = ctx.unique_bytes(static_cast<std::size_t>(size));
    const v2::Digest d = to_v2(reapi::digest_of(fn, data));
    const auto unset = v2::DigestFunction::UNKNOWN;
    const auto up = batch_update_raw(
        ctx, update_request(ctx.instance(), upload_unset ? unset : proto_of(fn), d, data));
    require(batch_code(up) == kOk,
            batch_text(up) + " (digest_function " +
                (upload_unset ? std::string("unset") : std::string(reapi::name(fn))) + ")");
    const auto later = upload_unset ? proto_of(fn) : unset;
    const std::string as = std::string(" (digest_function ") +
                           (upload_unset ? std::string(reapi::name(fn)) : "unset") + ") after " +
                           batch_text(up) + " with it " + (upload_unset ? "unset" : "set");
    const auto fm = find_missing_raw(ctx, find_request(ctx.instance(), later, {d}));
    require(fm.ok() && !listed(fm.response, d),
            fm.request + " -> " + status_text(fm.status) + ", " + brief(fm.response) + as);
    const auto br = batch_read_raw(ctx, read_request(ctx.instance(), later, {d}));
    require(batch_code(br) == kOk && br.response.responses(0).data() == data, batch_text(br) + as);
  });
}

// ============================================================================ COM-09

// The calls rejects_unsupported_digest_function makes.
enum class FnRpc { find_missing, batch_read, batch_update, get_tree };
void showValue(FnRpc r, std::ostream& os) {
  constexpr const char* kNames[] = {"FindMissingBlobs", "BatchReadBlobs", "BatchUpdateBlobs",
                                    "GetTree"};
  os << kNames[static_cast<int>(r)];
}

// A digest function the server does not advertise is refused with INVALID_ARGUMENT.
Outcome rejects_unsupported_digest_function(Context& ctx) {
  if (ctx.facts().digest_functions.empty()) {
    return Outcome::skip(
        "the server advertises no digest functions, so none is known to be "
        "unsupported");
  }
  std::vector<DigestFunction> unsupported;
  for (int f = 1; f <= 10; ++f) {
    if (!ctx.facts().advertises_function(static_cast<v2::DigestFunction::Value>(f))) {
      unsupported.push_back(*reapi::digest_function_from_number(f));
    }
  }
  // Hash lengths that no advertised length-inferred function has.
  std::vector<std::size_t> lengths{30, 50, 72};
  for (int f = 1; f <= 10; ++f) {
    const auto fn = *reapi::digest_function_from_number(f);
    if (!reapi::is_inferred_from_length(fn)) continue;
    bool taken = false;
    for (auto a : ctx.facts().digest_functions) {
      const auto afn = reapi::digest_function_from_number(a);
      taken |= afn && reapi::is_inferred_from_length(*afn) &&
               reapi::hex_length(*afn) == reapi::hex_length(fn);
    }
    if (!taken) lengths.push_back(reapi::hex_length(fn));
  }
  // A read-only server may refuse uploads before it looks at the digest function.
  std::vector<FnRpc> rpcs{FnRpc::find_missing, FnRpc::batch_read, FnRpc::get_tree};
  if (!writes_refused(ctx)) rpcs.push_back(FnRpc::batch_update);
  return property(ctx, [&] {
    const bool explicit_field = !unsupported.empty() && *rc::gen::arbitrary<bool>();
    std::optional<DigestFunction> fn;
    std::size_t length = 0;
    if (explicit_field) {
      fn = *rc::gen::elementOf(unsupported);
      length = reapi::hex_length(*fn);
    } else {
      length = *rc::gen::elementOf(lengths);
    }
    const FnRpc rpc = *rc::gen::elementOf(rpcs);
    const v2::Digest d = digest(lower_hex(ctx, length), 64);
    const auto f = fn ? proto_of(*fn) : v2::DigestFunction::UNKNOWN;
    const std::string as =
        fn ? " (digest_function " + std::string(reapi::name(*fn)) + ", not advertised)"
           : " (digest_function unset, a " + std::to_string(length) +
                 "-character hash that no advertised function has)";
    bool accepted = false, invalid = false;
    std::string text;
    switch (rpc) {
      case FnRpc::find_missing: {
        const auto r = find_missing_raw(ctx, find_request(ctx.instance(), f, {d}));
        accepted = r.ok() && !listed(r.response, d);
        invalid = r.code() == grpc::StatusCode::INVALID_ARGUMENT;
        text =
            r.request + " -> " + status_text(r.status) + (r.ok() ? ", " + brief(r.response) : "");
        break;
      }
      case FnRpc::batch_read: {
        const auto r = batch_read_raw(ctx, read_request(ctx.instance(), f, {d}));
        accepted = batch_code(r) == kOk;
        invalid = batch_code(r) == kInvalid;
        text = batch_text(r);
        break;
      }
      case FnRpc::batch_update: {
        const auto r =
            batch_update_raw(ctx, update_request(ctx.instance(), f, d, ctx.unique_bytes(64)));
        accepted = batch_code(r) == kOk;
        invalid = batch_code(r) == kInvalid;
        text = batch_text(r);
        break;
      }
      case FnRpc::get_tree: {
        v2::GetTreeRequest request;
        request.set_instance_name(ctx.instance());
        request.set_digest_function(f);
        *request.mutable_root_digest() = d;
        const TreeStream t = get_tree_raw(ctx, request, 10);
        std::size_t dirs = 0;
        for (const auto& m : t.messages) dirs += static_cast<std::size_t>(m.directories_size());
        accepted = t.status.ok() && dirs > 0;
        invalid = t.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
        text = t.request + " -> " + status_text(t.status);
        break;
      }
    }
    require_at(ctx, Level::must, !accepted,
               text + as + ": took a random digest as present or as matching its data");
    should(ctx, invalid, text + as + ": expected INVALID_ARGUMENT (common.md A2)");
  });
}

// ============================================================================ COM-10

// A request mixing hash lengths (field unset) is answered or refused: only recorded.
Outcome mixed_digest_functions(Context& ctx) {
  std::optional<DigestFunction> first, second;
  for (DigestFunction fn : hashable_functions(ctx)) {
    if (!unambiguous_when_unset(ctx, fn)) continue;
    if (!first) {
      first = fn;
    } else if (reapi::hex_length(fn) != reapi::hex_length(*first)) {
      second = fn;
      break;
    }
  }
  if (!second) {
    return Outcome::skip("the server advertises no two length-inferred digest functions to mix");
  }
  const v2::Digest a = digest(lower_hex(ctx, reapi::hex_length(*first)), 64);
  const v2::Digest b = digest(lower_hex(ctx, reapi::hex_length(*second)), 64);
  const auto r =
      find_missing_raw(ctx, find_request(ctx.instance(), v2::DigestFunction::UNKNOWN, {a, b}));
  const std::string text = "FindMissingBlobs of an absent " + std::string(reapi::name(*first)) +
                           " and an absent " + std::string(reapi::name(*second)) +
                           " digest, digest_function unset -> " + status_text(r.status);
  if (r.code() == grpc::StatusCode::INVALID_ARGUMENT) return Outcome::pass(text);
  if (r.ok() && listed(r.response, a) && listed(r.response, b)) {
    return Outcome::pass(text + ", both listed missing");
  }
  return Outcome::fail(text + ", " + brief(r.response) +
                       ": expected both listed missing, or INVALID_ARGUMENT");
}

// ============================================================================ COM-11

// A blob stored under the run's instance is found there by every read path.
Outcome instance_name_consistent(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = *gen_blob_size(ctx, 2 * kMiB);
    const bool via_bytestream = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size);
    if (via_bytestream) {
      upload_bytestream(ctx, blob);
    } else {
      upload(ctx, {blob});
    }
    const std::string where = " in instance '" + ctx.instance() + "', where the blob was stored " +
                              (via_bytestream ? "by ByteStream Write" : "by BatchUpdateBlobs");
    const auto fm = find_missing(ctx, {blob.digest});
    require(fm.ok() && !listed(fm.response, blob.digest),
            fm.request + " -> " + status_text(fm.status) + ", " + brief(fm.response) + where);
    const ReadResult r = read(ctx, read_name(ctx, blob.digest));
    require(r.status.ok() && r.data == blob.data, r.request + " -> " + status_text(r.status) +
                                                      ", " + first_difference(r.data, blob.data) +
                                                      where);
    if (fits_batch(ctx, size)) {
      const auto br = batch_read(ctx, {blob.digest});
      require(batch_code(br) == kOk && br.response.responses(0).data() == blob.data,
              batch_text(br) + where);
    }
    v2::Directory dir;
    auto* file = dir.add_files();
    file->set_name("blob");
    *file->mutable_digest() = blob.digest;
    const Blob dir_blob = blob_of(ctx, dir.SerializeAsString());
    upload(ctx, {dir_blob});
    const TreeWalk tree = get_tree_all(ctx, dir_blob.digest, 0);
    if (tree.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return;
    require(tree.status.ok() && tree.directories.size() == 1 &&
                tree.directories[0].SerializeAsString() == dir_blob.data,
            tree.request + " -> " + status_text(tree.status) + ", " +
                std::to_string(tree.directories.size()) + " directories" + where);
  });
}

// ============================================================================ COM-12

constexpr std::array<const char*, 7> kReserved{"blobs",           "uploads",    "actions",
                                               "actionResults",   "operations", "capabilities",
                                               "compressed-blobs"};

enum class InstanceRpc { find_missing, batch_read, capabilities };
void showValue(InstanceRpc r, std::ostream& os) {
  constexpr const char* kNames[] = {"FindMissingBlobs", "BatchReadBlobs", "GetCapabilities"};
  os << kNames[static_cast<int>(r)];
}

// An instance name with a reserved segment is refused (or unknown); OK is a warning.
Outcome reserved_instance_segments(Context& ctx) {
  return property(ctx, [&] {
    const std::string word = *rc::gen::elementOf(kReserved);
    const int placement = *rc::gen::inRange(0, 5);
    const InstanceRpc rpc = *rc::gen::element(InstanceRpc::find_missing, InstanceRpc::batch_read,
                                              InstanceRpc::capabilities);
    std::string instance = word;
    if (placement == 1) instance = word + "/x";
    if (placement == 2) instance = "x/" + word;
    if (placement == 3) instance = "a/" + word + "/b";
    if (placement == 4 && !ctx.instance().empty()) instance = ctx.instance() + "/" + word;
    grpc::StatusCode code = grpc::StatusCode::OK;
    std::string text;
    const v2::Digest d = absent(ctx, 64);
    switch (rpc) {
      case InstanceRpc::find_missing: {
        const auto r = find_missing_raw(ctx, find_request(instance, ctx.function_proto(), {d}));
        code = r.code();
        text = r.request + " -> " + status_text(r.status);
        break;
      }
      case InstanceRpc::batch_read: {
        const auto r = batch_read_raw(ctx, read_request(instance, ctx.function_proto(), {d}));
        code = r.code();
        text = r.request + " -> " + status_text(r.status);
        break;
      }
      case InstanceRpc::capabilities: {
        const auto r = get_capabilities(ctx, instance);
        code = r.code();
        text = r.request + " -> " + status_text(r.status);
        break;
      }
    }
    should(ctx,
           code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::NOT_FOUND ||
               code == grpc::StatusCode::PERMISSION_DENIED,
           text + ": '" + word +
               "' is a reserved word, never part of an instance name; "
               "expected INVALID_ARGUMENT (or NOT_FOUND / PERMISSION_DENIED)");
  });
}

// ============================================================================ COM-13

// An unknown instance: refused with one of the usual codes, or served (names ignored).
Outcome unknown_instance_name(Context& ctx) {
  const std::string instance = "no-such-instance-" + ctx.uuid();
  const v2::Digest d = absent(ctx, 64);
  // (code, "<call>: <status>"); the note on a pass lists the codes only.
  std::vector<std::pair<grpc::StatusCode, std::string>> answers;
  {
    const auto r = find_missing_raw(ctx, find_request(instance, ctx.function_proto(), {d}));
    answers.emplace_back(r.code(), "FindMissingBlobs: " + status_text(r.status));
  }
  {
    const auto r = batch_read_raw(ctx, read_request(instance, ctx.function_proto(), {d}));
    answers.emplace_back(r.code(), "BatchReadBlobs: " + status_text(r.status));
  }
  {
    const auto r = get_capabilities(ctx, instance);
    answers.emplace_back(r.code(), "GetCapabilities: " + status_text(r.status));
  }
  {
    reapi::BlobResourceName name;
    name.instance_name = instance;
    name.digest = reapi::from_proto(d);
    const ReadResult r = read(ctx, reapi::format_read_resource_name(name));
    // NOT_FOUND is also what a server ignoring instance names answers here.
    answers.emplace_back(r.status.error_code(), "ByteStream Read: " + status_text(r.status));
  }
  std::string all = "instance_name '" + instance + "':";
  for (const auto& [code, text] : answers) {
    const bool usual = code == grpc::StatusCode::OK || code == grpc::StatusCode::INVALID_ARGUMENT ||
                       code == grpc::StatusCode::NOT_FOUND ||
                       code == grpc::StatusCode::PERMISSION_DENIED;
    if (!usual) {
      return Outcome::fail(all + " " + text +
                           ": expected INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED "
                           "(or OK from a server that ignores instance names)");
    }
    all += " " + std::string(text.substr(0, text.find(" ("))) + ";";
  }
  return Outcome::pass(all);
}

// ============================================================================ COM-14, COM-15

// One call with extra headers, through the generated stubs.
template <typename Call>
grpc::Status with_headers(Context& ctx, const Headers& headers, std::int64_t payload, Call call) {
  grpc::ClientContext context;
  ctx.prepare(context, payload);
  for (const auto& [name, value] : headers) context.AddMetadata(name, value);
  return call(context);
}

struct Seen {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string result;  // what the answer carried that must not change with the header
  std::string text;
};

Seen read_with(Context& ctx, const Headers& headers, const std::string& name, std::int64_t size) {
  bs::ReadRequest request;
  request.set_resource_name(name);
  std::string data;
  const grpc::Status s = with_headers(ctx, headers, size, [&](grpc::ClientContext& c) {
    auto reader = ctx.bytestream().Read(&c, request);
    bs::ReadResponse m;
    while (reader->Read(&m)) data += m.data();
    return reader->Finish();
  });
  return {s.error_code(), data, "Read " + name + " -> " + status_text(s)};
}

// The upload goes in messages of chunk_size(), as every Write of the suite, never over what
// the server may receive in one.
Seen write_with(Context& ctx, const Headers& headers, const std::string& name,
                const std::string& data) {
  bs::WriteResponse response;
  const auto size = static_cast<std::int64_t>(data.size());
  const std::int64_t chunk = ctx.chunk_size();
  int messages = 0;
  const grpc::Status s = with_headers(ctx, headers, size, [&](grpc::ClientContext& c) {
    auto writer = ctx.bytestream().Write(&c, &response);
    for (std::int64_t at = 0; at < size || messages == 0; at += chunk) {
      bs::WriteRequest r;
      if (at == 0) r.set_resource_name(name);
      r.set_write_offset(at);
      r.set_data(data.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(chunk)));
      r.set_finish_write(at + chunk >= size);
      ++messages;
      if (!writer->Write(r)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  });
  return {s.error_code(), s.ok() ? std::to_string(response.committed_size()) : "",
          "Write " + name + " of " + std::to_string(size) + " bytes in " +
              std::to_string(messages) + " message(s) -> " + status_text(s) +
              (s.ok() ? ", committed_size " + std::to_string(response.committed_size()) : "")};
}

enum class HeaderRpc { find_missing, batch_read, batch_update, capabilities, read, write };
void showValue(HeaderRpc r, std::ostream& os) {
  constexpr const char* kNames[] = {"FindMissingBlobs", "BatchReadBlobs",  "BatchUpdateBlobs",
                                    "GetCapabilities",  "ByteStream Read", "ByteStream Write"};
  os << kNames[static_cast<int>(r)];
}

Seen call_with(Context& ctx, const Headers& headers, HeaderRpc rpc, const Blob& stored,
               const Blob& fresh) {
  const v2::Digest missing = absent(ctx, 77);
  switch (rpc) {
    case HeaderRpc::find_missing: {
      const auto request =
          find_request(ctx.instance(), ctx.function_proto(), {stored.digest, missing});
      v2::FindMissingBlobsResponse response;
      const grpc::Status s = with_headers(ctx, headers, 0, [&](grpc::ClientContext& c) {
        return ctx.cas().FindMissingBlobs(&c, request, &response);
      });
      // The absent digest differs per call; what matters is whether the stored one is listed.
      return {
          s.error_code(), listed(response, stored.digest) ? "stored blob listed" : "",
          "FindMissingBlobs " + brief(request) + " -> " + status_text(s) + ", " + brief(response)};
    }
    case HeaderRpc::batch_read: {
      const auto request = read_request(ctx.instance(), ctx.function_proto(), {stored.digest});
      v2::BatchReadBlobsResponse response;
      const grpc::Status s = with_headers(
          ctx, headers, stored.digest.size_bytes(),
          [&](grpc::ClientContext& c) { return ctx.cas().BatchReadBlobs(&c, request, &response); });
      return {s.error_code(), response.SerializeAsString(),
              "BatchReadBlobs of " + brief(stored.digest) + " -> " + status_text(s)};
    }
    case HeaderRpc::batch_update: {
      const auto request =
          update_request(ctx.instance(), ctx.function_proto(), fresh.digest, fresh.data);
      v2::BatchUpdateBlobsResponse response;
      const grpc::Status s =
          with_headers(ctx, headers, fresh.digest.size_bytes(), [&](grpc::ClientContext& c) {
            return ctx.cas().BatchUpdateBlobs(&c, request, &response);
          });
      const int code = response.responses_size() == 1 ? response.responses(0).status().code() : -1;
      return {s.error_code(), std::to_string(code),
              "BatchUpdateBlobs of " + brief(fresh.digest) + " -> " + status_text(s) +
                  ", entry code " + std::to_string(code)};
    }
    case HeaderRpc::capabilities: {
      v2::GetCapabilitiesRequest request;
      request.set_instance_name(ctx.instance());
      v2::ServerCapabilities response;
      const grpc::Status s = with_headers(ctx, headers, 0, [&](grpc::ClientContext& c) {
        return ctx.capabilities().GetCapabilities(&c, request, &response);
      });
      return {s.error_code(), response.SerializeAsString(), "GetCapabilities -> " + status_text(s)};
    }
    case HeaderRpc::read:
      return read_with(ctx, headers, read_name(ctx, stored.digest), stored.digest.size_bytes());
    case HeaderRpc::write:
      return write_with(ctx, headers, upload_name(ctx, fresh.digest), fresh.data);
  }
  return {};
}

// Printable text for header fields (string fields must be valid UTF-8).
rc::Gen<std::string> gen_text() {
  return rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~' + 1));
}

// Calls answer the same with and without a RequestMetadata header.
Outcome request_metadata_accepted(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return property(ctx, [&] {
    v2::RequestMetadata metadata;
    metadata.mutable_tool_details()->set_tool_name(
        *rc::gen::element<std::string>("bazel", "buck2", "reapi-conformance", ""));
    metadata.mutable_tool_details()->set_tool_version(*gen_text());
    metadata.set_action_id(*rc::gen::element<std::string>("", lower_hex(ctx, 64)));
    metadata.set_tool_invocation_id(ctx.uuid());
    metadata.set_correlated_invocations_id(*rc::gen::element<std::string>("", ctx.uuid()));
    metadata.set_action_mnemonic(*gen_text());
    metadata.set_target_id(*gen_text());
    metadata.set_configuration_id(*gen_text());
    const HeaderRpc rpc =
        *rc::gen::element(HeaderRpc::find_missing, HeaderRpc::batch_read, HeaderRpc::batch_update,
                          HeaderRpc::capabilities, HeaderRpc::read, HeaderRpc::write);
    // A batch call gets blobs within the batch limit, or both answers would be that refusal.
    const bool batch = rpc == HeaderRpc::batch_read || rpc == HeaderRpc::batch_update;
    const std::int64_t largest = batch ? max_batch_blob(ctx, 64 << 10) : max_blob(ctx, 64 << 10);
    const std::int64_t size = std::max<std::int64_t>(*gen_small_size(largest), 16);
    const Blob stored = make_blob(ctx, size);
    upload(ctx, {stored});
    const Headers headers{
        {"build.bazel.remote.execution.v2.requestmetadata-bin", metadata.SerializeAsString()}};
    const Seen with = call_with(ctx, headers, rpc, stored, make_blob(ctx, size));
    const Seen without = call_with(ctx, {}, rpc, stored, make_blob(ctx, size));
    require(with.code == without.code && with.result == without.result,
            "with a requestmetadata-bin header (" + brief(metadata) + "): " + with.text +
                "; without it: " + without.text + ": the header must not change the answer");
    if (rpc == HeaderRpc::read && with.code == grpc::StatusCode::OK) {
      require(with.result == stored.data,
              with.text + ": " + first_difference(with.result, stored.data));
    }
  });
}

// A ByteStream call with a matching resource-name header is served as without it.
Outcome resource_name_header(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  return property(ctx, [&] {
    const std::int64_t size = std::max<std::int64_t>(*gen_blob_size(ctx, 2 * kMiB), 16);
    const bool reading = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size);
    const std::string header = "build.bazel.remote.execution.v2.resource-name";
    Seen seen;
    if (reading) {
      upload(ctx, {blob});
      const std::string name = read_name(ctx, blob.digest);
      seen = read_with(ctx, {{header, name}}, name, size);
      seen.text += " (" + first_difference(seen.result, blob.data) + ")";
      seen.result = seen.result == blob.data ? "exact" : "wrong data";
    } else {
      const std::string name = upload_name(ctx, blob.digest);
      seen = write_with(ctx, {{header, name}}, name, blob.data);
      seen.result = seen.result == std::to_string(size) ? "exact" : "wrong committed_size";
    }
    require_at(ctx, Level::must, seen.code == grpc::StatusCode::OK && seen.result == "exact",
               seen.text + " with a matching " + header +
                   " header: must be served as it is without the header");
  });
}

// ============================================================================ COM-17

// A random directory tree in canonical form: every Directory's bytes by digest.
struct TreeBlobs {
  std::map<std::string, std::string> directories;  // digest "hash/size" -> serialized bytes
  v2::Digest root;
  std::vector<Blob> files;
};

v2::Digest build_directory(Context& ctx, int depth, TreeBlobs& out) {
  // Names unique within the directory, sorted per kind (the canonical form REAPI asks for).
  int serial = 0;
  auto fresh_name = [&] {
    // A drawn stem and a serial number: unique, never "." or "..".
    return *rc::gen::container<std::string>(rc::gen::element('a', 'b', '.', '_', '-')) +
           std::to_string(serial++);
  };
  std::vector<std::string> file_names(static_cast<std::size_t>(*rc::gen::inRange(0, 4)));
  for (auto& n : file_names) n = fresh_name();
  std::vector<std::string> dir_names(depth < 3 ? static_cast<std::size_t>(*rc::gen::inRange(0, 3))
                                               : 0);
  for (auto& n : dir_names) n = fresh_name();
  std::vector<std::string> link_names(static_cast<std::size_t>(*rc::gen::inRange(0, 2)));
  for (auto& n : link_names) n = fresh_name();
  std::sort(file_names.begin(), file_names.end());
  std::sort(dir_names.begin(), dir_names.end());
  std::sort(link_names.begin(), link_names.end());

  v2::Directory dir;
  for (const auto& n : file_names) {
    auto* f = dir.add_files();
    f->set_name(n);
    out.files.push_back(make_blob(ctx, *rc::gen::inRange(16, 200)));
    *f->mutable_digest() = out.files.back().digest;
    f->set_is_executable(*rc::gen::arbitrary<bool>());
    if (*rc::gen::arbitrary<bool>()) {
      auto* props = f->mutable_node_properties();
      props->mutable_mtime()->set_seconds(*rc::gen::inRange<std::int64_t>(0, 2000000000));
      props->mutable_unix_mode()->set_value(*rc::gen::element(0644u, 0755u, 0600u));
    }
  }
  for (const auto& n : dir_names) {
    auto* d = dir.add_directories();
    d->set_name(n);
    *d->mutable_digest() = build_directory(ctx, depth + 1, out);
  }
  for (const auto& n : link_names) {
    auto* l = dir.add_symlinks();
    l->set_name(n);
    l->set_target(*rc::gen::element<std::string>("../x", "a/b", "/abs/path", "."));
  }
  std::string bytes = dir.SerializeAsString();
  const v2::Digest d = to_v2(ctx.digest_of(bytes));
  out.directories[reapi::from_proto(d).to_string()] = std::move(bytes);
  return d;
}

// GetTree read as raw bytes: each Directory exactly as the server encoded it (the parsed
// stub would re-encode them and hide a non-canonical encoding).
struct RawTree {
  grpc::Status status;
  std::vector<std::string> directories;
  std::string request;
};

RawTree get_tree_bytes(Context& ctx, const v2::Digest& root, int page_size) {
  RawTree out;
  out.request = "GetTree root " + brief(root) + " page_size " + std::to_string(page_size) +
                " (read as raw bytes, following page tokens)";
  const grpc::internal::RpcMethod method(
      "/build.bazel.remote.execution.v2.ContentAddressableStorage/GetTree",
      grpc::internal::RpcMethod::SERVER_STREAMING);
  std::string token;
  for (int page = 0; page < 200; ++page) {
    v2::GetTreeRequest request;
    request.set_instance_name(ctx.instance());
    request.set_digest_function(ctx.function_proto());
    *request.mutable_root_digest() = root;
    request.set_page_size(page_size);
    request.set_page_token(token);
    grpc::ClientContext context;
    ctx.prepare(context);
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
            ctx.session().target().channel().get(), method, &context, request));
    grpc::ByteBuffer buffer;
    std::string next;
    while (reader->Read(&buffer)) {
      std::vector<grpc::Slice> slices;
      (void)buffer.Dump(&slices);
      std::string bytes;
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      // GetTreeResponse: field 1 (directories) and 2 (next_page_token), both length-delimited;
      // read as unknown fields, which keeps each field's bytes as they came.
      google::protobuf::UnknownFieldSet fields;
      if (!fields.ParseFromString(bytes)) {
        context.TryCancel();
        out.status = grpc::Status(grpc::StatusCode::DATA_LOSS, "a GetTreeResponse did not parse");
        (void)reader->Finish();
        return out;
      }
      for (int i = 0; i < fields.field_count(); ++i) {
        const google::protobuf::UnknownField& f = fields.field(i);
        if (f.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
        if (f.number() == 1) out.directories.push_back(f.length_delimited());
        if (f.number() == 2) next = f.length_delimited();
      }
    }
    out.status = reader->Finish();
    if (!out.status.ok() || next.empty()) return out;
    if (next == token) {
      out.status = grpc::Status(grpc::StatusCode::ABORTED, "the page token repeats");
      return out;
    }
    token = next;
  }
  out.status = grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "more than 200 pages");
  return out;
}

// Digested messages come back as the very bytes that were stored.
Outcome canonical_proto_encoding(Context& ctx) {
  if (auto why = writes_refused(ctx)) return Outcome::skip(*why);
  const TreeWalk probe = get_tree_all(ctx, empty_blob_digest(ctx), 0);
  if (probe.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    return Outcome::skip("GetTree is not implemented (" + probe.request + " -> UNIMPLEMENTED)");
  }
  return property(ctx, [&] {
    TreeBlobs tree;
    tree.root = build_directory(ctx, 0, tree);
    const int page_size = *rc::gen::element(0, 1, 2, 5);
    std::vector<Blob> blobs = tree.files;
    for (const auto& [key, bytes] : tree.directories) blobs.push_back(blob_of(ctx, bytes));
    upload(ctx, blobs);
    const RawTree got = get_tree_bytes(ctx, tree.root, page_size);
    require(got.status.ok(), got.request + " -> " + status_text(got.status));
    const std::string& root = tree.directories[reapi::from_proto(tree.root).to_string()];
    require(
        std::find(got.directories.begin(), got.directories.end(), root) != got.directories.end(),
        got.request + " -> OK with " + std::to_string(got.directories.size()) +
            " directories, none of them the root's stored bytes");
    for (const std::string& bytes : got.directories) {
      const v2::Digest d = to_v2(ctx.digest_of(bytes));
      require(tree.directories.count(reapi::from_proto(d).to_string()) == 1,
              got.request + " returned a Directory of " + std::to_string(bytes.size()) +
                  " bytes hashing to " + brief(d) +
                  ", which is none of the Directories stored: the server re-encoded it");
    }
  });
}

}  // namespace

void add_common_checks(Catalogue& catalogue) {
  catalogue.add({"common.hashes_lowercase_hex", "COM-01", Level::must,
                 "Every hash the server returns is lowercase hex of the digest function's length"},
                hashes_lowercase_hex);
  catalogue.add({"common.rejects_malformed_hash", "COM-02", Level::should,
                 "A hash of the wrong length, with upper-case or non-hex characters is refused "
                 "with INVALID_ARGUMENT"},
                rejects_malformed_hash);
  catalogue.add({"common.size_is_part_of_digest", "COM-03", Level::must,
                 "A stored blob's hash with another size is never that blob: not present, not "
                 "readable, not uploadable"},
                size_is_part_of_digest);
  catalogue.add({"common.rejects_negative_size", "COM-04", Level::should,
                 "A digest with a negative size is refused with INVALID_ARGUMENT"},
                rejects_negative_size);
  catalogue.add({"common.empty_blob_always_present", "COM-05", Level::must,
                 "The empty blob is present for every advertised digest function, through every "
                 "read path"},
                empty_blob_always_present);
  catalogue.add({"common.empty_blob_upload_accepted", "COM-06", Level::must,
                 "Uploading the empty blob through BatchUpdateBlobs or ByteStream succeeds"},
                empty_blob_upload_accepted);
  catalogue.add({"common.explicit_digest_function", "COM-07", Level::must,
                 "A request naming an advertised digest function has its digests read with it"},
                explicit_digest_function);
  catalogue.add({"common.digest_function_inferred_when_unset", "COM-08", Level::should,
                 "With digest_function unset, the hash length selects the function"},
                digest_function_inferred_when_unset);
  catalogue.add({"common.rejects_unsupported_digest_function", "COM-09", Level::should,
                 "A digest function the server does not advertise is refused with "
                 "INVALID_ARGUMENT"},
                rejects_unsupported_digest_function);
  catalogue.add({"common.mixed_digest_functions", "COM-10", Level::may,
                 "A request mixing hash lengths is either answered or refused with "
                 "INVALID_ARGUMENT (recorded)"},
                mixed_digest_functions);
  catalogue.add({"common.instance_name_consistent", "COM-11", Level::must,
                 "A blob stored under an instance name is found under it by every read path"},
                instance_name_consistent);
  catalogue.add({"common.reserved_instance_segments", "COM-12", Level::must,
                 "An instance name with a reserved segment is refused (INVALID_ARGUMENT), never "
                 "served"},
                reserved_instance_segments);
  catalogue.add({"common.unknown_instance_name", "COM-13", Level::may,
                 "An unknown instance name is refused with INVALID_ARGUMENT, NOT_FOUND or "
                 "PERMISSION_DENIED (recorded)"},
                unknown_instance_name);
  catalogue.add({"common.request_metadata_accepted", "COM-14", Level::must,
                 "Calls answer the same with and without a RequestMetadata header"},
                request_metadata_accepted);
  catalogue.add({"common.resource_name_header", "COM-15", Level::may,
                 "A ByteStream call with a matching resource-name header is served normally"},
                resource_name_header);
  catalogue.not_checkable({"common.retry_hints", "COM-16", Level::may,
                           "Failures may carry RetryInfo telling clients when to retry"},
                          "a server need never send RetryInfo; nothing to require from outside");
  catalogue.add({"common.canonical_proto_encoding", "COM-17", Level::must,
                 "Digested messages (Directories from GetTree) come back in the exact canonical "
                 "bytes that hash to their digests"},
                canonical_proto_encoding);
}

}  // namespace conformance
