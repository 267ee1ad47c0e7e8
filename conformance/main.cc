// reapi-conformance: runs the catalogue of conformance checks against a REAPI storage server
// by address and reports, per check, the rule it tests and what the server did.
// Exit status: 0 no MUST check failed (and no SHOULD one, with --strict); 1 a check failed
// or could not finish; 2 bad command line; 3 the server could not be used at all.

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "framework/check.h"
#include "framework/context.h"
#include "framework/reports.h"
#include "framework/runner.h"
#include "reapi/byte_size.h"
#include "reapi/status.h"

namespace {

using namespace conformance;

struct Outputs {
  std::string junit;
  std::string json;
};

bool write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path, std::ios::trunc);
  if (out) write(out);
  out.close();
  if (!out) {
    std::cerr << "reapi-conformance: cannot write " << path << std::endl;
    return false;
  }
  return true;
}

bool write_reports(const RunReport& report, const Outputs& outputs) {
  bool ok = true;
  if (!outputs.junit.empty()) {
    ok &= write_file(outputs.junit, [&](std::ostream& o) { write_junit(o, report); });
  }
  if (!outputs.json.empty()) {
    ok &= write_file(outputs.json, [&](std::ostream& o) { write_json(o, report); });
  }
  return ok;
}

// Ends the process, with reports, if the run overruns its bound by more than a grace
// period: the last line of defence against a check stuck in a call that ignores deadlines.
class Watchdog {
 public:
  Watchdog(const Runner& runner, ConsoleReport& console, const Outputs& outputs,
           Clock::time_point deadline)
      : thread_([this, &runner, &console, &outputs, deadline] {
          std::unique_lock lock(mutex_);
          if (done_cv_.wait_until(lock, deadline + std::chrono::seconds(15),
                                  [this] { return done_; })) {
            return;
          }
          RunReport report = runner.snapshot();
          console.summary(report);
          write_reports(report, outputs);
          std::cout << "reapi-conformance: stopped: the run overran --run-timeout" << std::endl;
          std::_Exit(1);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

std::vector<std::string> split_globs(const std::vector<std::string>& filters) {
  std::vector<std::string> globs;
  for (const std::string& f : filters) {
    std::size_t start = 0;
    while (start <= f.size()) {
      const std::size_t comma = std::min(f.find(',', start), f.size());
      if (comma > start) globs.push_back(f.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return globs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "reapi-conformance: checks a REAPI v2 storage server (CAS, ByteStream, Capabilities, "
      "ActionCache) against every rule of the storage notes, by address"};
  reapi::TargetOptions target_options;
  target_options.deadline_seconds = 10;  // per call; large transfers get more
  reapi::add_target_options(app, target_options);
  // --list and --checks-md need no server; the run checks for --target itself.
  app.get_option("--target")->required(false);

  SuiteOptions suite;
  std::string seed_text;
  std::vector<std::string> filters;
  bool list = false;
  std::string checks_md;
  bool strict = false;
  Outputs outputs;
  std::string max_blob = "3MiB";
  double check_timeout = 30, run_timeout = 300;
  bool no_shrink = false;
  app.add_option("--seed", seed_text,
                 "Seed of the generated cases (printed with every failure); random by default");
  app.add_option("--filter", filters,
                 "Run only checks whose ID matches this shell pattern (repeatable, or "
                 "comma-separated), e.g. 'cas.batch_update.*'");
  app.add_flag("--list", list, "Print the catalogue of checks and exit");
  app.add_option("--checks-md", checks_md, "Write the catalogue as Markdown to FILE and exit");
  app.add_flag("--strict", strict, "Fail the run on SHOULD-level findings too");
  app.add_option("--junit", outputs.junit, "Write a JUnit XML report to FILE");
  app.add_option("--json", outputs.json, "Write a JSON report to FILE");
  app.add_option("--cases", suite.cases, "Generated cases per property check")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--max-blob-size", max_blob, "Largest blob the suite generates")
      ->capture_default_str();
  app.add_option("--check-timeout", check_timeout, "Seconds one check may take, shrinking included")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  app.add_option("--run-timeout", run_timeout, "Seconds the whole run may take")
      ->check(CLI::Range(1.0, 604800.0))
      ->capture_default_str();
  app.add_flag("--no-shrink", no_shrink, "Report the first failing case as found, unshrunk");
  CLI11_PARSE(app, argc, argv);

  const Catalogue& catalogue = full_catalogue();
  if (list) {
    write_list(std::cout, catalogue);
    return 0;
  }
  if (!checks_md.empty()) {
    return write_file(checks_md, [&](std::ostream& o) { write_checks_markdown(o, catalogue); }) ? 0
                                                                                                : 2;
  }
  if (target_options.address.empty()) {
    std::cerr << "reapi-conformance: --target is required (e.g. --target grpc://127.0.0.1:50051)"
              << std::endl;
    return 2;
  }
  if (!seed_text.empty()) {
    try {
      std::size_t used = 0;
      suite.seed = std::stoull(seed_text, &used);
      if (used != seed_text.size()) throw std::invalid_argument(seed_text);
    } catch (const std::exception&) {
      std::cerr << "reapi-conformance: --seed must be a non-negative integer, got '" << seed_text
                << "'" << std::endl;
      return 2;
    }
  } else {
    std::random_device device;
    suite.seed = (static_cast<std::uint64_t>(device()) << 32 | device()) % 1000000000000ULL;
  }
  const auto max_blob_size = reapi::parse_byte_size(max_blob);
  if (!max_blob_size.ok() || *max_blob_size < 1 || *max_blob_size > (std::int64_t{1} << 34)) {
    std::cerr << "reapi-conformance: --max-blob-size must be a size from 1B to 16GiB, got '"
              << max_blob << "'" << std::endl;
    return 2;
  }
  suite.max_blob_size = *max_blob_size;
  suite.check_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(check_timeout * 1000));
  suite.run_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(run_timeout * 1000));
  suite.shrink = !no_shrink;

  const std::vector<const Check*> selected = select(catalogue, split_globs(filters));
  if (selected.empty()) {
    std::cerr << "reapi-conformance: no check matches the --filter given (see --list)" << std::endl;
    return 2;
  }

  auto target = reapi::Target::connect(target_options);
  if (!target.ok()) {
    std::cerr << "reapi-conformance: " << target.status().message() << std::endl;
    return 2;
  }
  Session session(*std::move(target), suite);
  const grpc::Status usable = session.discover();

  Runner runner(session, selected, strict);
  ConsoleReport console(std::cout);
  console.header(runner.snapshot(), session.facts());
  if (!usable.ok()) {
    runner.abort("the server cannot be used: GetCapabilities -> " +
                 std::string(reapi::code_name(usable.error_code())) + " (" +
                 usable.error_message() + ")");
  } else {
    Watchdog watchdog(runner, console, outputs, session.run_deadline());
    runner.run([&](const CheckResult& r) { console.result(runner.snapshot(), r); });
  }
  const RunReport report = runner.snapshot();
  console.summary(report);
  if (!write_reports(report, outputs)) return 2;
  return report.exit_code();
}
