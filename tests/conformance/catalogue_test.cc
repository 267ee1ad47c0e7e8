// The catalogue itself: every rule of the notes is covered (checked, or marked not
// checkable with a reason) at its level, every check cites a real rule, IDs are well
// formed and unique, and the generated conformance/CHECKS.md is current.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "framework/check.h"
#include "framework/reports.h"

namespace conformance {
namespace {

// "[a-z_]+(\.[a-z0-9_]+)+" (no std::regex: GCC 12 warns inside it under sanitizers).
bool well_formed_id(const std::string& id) {
  if (id.empty() || id.front() < 'a' || id.front() > 'z' || id.back() == '.') return false;
  if (id.find('.') == std::string::npos || id.find("..") != std::string::npos) return false;
  return id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string::npos;
}

// The first word after `prefix` at the start of `line` ("" if the line does not start so).
std::string word_after(const std::string& line, const std::string& prefix) {
  if (line.rfind(prefix, 0) != 0) return "";
  const std::size_t end = line.find(' ', prefix.size());
  return line.substr(prefix.size(), end == std::string::npos ? end : end - prefix.size());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "CAS-FMB-01 MUST" lines of conformance/rule_ids.txt.
std::map<std::string, std::string> listed_rules() {
  std::map<std::string, std::string> rules;
  std::istringstream in(read_file(CONFORMANCE_DIR "/rule_ids.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string id, level;
    fields >> id >> level;
    rules[id] = level;
  }
  return rules;
}

TEST(Catalogue, ListsEveryRuleOfTheNotes) {
  const auto rules = listed_rules();
  ASSERT_EQ(rules.size(), 170u);
  std::set<std::string> covered;
  for (const Check& c : full_catalogue().checks()) covered.insert(c.info.rule);
  for (const auto& [id, level] : rules) {
    EXPECT_TRUE(covered.count(id)) << id << " has neither a check nor a not-checkable entry";
  }
}

TEST(Catalogue, EveryCheckCitesARuleAtItsLevel) {
  const auto rules = listed_rules();
  for (const Check& c : full_catalogue().checks()) {
    const auto rule = rules.find(c.info.rule);
    ASSERT_NE(rule, rules.end()) << c.info.id << " cites unknown rule " << c.info.rule;
    EXPECT_EQ(rule->second, level_name(c.info.level)) << c.info.id << " (" << c.info.rule << ")";
  }
}

TEST(Catalogue, IdsAreWellFormedUniqueAndInAKnownSection) {
  std::set<std::string> ids;
  for (const Check& c : full_catalogue().checks()) {
    EXPECT_TRUE(well_formed_id(c.info.id)) << c.info.id;
    EXPECT_TRUE(ids.insert(c.info.id).second) << "duplicate " << c.info.id;
    EXPECT_NE(section_title(c.section()), c.section()) << c.info.id << ": unknown section";
    EXPECT_FALSE(c.info.description.empty()) << c.info.id;
    if (!c.checkable()) {
      EXPECT_FALSE(c.not_checkable.empty()) << c.info.id << " needs a reason";
    }
  }
}

TEST(Catalogue, ChecksMarkdownIsCurrent) {
  std::ostringstream generated;
  write_checks_markdown(generated, full_catalogue());
  EXPECT_TRUE(generated.str() == read_file(CONFORMANCE_DIR "/CHECKS.md"))
      << "conformance/CHECKS.md is stale: regenerate it with\n"
         "  reapi-conformance --checks-md conformance/CHECKS.md";
}

// When the notes are beside the project (../shared/reapi), rule_ids.txt must match them.
TEST(Catalogue, RuleListMatchesTheNotes) {
  const std::filesystem::path notes = std::filesystem::path(CONFORMANCE_DIR) / "../../shared/reapi";
  if (!std::filesystem::exists(notes / "cas.md")) GTEST_SKIP() << "notes not found at " << notes;
  std::map<std::string, std::string> from_notes;
  for (const char* file :
       {"common.md", "cas.md", "bytestream.md", "capabilities.md", "action-cache.md"}) {
    std::istringstream in(read_file(notes / file));
    std::string line, id;
    while (std::getline(in, line)) {
      const std::string heading = word_after(line, "### ");
      // Rule headings: "### CAS-FMB-01 — ...": upper-case words and a number, by hyphens.
      if (!heading.empty() && heading.find('-') != std::string::npos &&
          heading.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == std::string::npos) {
        id = heading;
      }
      const std::string level = word_after(line, "- Level: ");
      if (!id.empty() && !level.empty()) {
        from_notes[id] = level;
        id.clear();
      }
    }
  }
  EXPECT_EQ(from_notes, listed_rules());
}

}  // namespace
}  // namespace conformance
