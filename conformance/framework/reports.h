#pragma once
// The ways a run and the catalogue are written out: the console report (grouped by
// service, in the manner of h2spec), JUnit XML for CI systems, JSON for machines, and the
// catalogue as a plain list or as conformance/CHECKS.md.

#include <ostream>
#include <string>

#include "framework/check.h"
#include "framework/runner.h"
#include "framework/server_facts.h"

namespace conformance {

// Live console output: the header, then one line (and details) per check as it ends.
class ConsoleReport {
 public:
  explicit ConsoleReport(std::ostream& out) : out_(out) {}
  void header(const RunReport& run, const ServerFacts& facts);
  void result(const RunReport& run, const CheckResult& r);
  void summary(const RunReport& run);

 private:
  std::ostream& out_;
  std::string section_;
};

void write_junit(std::ostream& out, const RunReport& run);
void write_json(std::ostream& out, const RunReport& run);

// `--list`: one line per catalogue entry.
void write_list(std::ostream& out, const Catalogue& catalogue);
// conformance/CHECKS.md, generated from the catalogue.
void write_checks_markdown(std::ostream& out, const Catalogue& catalogue);

}  // namespace conformance
