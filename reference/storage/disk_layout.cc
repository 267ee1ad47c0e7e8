#include "storage/disk_layout.h"

#include <charconv>
#include <vector>

#include "storage/blob_key_check.h"

namespace reference::disk_layout {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kEmptyInstance = "_";

std::string hex_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0xf];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::StatusOr<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("odd number of hex digits");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) return absl::InvalidArgumentError("not lowercase hex");
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    path.remove_prefix(slash + 1);
  }
}

absl::Status bad_path(std::string_view path, std::string_view why) {
  return absl::InvalidArgumentError("'" + std::string(path) +
                                    "' is not a blob path: " + std::string(why));
}

}  // namespace

absl::StatusOr<std::string> blob_path(const BlobKey& key) {
  if (auto status = validate_key(key); !status.ok()) return status;
  std::string path;
  if (key.space == Space::cas) {
    path = std::string(kCasDir) + "/";
  } else {
    if (key.instance_name.size() > kMaxInstanceNameBytes) {
      return absl::InvalidArgumentError("instance name of " +
                                        std::to_string(key.instance_name.size()) +
                                        " bytes is longer than the disk storage can hold (" +
                                        std::to_string(kMaxInstanceNameBytes) + ")");
    }
    path =
        std::string(kActionCacheDir) + "/" +
        (key.instance_name.empty() ? std::string(kEmptyInstance) : hex_encode(key.instance_name)) +
        "/";
  }
  // validate_key() guarantees the hash is lowercase hex of the function's length (>= 32).
  path += std::string(reapi::name(key.function)) + "/" + key.digest.hash.substr(0, 2) + "/" +
          key.digest.hash + "-" + std::to_string(key.digest.size_bytes);
  return path;
}

absl::StatusOr<BlobKey> parse_blob_path(std::string_view relative_path) {
  const std::vector<std::string_view> parts = split_path(relative_path);
  BlobKey key;
  std::size_t next = 0;
  if (parts.size() == 4 && parts[0] == kCasDir) {
    key.space = Space::cas;
    next = 1;
  } else if (parts.size() == 5 && parts[0] == kActionCacheDir) {
    key.space = Space::action_cache;
    if (parts[1] != kEmptyInstance) {
      auto instance = hex_decode(parts[1]);
      if (!instance.ok() || instance->empty()) {
        return bad_path(relative_path, "instance directory is not hex or '_'");
      }
      key.instance_name = *std::move(instance);
    }
    next = 2;
  } else {
    return bad_path(relative_path, "expected cas/FN/XX/HASH-SIZE or ac/INSTANCE/FN/XX/HASH-SIZE");
  }
  const auto function = reapi::digest_function_from_name(parts[next]);
  if (!function) return bad_path(relative_path, "unknown digest function");
  key.function = *function;

  const std::string_view file = parts[next + 2];
  const auto dash = file.rfind('-');
  if (dash == std::string_view::npos) return bad_path(relative_path, "no '-' before the size");
  key.digest.hash = std::string(file.substr(0, dash));
  const std::string_view size = file.substr(dash + 1);
  const auto [end, ec] =
      std::from_chars(size.data(), size.data() + size.size(), key.digest.size_bytes);
  if (size.empty() || ec != std::errc() || end != size.data() + size.size()) {
    return bad_path(relative_path, "size is not a number");
  }
  if (auto status = validate_key(key); !status.ok()) {
    return bad_path(relative_path, std::string(status.message()));
  }
  if (parts[next + 1] != std::string_view(key.digest.hash).substr(0, 2)) {
    return bad_path(relative_path, "directory does not match the hash's first two digits");
  }
  // Only the canonical spelling counts (e.g. no "007" sizes), so each key has one file.
  if (auto canonical = blob_path(key); !canonical.ok() || *canonical != relative_path) {
    return bad_path(relative_path, "not in canonical form");
  }
  return key;
}

}  // namespace reference::disk_layout
