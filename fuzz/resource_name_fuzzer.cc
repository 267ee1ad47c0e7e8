// Fuzzes the ByteStream resource-name parsers (bytestream.md 1.1). Any input is either
// rejected with INVALID_ARGUMENT and a reason, or parsed into a value that is well formed and
// that survives format -> parse unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "reapi/digest.h"
#include "reapi/resource_name.h"

namespace {

using Parse = absl::StatusOr<reapi::BlobResourceName> (*)(std::string_view);
using Format = std::string (*)(const reapi::BlobResourceName&);

void check_well_formed(const reapi::BlobResourceName& n, bool upload) {
  FUZZ_CHECK(reapi::validate_instance_name(n.instance_name).ok());
  FUZZ_CHECK(n.is_upload() == upload);
  FUZZ_CHECK(upload || n.metadata.empty());
  FUZZ_CHECK(n.digest.size_bytes >= 0);
  if (n.digest_function) {
    FUZZ_CHECK(!reapi::is_inferred_from_length(*n.digest_function));
    FUZZ_CHECK(reapi::validate_hash(*n.digest_function, n.digest.hash).ok());
  }
  for (char c : n.digest.hash) FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

void check_parser(std::string_view text, Parse parse, Format format, bool upload) {
  const auto parsed = parse(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!parsed.status().message().empty());
    return;
  }
  check_well_formed(*parsed, upload);
  const std::string formatted = format(*parsed);
  const auto reparsed = parse(formatted);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(*reparsed == *parsed);
  FUZZ_CHECK(format(*reparsed) == formatted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_parser(text, reapi::parse_read_resource_name, reapi::format_read_resource_name, false);
  check_parser(text, reapi::parse_write_resource_name, reapi::format_write_resource_name, true);
  return 0;
}
