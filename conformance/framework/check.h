#pragma once
// A check: one rule of ../shared/reapi/ turned into a named test against a server. The
// catalogue holds every check, including the rules that cannot be checked from outside
// (those carry the reason instead of a test).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conformance {

enum class Level { must, should, may };
std::string_view level_name(Level level);  // "MUST", "SHOULD", "MAY"

struct CheckInfo {
  std::string id;    // "cas.batch_update.rejects_hash_mismatch"
  std::string rule;  // "CAS-BUP-03"
  Level level = Level::must;
  std::string description;  // one line: what the server must do
};

// What one check found. A failure is judged at the check's level unless `failed_at` says
// otherwise (rules with two levels: "MUST (error) / SHOULD (for the code)").
struct Outcome {
  enum class Verdict { passed, failed, skipped };
  Verdict verdict = Verdict::passed;
  std::string message;  // failure, skip reason, or a note on a pass
  std::optional<Level> failed_at;
  std::string counterexample;  // the (shrunk) generated inputs of a failed property
  int cases = 0;               // property cases run

  static Outcome pass(std::string note = {});
  static Outcome fail(std::string message, std::optional<Level> at = {});
  static Outcome skip(std::string reason);
};

class Context;
using CheckFn = std::function<Outcome(Context&)>;

struct Check {
  CheckInfo info;
  CheckFn run;                // empty for a rule that is not checkable
  std::string not_checkable;  // the reason, when `run` is empty

  bool checkable() const { return static_cast<bool>(run); }
  // "cas.batch_update" for "cas.batch_update.rejects_hash_mismatch": the report section.
  std::string section() const;
};

class Catalogue {
 public:
  void add(CheckInfo info, CheckFn run);
  void not_checkable(CheckInfo info, std::string reason);
  const std::vector<Check>& checks() const { return checks_; }
  // Sorted by section order (common, capabilities, cas.*, bytestream.*, action_cache,
  // concurrency), then by rule ID; IDs and rules checked unique. Aborts on a duplicate ID
  // (a programming error caught by the catalogue test).
  void finish();

 private:
  std::vector<Check> checks_;
};

// Every check of the suite.
const Catalogue& full_catalogue();

// Human title of a section: "cas.batch_update" -> "ContentAddressableStorage.BatchUpdateBlobs".
std::string section_title(std::string_view section);

}  // namespace conformance
