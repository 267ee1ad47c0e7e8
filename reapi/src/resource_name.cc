#include "reapi/resource_name.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <span>
#include <vector>

namespace reapi {
namespace {

constexpr std::array<std::string_view, 7> kReserved{"blobs",           "uploads",    "actions",
                                                    "actionResults",   "operations", "capabilities",
                                                    "compressed-blobs"};

absl::Status bad(std::string_view name, std::string_view why) {
  return absl::InvalidArgumentError("resource name '" + std::string(name.substr(0, 300)) +
                                    "': " + std::string(why));
}

std::vector<std::string_view> split(std::string_view name);
std::string join(std::span<const std::string_view> parts);

bool is_keyword(std::string_view s) {
  return s == "blobs" || s == "uploads" || s == "compressed-blobs";
}

// Parses the part after "blobs/" or "compressed-blobs/": [compressor/][function/]hash/size,
// then whatever follows (returned through `rest`).
absl::Status parse_blob_part(std::string_view full, const std::vector<std::string_view>& segs,
                             std::size_t i, bool compressed, BlobResourceName& out,
                             std::size_t& rest) {
  if (compressed) {
    if (i >= segs.size()) return bad(full, "missing compressor after compressed-blobs/");
    auto c = compressor_from_name(segs[i]);
    if (!c) return bad(full, "unknown compressor '" + std::string(segs[i]) + "'");
    if (*c == Compressor::identity) {
      return bad(full, "'identity' is not a compressor for compressed-blobs/ names");
    }
    out.compressor = *c;
    ++i;
  }
  if (i < segs.size()) {
    if (auto fn = digest_function_from_name(segs[i])) {
      if (is_inferred_from_length(*fn)) {
        return bad(full, "digest function '" + std::string(segs[i]) +
                             "' must be left out of resource names (it is inferred from the "
                             "hash length)");
      }
      out.digest_function = *fn;
      ++i;
    }
  }
  if (i >= segs.size()) return bad(full, "missing hash");
  const std::string_view hash = segs[i++];
  if (out.digest_function) {
    if (auto s = validate_hash(*out.digest_function, hash); !s.ok())
      return bad(full, std::string(s.message()));
  } else {
    bool known_length = false;
    for (int n = 1; n <= 10; ++n) {
      auto fn = static_cast<DigestFunction>(n);
      if (is_inferred_from_length(fn) && hex_length(fn) == hash.size()) known_length = true;
    }
    if (!known_length) {
      return bad(full, "hash '" + std::string(hash.substr(0, 140)) + "' has " +
                           std::to_string(hash.size()) +
                           " characters, which is no digest function's length");
    }
    if (!std::all_of(hash.begin(), hash.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
      return bad(full, "hash '" + std::string(hash) + "' is not lowercase hexadecimal");
    }
  }
  out.digest.hash = std::string(hash);
  if (i >= segs.size()) return bad(full, "missing size after the hash");
  const std::string_view size = segs[i++];
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), value);
  if (size.empty() || !std::isdigit(static_cast<unsigned char>(size[0])) || ec != std::errc() ||
      end != size.data() + size.size()) {
    return bad(full, "size '" + std::string(size) + "' is not a non-negative decimal integer");
  }
  out.digest.size_bytes = value;
  rest = i;
  return absl::OkStatus();
}

// Splits off the instance name; returns the index of the first keyword segment.
absl::StatusOr<std::size_t> split_instance(std::string_view full,
                                           const std::vector<std::string_view>& segs,
                                           BlobResourceName& out) {
  auto it = std::find_if(segs.begin(), segs.end(), is_keyword);
  if (it == segs.end()) return bad(full, "no blobs/, uploads/ or compressed-blobs/ segment");
  const auto k = static_cast<std::size_t>(it - segs.begin());
  const std::span<const std::string_view> instance(segs.data(), k);
  if (std::any_of(instance.begin(), instance.end(), [](auto s) { return s.empty(); })) {
    return bad(full, "the instance name part has an empty segment (leading or doubled '/')");
  }
  out.instance_name = join(instance);
  if (auto s = validate_instance_name(out.instance_name); !s.ok())
    return bad(full, std::string(s.message()));
  return k;
}

std::vector<std::string_view> split(std::string_view name) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) break;
    out.push_back(name.substr(start, slash - start));
    start = slash + 1;
  }
  out.push_back(name.substr(start));
  return out;
}

std::string join(std::span<const std::string_view> parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

std::string blob_part(const BlobResourceName& n) {
  std::string out;
  if (n.compressor != Compressor::identity) {
    out += "compressed-blobs/";
    out += name(n.compressor);
    out += '/';
  } else {
    out += "blobs/";
  }
  if (n.digest_function && !is_inferred_from_length(*n.digest_function)) {
    out += name(*n.digest_function);
    out += '/';
  }
  out += n.digest.to_string();
  return out;
}

std::string with_instance(const BlobResourceName& n, std::string rest) {
  return n.instance_name.empty() ? rest : n.instance_name + "/" + rest;
}

}  // namespace

bool is_reserved_instance_segment(std::string_view segment) {
  return std::find(kReserved.begin(), kReserved.end(), segment) != kReserved.end();
}

absl::Status validate_instance_name(std::string_view instance) {
  if (instance.empty()) return absl::OkStatus();
  for (std::string_view seg : split(instance)) {
    if (seg.empty()) {
      return absl::InvalidArgumentError("instance name '" + std::string(instance) +
                                        "' has an empty segment");
    }
    if (is_reserved_instance_segment(seg)) {
      return absl::InvalidArgumentError("instance name '" + std::string(instance) +
                                        "' uses the reserved word '" + std::string(seg) + "'");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<BlobResourceName> parse_read_resource_name(std::string_view name) {
  BlobResourceName out;
  const auto segs = split(name);
  auto k = split_instance(name, segs, out);
  if (!k.ok()) return k.status();
  if (segs[*k] == "uploads") {
    return bad(name, "uploads/ names are for Write; Read takes {instance}/blobs/{hash}/{size}");
  }
  std::size_t rest = 0;
  auto s = parse_blob_part(name, segs, *k + 1, segs[*k] == "compressed-blobs", out, rest);
  if (!s.ok()) return s;
  if (rest != segs.size()) return bad(name, "unexpected segments after the size");
  return out;
}

absl::StatusOr<BlobResourceName> parse_write_resource_name(std::string_view name) {
  BlobResourceName out;
  const auto segs = split(name);
  auto k = split_instance(name, segs, out);
  if (!k.ok()) return k.status();
  if (segs[*k] != "uploads") {
    return bad(name, "Write takes {instance}/uploads/{uuid}/blobs/{hash}/{size}");
  }
  std::size_t i = *k + 1;
  if (i >= segs.size() || segs[i].empty() || is_keyword(segs[i])) {
    return bad(name, "missing upload id after uploads/");
  }
  out.upload_id = std::string(segs[i++]);
  if (i >= segs.size() || (segs[i] != "blobs" && segs[i] != "compressed-blobs")) {
    return bad(name, "expected blobs/ or compressed-blobs/ after the upload id");
  }
  const bool compressed = segs[i] == "compressed-blobs";
  std::size_t rest = 0;
  auto s = parse_blob_part(name, segs, i + 1, compressed, out, rest);
  if (!s.ok()) return s;
  out.metadata = join(std::span<const std::string_view>(segs).subspan(rest));
  return out;
}

std::string format_read_resource_name(const BlobResourceName& name) {
  return with_instance(name, blob_part(name));
}

std::string format_write_resource_name(const BlobResourceName& name) {
  std::string rest = "uploads/" + name.upload_id + "/" + blob_part(name);
  if (!name.metadata.empty()) rest += "/" + name.metadata;
  return with_instance(name, std::move(rest));
}

}  // namespace reapi
