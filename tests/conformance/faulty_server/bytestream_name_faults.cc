// ByteStream resource-name faults: names parsed against a grammar of the server's own (a
// leading '/' required, no trailing metadata, enum names for compressors, SHA-256 assumed,
// spelled-out functions and identity let through), and upload ids that key finished
// uploads. Each edits or refuses the names of Read and Write before the reference sees them.

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

#include "bytestream_rewrite.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "reapi/compression.h"
#include "reapi/resource_name.h"

namespace faulty {
namespace {
using bytestream::ReadRequest;
using bytestream::ReadResponse;
using bytestream::Segments;
using bytestream::WriteRequest;

// A name as a faulty server reads it: may rewrite `name` into the form the reference
// takes, or returns why the name is refused (INVALID_ARGUMENT).
using NameEdit = std::optional<std::string> (*)(std::string& name);

class ReadNameEdited final : public bytestream::Refusing<ReadRequest, ReadResponse> {
 public:
  explicit ReadNameEdited(NameEdit edit) : edit_(edit) {}

 private:
  void on_request(ReadRequest& request) override {
    std::string name = request.resource_name();
    if (auto why = edit_(name)) {
      refuse(request, grpc::StatusCode::INVALID_ARGUMENT, *why);
      return;
    }
    request.set_resource_name(name);
  }

  NameEdit edit_;
};

class WriteNameEdited final : public bytestream::WriteRewriter {
 public:
  explicit WriteNameEdited(NameEdit edit) : edit_(edit) {}

 private:
  void on_first(WriteRequest& request) override { apply(request); }
  // A later message may repeat the name; it must repeat the edited one.
  void on_next(WriteRequest& request) override {
    if (!request.resource_name().empty()) apply(request);
  }
  void apply(WriteRequest& request) {
    std::string name = request.resource_name();
    if (auto why = edit_(name)) {
      refuse(request, grpc::StatusCode::INVALID_ARGUMENT, *why);
      return;
    }
    request.set_resource_name(name);
  }

  NameEdit edit_;
};

// Read names through `on_read` and Write names through `on_write` (either may be null).
FaultPlan edit_names(NameEdit on_read, NameEdit on_write) {
  FaultPlan plan;
  plan.interceptor = [on_read, on_write](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (on_read && is_method(info, method::kRead)) return std::make_unique<ReadNameEdited>(on_read);
    if (on_write && is_method(info, method::kWrite)) {
      return std::make_unique<WriteNameEdited>(on_write);
    }
    return nullptr;
  };
  return plan;
}

bool is_keyword(std::string_view segment) {
  return segment == "blobs" || segment == "uploads" || segment == "compressed-blobs";
}

// Where the blob part starts: the first blobs or compressed-blobs segment (instance names
// cannot hold either), or nullopt.
std::optional<std::size_t> blob_part_at(const Segments& name) {
  const auto& parts = name.parts();
  auto it = std::find_if(parts.begin(), parts.end(), [](const std::string& s) {
    return s == "blobs" || s == "compressed-blobs";
  });
  if (it == parts.end()) return std::nullopt;
  return static_cast<std::size_t>(it - parts.begin());
}

// Names are matched against "{instance}/" + keyword, so the empty instance wants a
// leading '/': "/blobs/..." is taken, "blobs/..." refused.
std::optional<std::string> leading_slash(std::string& name) {
  if (name.starts_with('/')) {
    name.erase(0, 1);
    return std::nullopt;
  }
  Segments segments(name);
  if (!is_keyword(segments.parts().front())) return std::nullopt;
  return "resource name '" + name + "' does not start with '/', the empty instance's prefix";
}

// The upload grammar taken from the read grammar: nothing may follow the size.
std::optional<std::string> no_metadata(std::string& name) {
  auto parsed = reapi::parse_write_resource_name(name);
  if (!parsed.ok() || parsed->metadata.empty()) return std::nullopt;
  return "resource name '" + name + "': unexpected segments after the size";
}

absl::StatusOr<reapi::BlobResourceName> parse_any(std::string_view name) {
  auto read = reapi::parse_read_resource_name(name);
  return read.ok() ? read : reapi::parse_write_resource_name(name);
}

// A name without a function segment is taken as SHA-256, the default function, instead of
// being inferred from the hash length among the advertised functions.
std::optional<std::string> sha256_unless_named(std::string& name) {
  auto parsed = parse_any(name);
  if (!parsed.ok() || parsed->digest_function) return std::nullopt;
  if (parsed->digest.hash.size() == reapi::hex_length(reapi::DigestFunction::sha256)) {
    return std::nullopt;
  }
  return "resource name '" + name + "': hash '" + parsed->digest.hash +
         "' is not a SHA-256 hash (name the digest function for any other)";
}

// Skips a function segment of the set that must be left out ("blobs/sha256/..."), where
// the name should be refused.
std::optional<std::string> skip_omitted_function(std::string& name) {
  Segments segments(name);
  auto at = blob_part_at(segments);
  if (!at) return std::nullopt;
  auto& parts = segments.parts();
  const std::size_t function_at = *at + (parts[*at] == "compressed-blobs" ? 2 : 1);
  if (function_at >= parts.size()) return std::nullopt;
  auto fn = reapi::digest_function_from_name(parts[function_at]);
  if (!fn || !reapi::is_inferred_from_length(*fn)) return std::nullopt;
  parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(function_at));
  name = segments.join();
  return std::nullopt;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Compressors looked up by their Compressor enum names ("ZSTD"), not the lowercase ones of
// the resource-name grammar.
std::optional<std::string> enum_compressor_names(std::string& name) {
  Segments segments(name);
  auto& parts = segments.parts();
  auto at = segments.find("compressed-blobs");
  if (!at || *at + 1 >= parts.size()) return std::nullopt;
  std::string& word = parts[*at + 1];
  const std::string low = lower(word);
  const auto c = reapi::compressor_from_name(low);
  if (!c || *c == reapi::Compressor::identity) return std::nullopt;
  if (word == low) {
    return "resource name '" + name + "': unknown compressor '" + word +
           "' (compressors are ZSTD, DEFLATE, BROTLI)";
  }
  word = low;
  name = segments.join();
  return std::nullopt;
}

// compressed-blobs/identity/ read as "no compression": the plain blobs/ name.
std::optional<std::string> identity_as_plain(std::string& name) {
  Segments segments(name);
  auto& parts = segments.parts();
  auto at = segments.find("compressed-blobs");
  if (!at || *at + 1 >= parts.size() || parts[*at + 1] != "identity") return std::nullopt;
  parts[*at] = "blobs";
  parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(*at + 1));
  name = segments.join();
  return std::nullopt;
}

// The name of each finished upload, by instance and upload id.
class FinishedUploads {
 public:
  std::optional<std::string> find(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = names_.find(id);
    if (it == names_.end()) return std::nullopt;
    return it->second;
  }
  void record(const std::string& id, const std::string& name) {
    std::lock_guard lock(mu_);
    names_.emplace(id, name);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> names_;
};

// Upload sessions keyed by upload id alone: a Write under the id of a finished upload is
// taken as that upload again. It is answered as that one (the blob is there: OK with its
// size), and the new blob is never stored.
class UploadIdKeysSession final : public bytestream::WriteRewriter {
 public:
  explicit UploadIdKeysSession(std::shared_ptr<FinishedUploads> uploads)
      : uploads_(std::move(uploads)) {}

 private:
  void on_first(WriteRequest& request) override {
    auto name = reapi::parse_write_resource_name(request.resource_name());
    if (!name.ok()) return;
    id_ = name->instance_name + "/" + name->upload_id;
    name_ = request.resource_name();
    earlier_ = uploads_->find(id_);
    if (earlier_ && *earlier_ == name_) earlier_.reset();
    if (earlier_) request.set_resource_name(*earlier_);
  }
  void on_next(WriteRequest& request) override {
    if (earlier_ && !request.resource_name().empty()) request.set_resource_name(*earlier_);
  }
  bool on_served_status(grpc::Status& status) override {
    if (status.ok() && !earlier_ && !id_.empty()) uploads_->record(id_, name_);
    return false;
  }

  std::shared_ptr<FinishedUploads> uploads_;
  std::string id_;
  std::string name_;
  std::optional<std::string> earlier_;  // the finished upload this one is taken for
};

FaultPlan upload_id_keys_session() {
  FaultPlan plan;
  auto uploads = std::make_shared<FinishedUploads>();
  plan.interceptor = per_call<UploadIdKeysSession>(method::kWrite, uploads);
  return plan;
}

}  // namespace

std::vector<FaultEntry> bytestream_name_faults() {
  return {
      {.name = "leading-slash-names",
       .description = "ByteStream names of the empty instance must start with '/' ('/blobs/...')",
       .make = [] { return edit_names(leading_slash, leading_slash); },
       .expect = {.filter = "bytestream.name.*",
                  .fails = {"bytestream.name.read_name_form", "bytestream.name.write_name_form"}}},
      {.name = "upload-metadata-refused",
       .description = "ByteStream Write refuses upload names with segments after the size",
       .make = [] { return edit_names(nullptr, no_metadata); },
       .expect = {.filter = "bytestream.name.*",
                  .fails = {"bytestream.name.upload_metadata_tolerated"}}},
      {.name = "upload-id-keys-session",
       .description = "ByteStream Write under a finished upload's uuid is answered as that "
                      "upload and stores nothing",
       .make = upload_id_keys_session,
       .expect = {.filter = "bytestream.name.*", .fails = {"bytestream.name.uuid_reuse"}}},
      {.name = "unnamed-function-is-sha256",
       .description = "ByteStream names without a function segment are taken as SHA-256",
       .make = [] { return edit_names(sha256_unless_named, sha256_unless_named); },
       .expect = {.filter = "bytestream.name.*",
                  .fails = {"bytestream.name.digest_function_segment"}}},
      // BS-NAME-06 is a SHOULD rule (note B6): a warning, which --strict makes a failed run.
      {.name = "omitted-function-segment-accepted",
       .description = "ByteStream names that spell out sha256/ (or another inferred function) "
                      "are served",
       .make = [] { return edit_names(skip_omitted_function, skip_omitted_function); },
       .expect = {.filter = "bytestream.name.*",
                  .warns = {"bytestream.name.omitted_function_segment_rejected"},
                  .extra_args = {"--strict"}}},
      // Refusing 'zstd' breaks BS-NAME-08; taking 'ZSTD' breaks BS-NAME-09 (a SHOULD rule).
      {.name = "compressor-enum-names",
       .description = "compressed-blobs names take the enum names: 'ZSTD' served, 'zstd' refused",
       .make = [] { return edit_names(enum_compressor_names, enum_compressor_names); },
       .expect = {.filter = "bytestream.name.*",
                  .fails = {"bytestream.name.compressor_names_accepted"},
                  .warns = {"bytestream.name.unsupported_compressor_rejected"}}},
      {.name = "identity-compressor-accepted",
       .description = "compressed-blobs/identity/ names are served as plain blobs/ names",
       .make = [] { return edit_names(identity_as_plain, identity_as_plain); },
       .expect = {.filter = "bytestream.name.*",
                  .warns = {"bytestream.name.unsupported_compressor_rejected"},
                  .extra_args = {"--strict"}}},
  };
}

}  // namespace faulty
