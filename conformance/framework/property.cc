#include "framework/property.h"

#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListener.h>

#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

namespace conformance {

namespace {

// Keeps the last failing case rapidcheck reports: the first failure found, then each
// shrink that still failed. rapidcheck evaluates the final counterexample once more to
// describe it; against a real server that run may not fail again (a timeout, a race, the
// check's time budget spent), so the report uses the failure that was seen.
class FailureKeeper : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription& description) override {
    keep(description);
  }
  void onShrinkTried(const rc::detail::CaseDescription& description, bool accepted) override {
    if (accepted) keep(description);
  }
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}

  const std::optional<rc::detail::CaseDescription>& last_failure() const { return last_; }

 private:
  void keep(const rc::detail::CaseDescription& description) {
    if (description.result.type == rc::detail::CaseResult::Type::Failure) last_ = description;
  }

  std::optional<rc::detail::CaseDescription> last_;
};

struct SkipCheck {
  std::string reason;
};

// One line per drawn value, in the order drawn: "value  (type)".
std::string format_counterexample(const rc::detail::Example& example) {
  std::string out;
  for (const auto& [type, value] : example) {
    if (!out.empty()) out += '\n';
    out += value + "  (" + type + ")";
  }
  return out;
}

Outcome outcome_of_final_case(Context& ctx, const std::string& warning_prefix) {
  if (!ctx.warning().empty()) {
    Outcome o = Outcome::fail(warning_prefix + ctx.warning(), Level::should);
    return o;
  }
  return Outcome::pass();
}

// rapidcheck announces its configuration on stderr the first time it loads it; the suite
// passes its own parameters, so that line would only confuse a report reader.
void load_rapidcheck_configuration_quietly() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::ostringstream sink;
    std::streambuf* saved = std::cerr.rdbuf(sink.rdbuf());
    rc::detail::configuration();
    std::cerr.rdbuf(saved);
  });
}

}  // namespace

void skip_check(const std::string& reason) { throw SkipCheck{reason}; }

void fail(const std::string& message) {
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, message);
}

void require_at(Context& ctx, Level level, bool ok, const std::string& message) {
  if (ok) return;
  ctx.failing_at(level);
  fail(message);
}

Outcome property(Context& ctx, const std::function<void()>& body, PropertyLimits limits) {
  int cases = 0;
  bool budget_spent = false;
  bool last_run_failed = false;  // the most recent evaluation ran the body and failed
  std::optional<std::string> skipped;
  std::optional<Level> failure_level;
  const auto wrapped = [&] {
    // Once the budget is spent, every further case (or shrink attempt) passes untouched,
    // which ends generation or settles the counterexample found so far.
    last_run_failed = false;
    if (ctx.out_of_time()) {
      budget_spent = true;
      return;
    }
    if (skipped) return;
    ++cases;
    // The last failing case is the counterexample rapidcheck reports (shrinking only
    // moves to candidates that fail), so its level is the one that counts.
    try {
      ctx.take_failing_at();
      body();
    } catch (const SkipCheck& skip) {
      skipped = skip.reason;
      return;
    } catch (const rc::detail::CaseResult& result) {
      if (result.type == rc::detail::CaseResult::Type::Failure) {
        failure_level = ctx.take_failing_at();
        last_run_failed = true;
      }
      throw;
    } catch (...) {
      failure_level = ctx.take_failing_at();
      last_run_failed = true;
      throw;
    }
  };

  load_rapidcheck_configuration_quietly();
  rc::detail::TestParams params;
  params.seed = ctx.seed();
  params.maxSuccess = limits.cases > 0 ? limits.cases : ctx.options().cases;
  params.maxSize = limits.max_size;
  params.disableShrinking = !ctx.options().shrink;
  rc::detail::TestMetadata metadata;
  metadata.id = ctx.info().id;
  metadata.description = ctx.info().description;
  FailureKeeper listener;
  const rc::detail::TestResult result =
      rc::detail::checkTestable(std::function<void()>(wrapped), metadata, params, listener);

  Outcome outcome;
  if (skipped) {
    outcome = Outcome::skip(*skipped);
    outcome.cases = cases;
    return outcome;
  }
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (result.match(failure)) {
    const auto& seen = listener.last_failure();
    outcome = Outcome::fail(seen ? seen->result.description : failure.description, failure_level);
    outcome.counterexample =
        format_counterexample(seen && seen->example ? seen->example() : failure.counterExample);
    outcome.message +=
        " (after " + std::to_string(failure.numSuccess) + " passing case" +
        (failure.numSuccess == 1 ? "" : "s") + (ctx.options().shrink ? "; shrunk" : "") +
        (!last_run_failed && !budget_spent ? "; intermittent: the case passed when run once more"
                                           : "") +
        ")";
  } else if (result.match(gave_up)) {
    outcome =
        Outcome::fail("the check could not generate enough valid cases: " + gave_up.description);
  } else if (result.match(error)) {
    outcome = Outcome::fail("the check could not run: " + error.description);
  } else {
    outcome = outcome_of_final_case(ctx, "");
    if (budget_spent && cases == 0) {
      outcome = Outcome::fail("no case finished within the check's time budget");
    } else if (budget_spent && outcome.verdict == Outcome::Verdict::passed) {
      outcome.message = "time budget spent after " + std::to_string(cases) + " cases";
    }
  }
  outcome.cases = cases;
  return outcome;
}

Outcome once(Context& ctx, const std::function<void()>& body) {
  try {
    ctx.take_failing_at();
    body();
  } catch (const SkipCheck& skip) {
    return Outcome::skip(skip.reason);
  } catch (const rc::detail::CaseResult& result) {
    if (result.type == rc::detail::CaseResult::Type::Failure) {
      Outcome o = Outcome::fail(result.description, ctx.take_failing_at());
      o.cases = 1;
      return o;
    }
    if (result.type == rc::detail::CaseResult::Type::Discard) {
      return Outcome::skip(result.description);
    }
  } catch (const std::exception& e) {
    return Outcome::fail(std::string("the check threw: ") + e.what());
  }
  Outcome o = outcome_of_final_case(ctx, "");
  o.cases = 1;
  return o;
}

}  // namespace conformance
