// The reference-server process as a user meets it: --help, clear errors for bad options
// (non-zero exit, a message naming the option), clean shutdown on SIGINT and SIGTERM, and
// a disk store that keeps its blobs across a restart.

#include <gtest/gtest.h>
#include <signal.h>

#include "blob_client.h"
#include "server_process.h"

namespace e2e {
namespace {

TEST(Process, HelpExplainsTheOptionsAndExitsZero) {
  auto [code, out] = run_server_command({"--help"});
  EXPECT_EQ(code, 0) << out;
  for (const char* needle :
       {"--listen", "--storage", "disk:PATH:SIZE", "memory:SIZE", "--instance", "--read-only",
        "--disable-overwrite-early-return", "--tree-cache-size", "--tree-cache-ttl-minutes"}) {
    EXPECT_NE(out.find(needle), std::string::npos) << needle << " missing from --help:\n" << out;
  }
}

struct BadOption {
  std::string name;  // the test's name
  std::vector<std::string> args;
  std::string message;  // part of the error the user must see
};

void PrintTo(const BadOption& bad, std::ostream* out) { *out << bad.name; }

class ProcessRejects : public ::testing::TestWithParam<BadOption> {};

TEST_P(ProcessRejects, WithANonZeroExitAndAClearMessage) {
  const BadOption& bad = GetParam();
  auto [code, out] = run_server_command(bad.args);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find(bad.message), std::string::npos) << "wanted '" << bad.message << "' in:\n"
                                                      << out;
}

INSTANTIATE_TEST_SUITE_P(
    BadOptions, ProcessRejects,
    ::testing::Values(
        BadOption{"UnknownFlag", {"--no-such-flag"}, "--no-such-flag"},
        BadOption{"UnknownStorageBackend",
                  {"--listen", "127.0.0.1:0", "--storage", "tape:1GiB"},
                  "--storage"},
        BadOption{"StorageSizeNotANumber",
                  {"--listen", "127.0.0.1:0", "--storage", "memory:lots"},
                  "--storage"},
        BadOption{"ReservedInstanceName",
                  {"--listen", "127.0.0.1:0", "--storage", "memory:1GiB", "--instance", "a/blobs"},
                  "reserved"},
        BadOption{
            "UnsupportedDigestFunction",
            {"--listen", "127.0.0.1:0", "--storage", "memory:1GiB", "--digest-function", "blake3"},
            "--digest-function"},
        BadOption{
            "BatchLimitAboveReceiveLimit",
            {"--listen", "127.0.0.1:0", "--storage", "memory:1GiB", "--max-batch-size", "32MiB"},
            "64KiB"},
        BadOption{
            "UnbindableAddress", {"--listen", "256.0.0.1:1", "--storage", "memory:1GiB"}, "listen"},
        BadOption{"UnknownLogLevel", {"--log-level", "loud"}, "--log-level"}),
    [](const ::testing::TestParamInfo<BadOption>& info) { return info.param.name; });

TEST(Process, StopsCleanlyOnSigterm) {
  ServerProcess server({"--storage", "memory:64MiB"});
  ASSERT_TRUE(server.running()) << server.log();
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  EXPECT_NE(server.log().find("shutting down"), std::string::npos) << server.log();
}

TEST(Process, StopsCleanlyOnSigint) {
  ServerProcess server({"--storage", "memory:64MiB"});
  ASSERT_TRUE(server.running()) << server.log();
  EXPECT_EQ(server.stop(SIGINT), 0) << server.log();
}

TEST(Process, LogsItsEffectiveSettingsOnceAtStartUp) {
  ServerProcess server({"--storage", "memory:64MiB", "--instance", "main", "--read-only"});
  ASSERT_TRUE(server.running()) << server.log();
  const std::string log = server.log();
  for (const char* needle :
       {"serving on 127.0.0.1:", "storage memory", "'main'", "read-only yes", "sha256"}) {
    EXPECT_NE(log.find(needle), std::string::npos) << needle << " missing from:\n" << log;
  }
}

TEST(Process, DiskStoreKeepsBlobsAcrossARestart) {
  TempDir storage;
  const std::vector<std::string> args{"--storage", "disk:" + storage.path().string() + ":64MiB"};
  std::mt19937_64 rng(7);
  const std::string blob = random_bytes(rng, 3 << 20);
  {
    ServerProcess server(args);
    ASSERT_TRUE(server.running()) << server.log();
    ASSERT_TRUE(write_blob(connect(server.address()), blob, 1 << 20).ok());
    ASSERT_EQ(server.stop(SIGTERM), 0);
  }
  ServerProcess server(args);
  ASSERT_TRUE(server.running()) << server.log();
  auto read =
      read_blob(connect(server.address()), reapi::digest_of(reapi::DigestFunction::sha256, blob));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(*read == blob);
}

}  // namespace
}  // namespace e2e
