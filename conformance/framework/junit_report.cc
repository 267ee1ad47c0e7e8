#include <cstdio>
#include <map>

#include "framework/reports.h"

namespace conformance {

namespace {

std::string xml_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", s);
  return text;
}

bool counts_as_failure(const RunReport& run, Result r) {
  return r == Result::failed || r == Result::not_run || (run.strict && r == Result::warning);
}

}  // namespace

void write_junit(std::ostream& out, const RunReport& run) {
  // One <testsuite> per section, in catalogue order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CheckResult*>> sections;
  for (const CheckResult& r : run.results) {
    const std::string s = r.check->section();
    if (!sections.count(s)) order.push_back(s);
    sections[s].push_back(&r);
  }
  const Totals t = run.totals();
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"reapi-conformance\" tests=\"" << run.results.size() << "\" failures=\""
      << (t.failed + t.not_run + (run.strict ? t.warnings : 0)) << "\" skipped=\""
      << (t.skipped + t.info) << "\" time=\"" << seconds_text(run.seconds) << "\">\n";
  for (const std::string& s : order) {
    int failures = 0, skipped = 0;
    double time = 0;
    for (const CheckResult* r : sections[s]) {
      failures += counts_as_failure(run, r->result) ? 1 : 0;
      skipped += (r->result == Result::skipped || r->result == Result::info) ? 1 : 0;
      time += r->seconds;
    }
    out << "  <testsuite name=\"" << xml_escaped(section_title(s)) << "\" tests=\""
        << sections[s].size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped
        << "\" time=\"" << seconds_text(time) << "\">\n";
    for (const CheckResult* r : sections[s]) {
      const CheckInfo& info = r->check->info;
      out << "    <testcase classname=\"" << xml_escaped(s) << "\" name=\""
          << xml_escaped(info.id + " [" + info.rule + " " + std::string(level_name(info.level)) +
                         "]")
          << "\" time=\"" << seconds_text(r->seconds) << "\">\n";
      std::string details = info.description + "\n" + r->message;
      if (!r->counterexample.empty()) details += "\ninputs:\n" + r->counterexample;
      if (r->result == Result::failed || r->result == Result::warning ||
          r->result == Result::not_run) {
        details += "\nreproduce: " + run.reproduce(*r);
      }
      if (counts_as_failure(run, r->result)) {
        out << "      <failure type=\"" << level_name(info.level) << "\" message=\""
            << xml_escaped(r->message.substr(0, 500)) << "\">" << xml_escaped(details)
            << "</failure>\n";
      } else if (r->result == Result::skipped || r->result == Result::info) {
        out << "      <skipped message=\"" << xml_escaped(r->message.substr(0, 500)) << "\"/>\n";
      } else if (r->result == Result::warning) {
        out << "      <system-out>" << xml_escaped("warning (SHOULD): " + details)
            << "</system-out>\n";
      }
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace conformance
