#include <sstream>

#include "framework/reports.h"
#include "reapi/status.h"

namespace conformance {

namespace {

std::string_view mark(Result r) {
  switch (r) {
    case Result::passed:
      return "✔";
    case Result::failed:
      return "✘";
    case Result::warning:
      return "⚠";
    case Result::skipped:
      return "-";
    case Result::info:
      return "i";
    case Result::not_run:
      return "✘";
  }
  return "?";
}

void indented(std::ostream& out, std::string_view label, const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    out << "      " << (first ? label : std::string(label.size(), ' ')) << line << "\n";
    first = false;
  }
}

}  // namespace

void ConsoleReport::header(const RunReport& run, const ServerFacts& facts) {
  out_ << "reapi-conformance: target " << run.target << ", instance '" << run.instance
       << "', digest function " << run.digest_function << ", seed " << run.seed << "\n";
  if (facts.status.ok()) {
    out_ << "  capabilities: batch limit " << facts.max_batch_total_size_bytes
         << " bytes, ByteStream compressors " << facts.compressors.size() << ", batch compressors "
         << facts.batch_update_compressors.size() << ", ActionCache updates "
         << (facts.update_enabled ? "enabled" : "disabled") << "\n";
  } else {
    out_ << "  capabilities: GetCapabilities failed: "
         << reapi::code_name(facts.status.error_code())
         << "; assuming SHA256 and a 4 MiB batch limit\n";
  }
  out_.flush();
}

void ConsoleReport::result(const RunReport& run, const CheckResult& r) {
  const Check& c = *r.check;
  if (c.section() != section_) {
    section_ = c.section();
    out_ << "\n" << section_title(section_) << "\n";
  }
  out_ << "  " << mark(r.result) << " " << c.info.id << " [" << c.info.rule << " "
       << level_name(c.info.level) << "]";
  if (r.result == Result::skipped) out_ << " skipped";
  if (r.result == Result::info) out_ << " (optional behaviour not present)";
  out_ << "\n";
  if (r.result != Result::passed && !r.message.empty()) indented(out_, "", r.message);
  if (r.result == Result::passed && !r.message.empty()) indented(out_, "note: ", r.message);
  if (r.result == Result::failed || r.result == Result::warning) {
    if (!r.counterexample.empty()) indented(out_, "inputs: ", r.counterexample);
    indented(out_, "reproduce: ", run.reproduce(r));
  }
  out_.flush();
}

void ConsoleReport::summary(const RunReport& run) {
  const Totals t = run.totals();
  if (!run.aborted.empty()) out_ << "\nrun stopped early: " << run.aborted << "\n";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", run.seconds);
  out_ << "\n"
       << run.results.size() << " checks: " << t.passed << " passed, " << t.failed << " failed, "
       << t.warnings << " warnings, " << t.skipped << " skipped";
  if (t.info > 0) out_ << ", " << t.info << " optional not present";
  if (t.not_run > 0) out_ << ", " << t.not_run << " not run";
  out_ << " (" << run.not_checkable << " rules not checkable, see --list) in " << seconds
       << " s; seed " << run.seed << "\n";
  out_.flush();
}

}  // namespace conformance
