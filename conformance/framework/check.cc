#include "framework/check.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace conformance {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::must:
      return "MUST";
    case Level::should:
      return "SHOULD";
    case Level::may:
      return "MAY";
  }
  return "?";
}

Outcome Outcome::pass(std::string note) {
  Outcome o;
  o.message = std::move(note);
  return o;
}

Outcome Outcome::fail(std::string message, std::optional<Level> at) {
  Outcome o;
  o.verdict = Verdict::failed;
  o.message = std::move(message);
  o.failed_at = at;
  return o;
}

Outcome Outcome::skip(std::string reason) {
  Outcome o;
  o.verdict = Verdict::skipped;
  o.message = std::move(reason);
  return o;
}

std::string Check::section() const {
  const std::size_t last = info.id.rfind('.');
  return last == std::string::npos ? info.id : info.id.substr(0, last);
}

namespace {

struct SectionName {
  std::string_view section;
  std::string_view title;
};
// Report order: the order a server author would fix things in.
constexpr std::array<SectionName, 14> kSections{{
    {"common", "Common: digests, digest functions, instance names"},
    {"capabilities", "Capabilities.GetCapabilities"},
    {"cas.find_missing", "ContentAddressableStorage.FindMissingBlobs"},
    {"cas.batch_update", "ContentAddressableStorage.BatchUpdateBlobs"},
    {"cas.batch_read", "ContentAddressableStorage.BatchReadBlobs"},
    {"cas.get_tree", "ContentAddressableStorage.GetTree"},
    {"cas.split", "ContentAddressableStorage.SplitBlob / SpliceBlob"},
    {"bytestream.name", "ByteStream resource names"},
    {"bytestream.read", "ByteStream.Read"},
    {"bytestream.write", "ByteStream.Write"},
    {"bytestream.query_write_status", "ByteStream.QueryWriteStatus"},
    {"bytestream.compressed", "ByteStream compressed-blobs"},
    {"action_cache", "ActionCache"},
    {"concurrency", "Concurrency: several clients at once"},
}};

std::size_t section_rank(std::string_view section) {
  for (std::size_t i = 0; i < kSections.size(); ++i) {
    if (kSections[i].section == section) return i;
  }
  return kSections.size();
}

}  // namespace

std::string section_title(std::string_view section) {
  const std::size_t rank = section_rank(section);
  return std::string(rank < kSections.size() ? kSections[rank].title : section);
}

void Catalogue::add(CheckInfo info, CheckFn run) {
  checks_.push_back(Check{std::move(info), std::move(run), {}});
}

void Catalogue::not_checkable(CheckInfo info, std::string reason) {
  checks_.push_back(Check{std::move(info), {}, std::move(reason)});
}

void Catalogue::finish() {
  std::stable_sort(checks_.begin(), checks_.end(), [](const Check& a, const Check& b) {
    const std::size_t ra = section_rank(a.section()), rb = section_rank(b.section());
    if (ra != rb) return ra < rb;
    if (a.info.rule != b.info.rule) return a.info.rule < b.info.rule;
    return a.info.id < b.info.id;
  });
  std::set<std::string> ids;
  for (const Check& c : checks_) {
    if (!ids.insert(c.info.id).second) {
      std::fprintf(stderr, "reapi-conformance: duplicate check id %s\n", c.info.id.c_str());
      std::abort();
    }
  }
}

}  // namespace conformance
