#include <array>
#include <map>

#include "framework/reports.h"

namespace conformance {

void write_list(std::ostream& out, const Catalogue& catalogue) {
  std::string section;
  for (const Check& c : catalogue.checks()) {
    if (c.section() != section) {
      section = c.section();
      out << "\n" << section_title(section) << "\n";
    }
    out << "  " << c.info.id << "  [" << c.info.rule << " " << level_name(c.info.level) << "]  "
        << c.info.description << "\n";
    if (!c.checkable()) out << "      not checkable: " << c.not_checkable << "\n";
  }
}

namespace {

std::string cell(std::string text) {
  std::string out;
  for (char c : text) out += (c == '|') ? std::string("\\|") : std::string(1, c == '\n' ? ' ' : c);
  return out;
}

}  // namespace

void write_checks_markdown(std::ostream& out, const Catalogue& catalogue) {
  std::map<Level, std::array<int, 2>> counts;  // [checked, not checkable]
  for (const Check& c : catalogue.checks()) ++counts[c.info.level][c.checkable() ? 0 : 1];
  out << "# Conformance checks\n\n"
      << "Generated from the catalogue by `reapi-conformance --checks-md conformance/CHECKS.md`; "
         "do not edit by hand (a test fails when this file is stale).\n\n"
      << "Each check tests one rule of the REAPI storage notes (`../shared/reapi/`, cited by rule "
         "ID). A failed MUST check fails the run; a failed SHOULD check is a warning (a failure "
         "with `--strict`); a MAY check only reports whether the optional behaviour is there.\n\n"
      << "| Level | Checked | Not checkable |\n|---|---|---|\n";
  int checked = 0, unchecked = 0;
  for (Level l : {Level::must, Level::should, Level::may}) {
    out << "| " << level_name(l) << " | " << counts[l][0] << " | " << counts[l][1] << " |\n";
    checked += counts[l][0];
    unchecked += counts[l][1];
  }
  out << "| **All** | **" << checked << "** | **" << unchecked << "** |\n";
  std::string section;
  for (const Check& c : catalogue.checks()) {
    if (c.section() != section) {
      section = c.section();
      out << "\n## " << section_title(section) << "\n\n"
          << "| Check | Rule | Level | What the server must do |\n|---|---|---|---|\n";
    }
    out << "| `" << c.info.id << "` | " << c.info.rule << " | " << level_name(c.info.level) << " | "
        << cell(c.info.description);
    if (!c.checkable()) out << " *Not checkable: " << cell(c.not_checkable) << "*";
    out << " |\n";
  }
}

}  // namespace conformance
