#include "server/policy.h"

#include <algorithm>

#include "reapi/resource_name.h"
#include "server/fast_cdc.h"

namespace reference {
namespace {

std::string list_functions(const std::vector<reapi::DigestFunction>& fns) {
  std::string out;
  for (auto fn : fns) {
    if (!out.empty()) out += ", ";
    out += reapi::name(fn);
  }
  return out;
}

}  // namespace

absl::StatusOr<Policy> Policy::create(const ServerConfig& config) {
  Policy p;
  p.config_ = config;
  if (config.instances.empty()) {
    return absl::InvalidArgumentError("at least one instance name must be served");
  }
  for (const std::string& instance : config.instances) {
    if (auto s = reapi::validate_instance_name(instance); !s.ok()) return s;
  }
  for (auto fn : config.digest_functions) {
    if (!reapi::is_hashable(fn)) {
      return absl::InvalidArgumentError("digest function " + std::string(reapi::name(fn)) +
                                        " is not supported by this server");
    }
    if (std::find(p.functions_.begin(), p.functions_.end(), fn) == p.functions_.end()) {
      p.functions_.push_back(fn);
    }
  }
  if (p.functions_.empty()) return absl::InvalidArgumentError("no digest function enabled");
  if (config.max_batch_total_size_bytes <= 0) {
    return absl::InvalidArgumentError("the batch size limit must be positive");
  }
  if (config.max_receive_message_size < config.max_batch_total_size_bytes + (64 << 10)) {
    return absl::InvalidArgumentError(
        "the gRPC receive limit must exceed the batch limit by at least 64KiB for framing");
  }
  if (config.max_cas_blob_size_bytes < 0) {
    return absl::InvalidArgumentError("the blob size limit must not be negative (0: no limit)");
  }
  // The chunking parameters SplitBlob will use and advertise (a negative size is refused
  // as the huge unsigned value it converts to).
  auto chunker = FastCdc2020::for_reapi(static_cast<std::uint64_t>(config.fast_cdc_avg_chunk_size),
                                        config.fast_cdc_seed);
  if (!chunker.ok()) return chunker.status();
  return p;
}

absl::Status Policy::check_instance(const std::string& instance) const {
  const auto& served = config_.instances;
  if (std::find(served.begin(), served.end(), instance) != served.end()) return absl::OkStatus();
  std::string list;
  for (const auto& s : served) list += (list.empty() ? "'" : ", '") + s + "'";
  return absl::InvalidArgumentError("unknown instance name '" + instance +
                                    "'; this server serves " + list);
}

absl::Status Policy::check_writable(std::string_view what) const {
  if (!config_.read_only) return absl::OkStatus();
  return absl::PermissionDeniedError(std::string(what) + " refused: the server is read-only");
}

absl::Status Policy::check_blob_size(const reapi::Digest& digest) const {
  const std::int64_t limit = config_.max_cas_blob_size_bytes;
  if (limit <= 0 || digest.size_bytes <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError("blob " + digest.to_string() + " is over the " +
                                    std::to_string(limit) +
                                    " bytes this server accepts (max_cas_blob_size_bytes)");
}

absl::StatusOr<reapi::DigestFunction> Policy::resolve(int requested,
                                                      const reapi::Digest& digest) const {
  if (requested == 0) return resolve(std::optional<reapi::DigestFunction>{}, digest);
  auto fn = reapi::digest_function_from_number(requested);
  if (!fn) {
    return absl::InvalidArgumentError("digest_function " + std::to_string(requested) +
                                      " is not a known DigestFunction value");
  }
  if (std::find(functions_.begin(), functions_.end(), *fn) == functions_.end()) {
    return absl::InvalidArgumentError("digest function " + std::string(reapi::name(*fn)) +
                                      " is not supported; this server supports " +
                                      list_functions(functions_));
  }
  if (auto s = reapi::validate_digest(*fn, digest); !s.ok()) return s;
  return *fn;
}

absl::StatusOr<reapi::DigestFunction> Policy::resolve(std::optional<reapi::DigestFunction> segment,
                                                      const reapi::Digest& digest) const {
  if (segment) return resolve(static_cast<int>(*segment), digest);
  auto fn = reapi::infer_from_hex_length(digest.hash.size(), functions_);
  if (!fn) {
    return absl::InvalidArgumentError(
        "hash '" + digest.hash.substr(0, 140) + "' (" + std::to_string(digest.hash.size()) +
        " characters) matches none of the digest functions this server supports (" +
        list_functions(functions_) + ")");
  }
  if (auto s = reapi::validate_digest(*fn, digest); !s.ok()) return s;
  return *fn;
}

absl::Status Policy::check_compressor(reapi::Compressor c) const {
  if (c == reapi::Compressor::identity ||
      std::find(compressors_.begin(), compressors_.end(), c) != compressors_.end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("compressor " + std::string(reapi::name(c)) +
                                    " is not supported; this server supports zstd");
}

absl::StatusOr<reapi::DigestFunction> Policy::check_blob_name(
    const reapi::BlobResourceName& name) const {
  if (auto s = check_instance(name.instance_name); !s.ok()) return s;
  auto fn = resolve(name.digest_function, name.digest);
  if (!fn.ok()) return fn.status();
  if (auto s = check_compressor(name.compressor); !s.ok()) return s;
  return fn;
}

bool is_empty_blob(reapi::DigestFunction fn, const reapi::Digest& digest) {
  return digest.size_bytes == 0 && digest.hash == reapi::empty_digest(fn).hash;
}

}  // namespace reference
