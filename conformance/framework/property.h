#pragma once
// Checks as rapidcheck properties. A property body draws its inputs with `*gen` (rapidcheck
// records each draw for the counterexample), makes its calls through the Context, and
// states what must hold with require() / should(). property() runs it over generated
// cases from the check's seed, shrinks a failure to a minimal counterexample, and stops
// drawing new cases (or shrinking) once the check's time budget is spent.

#include <rapidcheck.h>

#include <functional>
#include <string>

#include "framework/check.h"
#include "framework/context.h"

namespace conformance {

struct PropertyLimits {
  int cases = 0;       // 0: the run's --cases
  int max_size = 100;  // rapidcheck's size bound for generators that use it
};

Outcome property(Context& ctx, const std::function<void()>& body, PropertyLimits limits = {});

// Fails the current case with `message` (the request and what came back).
[[noreturn]] void fail(const std::string& message);
inline void require(bool ok, const std::string& message) {
  if (!ok) fail(message);
}
// Fails the current case, judged at `level` rather than the check's own level.
void require_at(Context& ctx, Level level, bool ok, const std::string& message);
// A SHOULD-level shortcoming: recorded as a warning, the case goes on.
inline void should(Context& ctx, bool ok, const std::string& message) {
  if (!ok) ctx.warn(message);
}

// Ends the whole check as skipped with `reason` (e.g. the server refused, with
// PERMISSION_DENIED, an upload the check needs: a read-only server). Usable anywhere in a
// property or once() body; the remaining cases are not run.
[[noreturn]] void skip_check(const std::string& reason);

// Runs `body` once as a plain check (for rules with nothing to generate): require() and
// fail() inside it end the check as failed.
Outcome once(Context& ctx, const std::function<void()>& body);

}  // namespace conformance
