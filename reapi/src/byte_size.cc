#include "reapi/byte_size.h"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

namespace reapi {
namespace {

constexpr std::array<std::pair<std::string_view, std::int64_t>, 10> kUnits{{
    {"KiB", std::int64_t{1} << 10},
    {"MiB", std::int64_t{1} << 20},
    {"GiB", std::int64_t{1} << 30},
    {"TiB", std::int64_t{1} << 40},
    {"KB", 1000},
    {"MB", 1000 * 1000},
    {"GB", 1000 * 1000 * 1000},
    {"TB", std::int64_t{1000} * 1000 * 1000 * 1000},
    {"B", 1},
    {"", 1},
}};

}  // namespace

absl::StatusOr<std::int64_t> parse_byte_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string_view unit = text.substr(digits);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' is not a size: expected a number with an optional unit "
                                      "(B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)");
  }
  for (const auto& [suffix, scale] : kUnits) {
    if (unit != suffix) continue;
    if (value > std::numeric_limits<std::int64_t>::max() / scale) {
      return absl::InvalidArgumentError("size '" + std::string(text) + "' is too large");
    }
    return value * scale;
  }
  return absl::InvalidArgumentError("'" + std::string(unit) + "' in '" + std::string(text) +
                                    "' is not a size unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)");
}

std::string format_byte_size(std::int64_t bytes) {
  static constexpr std::array<std::pair<std::string_view, int>, 4> kBinary{
      {{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}}};
  for (const auto& [suffix, shift] : kBinary) {
    const std::int64_t scale = std::int64_t{1} << shift;
    if (bytes >= scale && bytes % scale == 0)
      return std::to_string(bytes / scale) + std::string(suffix);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace reapi
