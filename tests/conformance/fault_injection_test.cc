// Proves that the conformance suite catches real bugs: for each fault of
// reapi-faulty-server, runs reapi-conformance against it and expects the checks that
// target that bug to fail (and, for the plain reference server, every check to pass).

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.h"

namespace conformance_test {
namespace {
using namespace std::chrono_literals;

enum class Exit { zero, one, nonzero };

struct FaultCase {
  std::string fault{};
  std::string filter{};                  // --filter glob; empty: no filter (every check)
  std::vector<std::string> must_fail{};  // check ids the JSON report must list as "failed"
  std::vector<std::string> must_warn{};  // ... as "warning" (SHOULD rules)
  std::vector<std::string> extra_args{};
  Exit exit = Exit::one;
  std::chrono::seconds bound = 120s;  // reapi-conformance is killed after this
};

// What gtest prints for a case (instead of its bytes).
void PrintTo(const FaultCase& c, std::ostream* out) {
  *out << "fault " << c.fault << ", filter '" << c.filter << "'";
}

// One realistic bug per check family; each names the checks that must catch it.
const std::vector<FaultCase> kCases = {
    {.fault = "none", .filter = "cas.*", .exit = Exit::zero},
    {.fault = "no-hash-verification",
     .filter = "cas.batch_update.*",
     .must_fail = {"cas.batch_update.rejects_data_mismatch"}},
    {.fault = "ignore-read-offset",
     .filter = "bytestream.read.*",
     .must_fail = {"bytestream.read.offset"}},
    {.fault = "wrong-status-code",
     .filter = "cas.batch_read.*,bytestream.read.*,action_cache.*",
     .must_fail = {"cas.batch_read.absent_is_not_found", "bytestream.read.absent_not_found",
                   "action_cache.miss_not_found"}},
    {.fault = "repeat-page",
     .filter = "cas.get_tree.*",
     .must_fail = {"cas.get_tree.pagination_terminates"}},
    {.fault = "lost-last-chunk",
     .filter = "bytestream.read.*",
     .must_fail = {"bytestream.read.full_read"}},
    {.fault = "wrong-committed-size",
     .filter = "bytestream.query_write_status.*",
     .must_fail = {"bytestream.query_write_status.committed_size_never_exceeds_sent"}},
    {.fault = "lost-writes",
     .filter = "bytestream.write.*,cas.batch_update.*",
     .must_fail = {"bytestream.write.successful_upload", "cas.batch_update.stored_is_readable"}},
    {.fault = "hang-get-tree", .filter = "cas.get_tree.*", .must_fail = {"cas.get_tree.full_tree"}},
    // A server that never answers: the suite must give up (non-zero) well within its bound.
    {.fault = "hang-all",
     .extra_args = {"--run-timeout", "40", "--deadline", "2"},
     .exit = Exit::nonzero,
     .bound = 60s},
    // Alive, then silent: every check's calls time out, and the run bound ends the run.
    {.fault = "hang-after-capabilities",
     .filter = "cas.*",
     .must_fail = {"cas.find_missing.reports_exactly_absent"},
     .extra_args = {"--run-timeout", "20", "--deadline", "2"},
     .bound = 60s},
    {.fault = "empty-blob-missing",
     .filter = "cas.find_missing.*,common.*",
     .must_fail = {"cas.find_missing.empty_blob_never_missing",
                   "common.empty_blob_always_present"}},
    {.fault = "batch-read-corrupt",
     .filter = "cas.batch_read.*",
     .must_fail = {"cas.batch_read.returns_exact_bytes"}},
    {.fault = "capabilities-no-digest-functions",
     .filter = "capabilities.*",
     .must_fail = {"capabilities.digest_functions_listed"}},
    {.fault = "split-splice-unbacked",
     .filter = "capabilities.*,cas.split.*",
     .must_fail = {"capabilities.split_splice_flags_truthful", "cas.split.chunks_reassemble"}},
    {.fault = "compressed-ignored",
     .filter = "bytestream.compressed.*",
     .must_fail = {"bytestream.compressed.read_every_stored_blob"}},
    // BS-NAME-07 is a SHOULD rule: a warning, which --strict turns into a failed run.
    {.fault = "uppercase-hash-accepted",
     .filter = "bytestream.name.*",
     .must_warn = {"bytestream.name.malformed_rejected"},
     .extra_args = {"--strict"}},
    {.fault = "racing-writes-fail",
     .filter = "concurrency.*,bytestream.write.concurrent_same_blob",
     .must_fail = {"concurrency.concurrent_uploads_same_blob",
                   "bytestream.write.concurrent_same_blob"}},
    {.fault = "action-cache-ignores-update",
     .filter = "action_cache.*",
     .must_fail = {"action_cache.store_then_fetch"}},
};

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

class FaultInjectionTest : public testing::TestWithParam<FaultCase> {};

TEST_P(FaultInjectionTest, ConformanceSuiteCatchesTheFault) {
  const FaultCase& c = GetParam();
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "cannot create a temporary directory";
  const auto server_log = dir.path() / "server.log";
  const auto suite_log = dir.path() / "conformance.log";
  const auto report = dir.path() / "report.json";

  ChildProcess server(REAPI_FAULTY_SERVER_PATH,
                      {"--fault", c.fault, "--listen", "127.0.0.1:0", "--port-file",
                       (dir.path() / "port").string()},
                      server_log);
  ASSERT_TRUE(server.started()) << server.error();
  const int port = wait_for_port(server, dir.path() / "port", 30s);
  ASSERT_GT(port, 0) << "reapi-faulty-server did not report its port:\n" << read_file(server_log);

  std::vector<std::string> args{"--target", "grpc://127.0.0.1:" + std::to_string(port), "--json",
                                report.string()};
  if (!c.filter.empty()) args.insert(args.end(), {"--filter", c.filter});
  args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
  ChildProcess suite(REAPI_CONFORMANCE_PATH, args, suite_log);
  ASSERT_TRUE(suite.started()) << suite.error();
  const std::optional<int> code = suite.wait_for(c.bound);
  if (!code) {
    suite.send(SIGKILL);
    FAIL() << "reapi-conformance ran over " << c.bound.count() << " s against fault '" << c.fault
           << "':\n"
           << read_file(suite_log);
  }
  switch (c.exit) {
    case Exit::zero:
      EXPECT_EQ(*code, 0) << read_file(suite_log);
      break;
    case Exit::one:
      EXPECT_EQ(*code, 1) << read_file(suite_log);
      break;
    case Exit::nonzero:
      EXPECT_NE(*code, 0) << read_file(suite_log);
      break;
  }

  if (!c.must_fail.empty() || !c.must_warn.empty()) {
    const nlohmann::json json = nlohmann::json::parse(read_file(report), nullptr, false);
    ASSERT_TRUE(json.is_object() && json.contains("checks") && json["checks"].is_array())
        << "no usable JSON report at " << report << ":\n"
        << read_file(report);
    const auto expect_result = [&](const std::string& id, const std::string& wanted) {
      const auto& checks = json["checks"];
      auto check = std::find_if(checks.begin(), checks.end(), [&](const nlohmann::json& entry) {
        return entry.value("id", "") == id;
      });
      if (check == checks.end()) {
        ADD_FAILURE() << "the report lists no check '" << id << "'";
        return;
      }
      EXPECT_EQ(check->value("result", ""), wanted)
          << "check '" << id << "' against fault '" << c.fault << "': " << check->dump();
    };
    for (const std::string& id : c.must_fail) expect_result(id, "failed");
    for (const std::string& id : c.must_warn) expect_result(id, "warning");
  }

  server.send(SIGTERM);
  const std::optional<int> stopped = server.wait_for(15s);
  EXPECT_EQ(stopped, std::optional<int>(0))
      << "reapi-faulty-server did not stop cleanly on SIGTERM:\n"
      << read_file(server_log);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultInjectionTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<FaultCase>& info) {
                           std::string name = info.param.fault;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace conformance_test
