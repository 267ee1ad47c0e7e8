#include "framework/runner.h"

#include <fnmatch.h>

#include <algorithm>

#include "reapi/digest_function.h"

namespace conformance {

std::string_view result_name(Result r) {
  switch (r) {
    case Result::passed:
      return "passed";
    case Result::failed:
      return "failed";
    case Result::warning:
      return "warning";
    case Result::skipped:
      return "skipped";
    case Result::info:
      return "info";
    case Result::not_run:
      return "not_run";
  }
  return "?";
}

Totals RunReport::totals() const {
  Totals t;
  for (const CheckResult& r : results) {
    switch (r.result) {
      case Result::passed:
        ++t.passed;
        break;
      case Result::failed:
        ++t.failed;
        break;
      case Result::warning:
        ++t.warnings;
        break;
      case Result::skipped:
        ++t.skipped;
        break;
      case Result::info:
        ++t.info;
        break;
      case Result::not_run:
        ++t.not_run;
        break;
    }
  }
  return t;
}

int RunReport::exit_code() const {
  const Totals t = totals();
  if (!aborted.empty() && t.passed + t.failed + t.warnings + t.skipped + t.info == 0) return 3;
  if (t.failed > 0 || t.not_run > 0) return 1;
  if (strict && t.warnings > 0) return 1;
  return 0;
}

std::string RunReport::reproduce(const CheckResult& r) const {
  std::string cmd = "reapi-conformance --target " + target;
  if (!instance.empty()) cmd += " --instance '" + instance + "'";
  cmd += " --seed " + std::to_string(seed) + " --filter " + r.check->info.id;
  return cmd;
}

std::vector<const Check*> select(const Catalogue& catalogue,
                                 const std::vector<std::string>& globs) {
  std::vector<const Check*> out;
  for (const Check& c : catalogue.checks()) {
    const bool wanted =
        globs.empty() || std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
          return fnmatch(g.c_str(), c.info.id.c_str(), 0) == 0;
        });
    if (wanted) out.push_back(&c);
  }
  return out;
}

std::uint64_t check_seed(std::uint64_t run_seed, std::string_view id) {
  // FNV-1a over the ID, mixed with the run seed: the same on every platform and build.
  std::uint64_t h = 0xcbf29ce484222325ULL ^ run_seed;
  for (char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

Result judge(const Check& check, const Outcome& outcome) {
  switch (outcome.verdict) {
    case Outcome::Verdict::passed:
      return Result::passed;
    case Outcome::Verdict::skipped:
      return Result::skipped;
    case Outcome::Verdict::failed:
      break;
  }
  switch (outcome.failed_at.value_or(check.info.level)) {
    case Level::must:
      return Result::failed;
    case Level::should:
      return Result::warning;
    case Level::may:
      return Result::info;
  }
  return Result::failed;
}

Runner::Runner(Session& session, std::vector<const Check*> checks, bool strict)
    : session_(session), checks_(std::move(checks)), started_(std::chrono::steady_clock::now()) {
  report_.target = session.target().address();
  report_.instance = session.target().instance_name();
  report_.digest_function = std::string(reapi::name(session.function()));
  report_.seed = session.options().seed;
  report_.strict = strict;
  for (const Check* c : checks_) {
    if (!c->checkable()) {
      ++report_.not_checkable;
      continue;
    }
    CheckResult r;
    r.check = c;
    r.seed = check_seed(report_.seed, c->info.id);
    r.message = "not run";
    report_.results.push_back(std::move(r));
  }
}

void Runner::run(const Listener& on_result) {
  for (std::size_t i = 0; i < report_.results.size(); ++i) {
    const Check& check = *report_.results[i].check;
    {
      std::lock_guard lock(mutex_);
      current_ = i;
      check_started_ = std::chrono::steady_clock::now();
    }
    CheckResult r = report_.results[i];
    if (std::chrono::steady_clock::now() >= session_.run_deadline()) {
      r.result = Result::not_run;
      r.message = "not run: the run's time bound (--run-timeout) was reached";
    } else {
      Context ctx(session_, check.info, r.seed);
      const auto start = std::chrono::steady_clock::now();
      Outcome outcome;
      try {
        outcome = check.run(ctx);
      } catch (const std::exception& e) {
        outcome = Outcome::fail(std::string("the check threw: ") + e.what());
      }
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      r.result = judge(check, outcome);
      r.message = outcome.message;
      r.counterexample = outcome.counterexample;
      r.cases = outcome.cases;
    }
    {
      std::lock_guard lock(mutex_);
      report_.results[i] = r;
      report_.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      current_ = i + 1;
    }
    if (on_result) on_result(r);
  }
}

void Runner::abort(const std::string& why) {
  std::lock_guard lock(mutex_);
  report_.aborted = why;
  current_ = report_.results.size();
  for (CheckResult& r : report_.results) {
    r.result = Result::not_run;
    r.message = "not run: " + why;
  }
}

RunReport Runner::snapshot() const {
  std::lock_guard lock(mutex_);
  RunReport copy = report_;
  if (current_ < copy.results.size()) {
    // Called by the watchdog while a check is still running: that check overran.
    CheckResult& stuck = copy.results[current_];
    stuck.result = Result::failed;
    stuck.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - check_started_).count();
    stuck.message = "did not finish within the run's time bound; the server stopped answering";
    for (std::size_t i = current_ + 1; i < copy.results.size(); ++i) {
      copy.results[i].result = Result::not_run;
      copy.results[i].message = "not run: the run's time bound (--run-timeout) was reached";
    }
    copy.aborted = "the run's time bound (--run-timeout) was reached";
  }
  copy.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return copy;
}

}  // namespace conformance
