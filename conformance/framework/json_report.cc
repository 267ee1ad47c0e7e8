#include <nlohmann/json.hpp>

#include "framework/reports.h"

namespace conformance {

void write_json(std::ostream& out, const RunReport& run) {
  const Totals t = run.totals();
  nlohmann::json doc;
  doc["tool"] = "reapi-conformance";
  doc["target"] = run.target;
  doc["instance"] = run.instance;
  doc["digest_function"] = run.digest_function;
  doc["seed"] = run.seed;
  doc["strict"] = run.strict;
  doc["seconds"] = run.seconds;
  doc["exit_code"] = run.exit_code();
  if (!run.aborted.empty()) doc["aborted"] = run.aborted;
  doc["summary"] = {{"passed", t.passed},
                    {"failed", t.failed},
                    {"warnings", t.warnings},
                    {"skipped", t.skipped},
                    {"info", t.info},
                    {"not_run", t.not_run},
                    {"checks", run.results.size()},
                    {"not_checkable", run.not_checkable}};
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& r : run.results) {
    const CheckInfo& info = r.check->info;
    nlohmann::json c;
    c["id"] = info.id;
    c["rule"] = info.rule;
    c["level"] = std::string(level_name(info.level));
    c["section"] = r.check->section();
    c["description"] = info.description;
    c["result"] = std::string(result_name(r.result));
    c["message"] = r.message;
    if (!r.counterexample.empty()) c["counterexample"] = r.counterexample;
    c["cases"] = r.cases;
    c["seconds"] = r.seconds;
    c["check_seed"] = r.seed;
    if (r.result == Result::failed || r.result == Result::warning) {
      c["reproduce"] = run.reproduce(r);
    }
    checks.push_back(std::move(c));
  }
  doc["checks"] = std::move(checks);
  // Server messages may hold any bytes; replace what is not UTF-8 instead of throwing.
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace conformance
