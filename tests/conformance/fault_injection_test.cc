// Proves that the conformance suite catches real bugs: for each fault of
// reapi-faulty-server, runs reapi-conformance against it and expects the checks that
// target that bug to fail (and, for the plain reference server, every check to pass).
// Every check of the catalogue must be among those some fault makes fail, so no check is
// there that cannot fail.

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "child_process.h"
#include "fault_plan.h"
#include "faults_markdown.h"
#include "framework/check.h"

namespace faulty {
// What gtest prints for a case (found by argument-dependent lookup; instead of its bytes).
void PrintTo(const FaultEntry* fault, std::ostream* out) {
  *out << "fault " << fault->name << ", filter '" << fault->expect.filter << "'";
}
}  // namespace faulty

namespace conformance_test {
namespace {
using namespace std::chrono_literals;

using faulty::Expectation;
using faulty::FaultEntry;

std::vector<const FaultEntry*> every_fault() {
  std::vector<const FaultEntry*> out;
  for (const FaultEntry& fault : faulty::all_faults()) out.push_back(&fault);
  return out;
}

// The port the server writes to `file`, or 0 if it does not within `timeout` (or exits).
int wait_for_port(ChildProcess& server, const std::filesystem::path& file,
                  std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end && server.running()) {
    const std::string text = read_file(file);
    if (!text.empty() && text.back() == '\n') return std::atoi(text.c_str());
    std::this_thread::sleep_for(20ms);
  }
  return 0;
}

constexpr const char* kSeed = "20261203";

class FaultInjectionTest : public testing::TestWithParam<const FaultEntry*> {};

TEST_P(FaultInjectionTest, ConformanceSuiteCatchesTheFault) {
  const FaultEntry& fault = *GetParam();
  const Expectation& c = fault.expect;
  const std::chrono::seconds bound(c.bound_seconds);
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "cannot create a temporary directory";
  const auto server_log = dir.path() / "server.log";
  const auto suite_log = dir.path() / "conformance.log";
  const auto report = dir.path() / "report.json";

  ChildProcess server(REAPI_FAULTY_SERVER_PATH,
                      {"--fault", fault.name, "--listen", "127.0.0.1:0", "--port-file",
                       (dir.path() / "port").string()},
                      server_log);
  ASSERT_TRUE(server.started()) << server.error();
  const int port = wait_for_port(server, dir.path() / "port", 30s);
  ASSERT_GT(port, 0) << "reapi-faulty-server did not report its port:\n" << read_file(server_log);

  std::vector<std::string> args{"--target", "grpc://127.0.0.1:" + std::to_string(port), "--json",
                                report.string()};
  if (!c.filter.empty()) args.insert(args.end(), {"--filter", c.filter});
  // A fixed seed: each fault meets the same generated cases on every run, so a fault that
  // a check catches only now and then shows up as a steady failure here, not a flaky one.
  args.insert(args.end(), {"--seed", kSeed});
  args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
  ChildProcess suite(REAPI_CONFORMANCE_PATH, args, suite_log);
  ASSERT_TRUE(suite.started()) << suite.error();
  const std::optional<int> code = suite.wait_for(bound);
  if (!code) {
    suite.send(SIGKILL);
    FAIL() << "reapi-conformance ran over " << bound.count() << " s against fault '" << fault.name
           << "':\n"
           << read_file(suite_log);
  }
  switch (c.exit) {
    case Expectation::Exit::zero:
      EXPECT_EQ(*code, 0) << read_file(suite_log);
      break;
    case Expectation::Exit::one:
      EXPECT_EQ(*code, 1) << read_file(suite_log);
      break;
    case Expectation::Exit::nonzero:
      EXPECT_NE(*code, 0) << read_file(suite_log);
      break;
  }

  if (!c.fails.empty() || !c.warns.empty() || !c.infos.empty()) {
    const nlohmann::json json = nlohmann::json::parse(read_file(report), nullptr, false);
    ASSERT_TRUE(json.is_object() && json.contains("checks") && json["checks"].is_array())
        << "no usable JSON report at " << report << ":\n"
        << read_file(report);
    const auto expect_result = [&](const std::string& id, const std::string& wanted,
                                   const std::string& message_has = {}) {
      const auto& checks = json["checks"];
      auto check = std::find_if(checks.begin(), checks.end(), [&](const nlohmann::json& entry) {
        return entry.value("id", "") == id;
      });
      if (check == checks.end()) {
        ADD_FAILURE() << "the report lists no check '" << id << "'";
        return;
      }
      EXPECT_EQ(check->value("result", ""), wanted)
          << "check '" << id << "' against fault '" << fault.name << "': " << check->dump();
      EXPECT_NE(check->value("message", "").find(message_has), std::string::npos)
          << "check '" << id << "' against fault '" << fault.name << "' does not say '"
          << message_has << "': " << check->dump();
    };
    for (const std::string& id : c.fails) expect_result(id, "failed", c.message_has);
    for (const std::string& id : c.warns) expect_result(id, "warning");
    for (const std::string& id : c.infos) expect_result(id, "info");
  }

  server.send(SIGTERM);
  const std::optional<int> stopped = server.wait_for(15s);
  EXPECT_EQ(stopped, std::optional<int>(0))
      << "reapi-faulty-server did not stop cleanly on SIGTERM:\n"
      << read_file(server_log);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultInjectionTest, testing::ValuesIn(every_fault()),
                         [](const testing::TestParamInfo<const FaultEntry*>& info) {
                           std::string name = info.param->name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Every checkable check is caught by at least one fault, and every check a fault names
// exists: a check no fault can make fail proves nothing.
TEST(FaultCoverage, EveryCheckIsShownToFail) {
  std::map<std::string, std::vector<std::string>> caught_by;
  for (const FaultEntry& fault : faulty::all_faults()) {
    for (const auto* ids : {&fault.expect.fails, &fault.expect.warns, &fault.expect.infos}) {
      for (const std::string& id : *ids) caught_by[id].push_back(fault.name);
    }
  }
  std::set<std::string> names;
  for (const FaultEntry& fault : faulty::all_faults()) {
    EXPECT_TRUE(names.insert(fault.name).second) << "two faults are named '" << fault.name << "'";
  }
  std::set<std::string> known;
  std::vector<std::string> uncaught;
  for (const conformance::Check& check : conformance::full_catalogue().checks()) {
    if (!check.checkable()) continue;
    known.insert(check.info.id);
    if (!caught_by.contains(check.info.id)) uncaught.push_back(check.info.id);
  }
  std::string list;
  for (const std::string& id : uncaught) list += "\n  " + id;
  EXPECT_TRUE(uncaught.empty()) << uncaught.size() << " of " << known.size()
                                << " checks are caught by no fault:" << list;
  for (const auto& [id, faults] : caught_by) {
    EXPECT_TRUE(known.contains(id)) << "fault '" << faults.front() << "' names check '" << id
                                    << "', which the catalogue has not (or cannot run)";
  }
}

TEST(FaultCoverage, FaultsMarkdownIsCurrent) {
  std::ostringstream generated;
  faulty::write_faults_markdown(generated);
  EXPECT_TRUE(generated.str() == read_file(FAULTS_MD))
      << "tests/conformance/FAULTS.md is stale: regenerate it with\n"
         "  reapi-faulty-server --faults-md tests/conformance/FAULTS.md";
}

}  // namespace
}  // namespace conformance_test
