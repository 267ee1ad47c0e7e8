#pragma once
// Runs the selected checks one after another against a session and collects what each
// found. A check's failure counts at its level: MUST fails the run, SHOULD is a warning
// (a failure under --strict), MAY is information.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "framework/check.h"
#include "framework/context.h"

namespace conformance {

enum class Result { passed, failed, warning, skipped, info, not_run };
std::string_view result_name(Result r);  // "passed", "failed", ...

struct CheckResult {
  const Check* check = nullptr;
  Result result = Result::not_run;
  std::string message;
  std::string counterexample;
  int cases = 0;
  double seconds = 0;
  std::uint64_t seed = 0;  // the check's own rapidcheck seed
};

struct Totals {
  int passed = 0, failed = 0, warnings = 0, skipped = 0, info = 0, not_run = 0;
};

struct RunReport {
  std::string target;
  std::string instance;
  std::string digest_function;
  std::uint64_t seed = 0;
  bool strict = false;
  std::string aborted;  // why the run stopped early, if it did
  double seconds = 0;
  std::vector<CheckResult> results;
  int not_checkable = 0;  // catalogue entries with no test, among those selected

  Totals totals() const;
  // 0 when nothing failed (and, under --strict, no warnings); 1 otherwise; 3 when aborted
  // before any check could run.
  int exit_code() const;
  // "reapi-conformance --target X --seed N --filter ID": how to replay one check.
  std::string reproduce(const CheckResult& r) const;
};

// The checks whose ID matches any of `globs` (shell patterns; all when empty).
std::vector<const Check*> select(const Catalogue& catalogue, const std::vector<std::string>& globs);

// The rapidcheck seed of a check: stable for a run seed and a check ID.
std::uint64_t check_seed(std::uint64_t run_seed, std::string_view id);

class Runner {
 public:
  using Listener = std::function<void(const CheckResult&)>;
  Runner(Session& session, std::vector<const Check*> checks, bool strict);

  // Runs every check in order; `on_result` sees each result as it is decided.
  void run(const Listener& on_result);
  // Marks every check as not run, with `why` (the server cannot be used at all).
  void abort(const std::string& why);
  // The report so far (safe to call from another thread: the run-bound watchdog).
  RunReport snapshot() const;

 private:
  Session& session_;
  std::vector<const Check*> checks_;
  mutable std::mutex mutex_;
  RunReport report_;
  std::size_t current_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point check_started_;
};

// Judges a check's outcome at its level.
Result judge(const Check& check, const Outcome& outcome);

}  // namespace conformance
