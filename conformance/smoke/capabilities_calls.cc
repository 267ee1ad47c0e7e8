// GetCapabilities: prints what the server advertises and picks the digest function and
// optional features the other call groups use.

#include <algorithm>

#include "reapi/byte_size.h"
#include "smoke.h"

namespace smoke {
namespace {

std::string version_text(bool present, const build::bazel::semver::SemVer& v) {
  if (!present) return "unset";
  if (!v.prerelease().empty()) return v.prerelease();
  return std::to_string(v.major()) + "." + std::to_string(v.minor()) + "." +
         std::to_string(v.patch());
}

std::string joined(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::string compressor_list(const google::protobuf::RepeatedField<int>& values) {
  std::vector<std::string> names;
  for (int v : values) {
    auto c = reapi::compressor_from_number(v);
    names.push_back(c ? std::string(reapi::name(*c)) : "unknown(" + std::to_string(v) + ")");
  }
  return joined(names);
}

// SHA-256 when offered (every client speaks it), else the first listed one we can hash.
std::optional<reapi::DigestFunction> choose_function(
    const std::vector<reapi::DigestFunction>& offered) {
  if (std::find(offered.begin(), offered.end(), reapi::DigestFunction::sha256) != offered.end()) {
    return reapi::DigestFunction::sha256;
  }
  for (reapi::DigestFunction fn : offered) {
    if (reapi::is_hashable(fn)) return fn;
  }
  return std::nullopt;
}

}  // namespace

bool capabilities_calls(Smoke& s) {
  v2::GetCapabilitiesRequest request;
  request.set_instance_name(s.instance());
  v2::ServerCapabilities response;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.capabilities->GetCapabilities(&context, request, &response);

  Expect expect;
  expect.code(status, grpc::StatusCode::OK);
  std::string got;
  bool usable = status.ok();
  if (status.ok()) {
    const v2::CacheCapabilities& cache = response.cache_capabilities();
    std::vector<std::string> function_names;
    for (int number : cache.digest_functions()) {
      auto fn = reapi::digest_function_from_number(number);
      function_names.push_back(fn ? std::string(reapi::name(*fn))
                                  : "unknown(" + std::to_string(number) + ")");
      if (fn) s.facts.digest_functions.push_back(*fn);
    }
    for (int number : cache.supported_compressors()) {
      if (auto c = reapi::compressor_from_number(number)) s.facts.compressors.push_back(*c);
    }
    s.facts.max_batch_total_size_bytes = cache.max_batch_total_size_bytes();
    s.facts.update_enabled = cache.action_cache_update_capabilities().update_enabled();
    s.facts.split_blob_support = cache.split_blob_support();
    s.facts.splice_blob_support = cache.splice_blob_support();

    const auto chosen = choose_function(s.facts.digest_functions);
    if (chosen) s.function = *chosen;
    usable = chosen.has_value();

    got = "digest functions " + joined(function_names) + "; batch limit " +
          (s.facts.max_batch_total_size_bytes > 0
               ? reapi::format_byte_size(s.facts.max_batch_total_size_bytes)
               : std::string("none (0)")) +
          "; compressors " + compressor_list(cache.supported_compressors()) + " (batch " +
          compressor_list(cache.supported_batch_update_compressors()) + "); update_enabled " +
          (s.facts.update_enabled ? "true" : "false") + "; split/splice " +
          (s.facts.split_blob_support ? "yes" : "no") + "/" +
          (s.facts.splice_blob_support ? "yes" : "no") + "; API " +
          version_text(response.has_low_api_version(), response.low_api_version()) + ".." +
          version_text(response.has_high_api_version(), response.high_api_version()) +
          " (deprecated " +
          version_text(response.has_deprecated_api_version(), response.deprecated_api_version()) +
          ")";
    if (chosen) got += "; using " + std::string(reapi::name(*chosen));
    expect.that(response.has_cache_capabilities(), "cache_capabilities set (CAP-02)")
        .that(chosen.has_value(), "a digest function this client can hash (CAP-04)")
        .that(response.has_low_api_version() && response.has_high_api_version(),
              "low and high API versions set (CAP-15)")
        .that(s.facts.max_batch_total_size_bytes >= 0, "batch limit >= 0 (CAP-09)");
  } else if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
             status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
    // The server answers but not this service; the CAS calls can still run with SHA-256.
    usable = true;
    got = "assuming sha256 and no optional features";
  }
  s.report.call("GetCapabilities", "instance '" + s.instance() + "'", status, got, expect);
  return usable;
}

}  // namespace smoke
