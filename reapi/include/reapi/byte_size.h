#pragma once
// Human byte sizes on command lines: "2GiB", "512MiB", "64KiB", "1000000" (plain bytes);
// KB/MB/GB/TB are decimal, KiB/MiB/GiB/TiB binary.

#include <absl/status/statusor.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace reapi {

absl::StatusOr<std::int64_t> parse_byte_size(std::string_view text);
// The largest binary unit that divides `bytes` exactly, e.g. "2GiB", "1536KiB", "17B".
std::string format_byte_size(std::int64_t bytes);

}  // namespace reapi
