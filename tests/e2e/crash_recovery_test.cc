// A server killed with kill -9 in the middle of uploads restarts with every blob it had
// acknowledged readable and intact, and no partial blob visible (disk backend).

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "blob_client.h"
#include "server_process.h"

namespace e2e {
namespace {

struct Ledger {
  std::mutex mutex;
  std::vector<std::string> acknowledged;    // the server said OK
  std::vector<std::string> unacknowledged;  // started, no OK seen (in flight at the kill)
};

void upload_until_stopped(const std::string& address, std::uint64_t seed,
                          const std::atomic<bool>& stop, Ledger& ledger) {
  std::mt19937_64 rng(seed);
  auto channel = connect(address);
  while (!stop) {
    // Sizes from a few bytes to 3 MiB, sent in 64 KiB messages so uploads take a while.
    const std::size_t size = 1 + rng() % (3 << 20);
    std::string blob = random_bytes(rng, size);
    const absl::Status status = write_blob(channel, blob, 64 << 10);
    std::lock_guard lock(ledger.mutex);
    (status.ok() ? ledger.acknowledged : ledger.unacknowledged).push_back(std::move(blob));
  }
}

TEST(CrashRecovery, KillNineDuringUploadsKeepsEveryAcknowledgedBlobAndNoPartialOne) {
  TempDir storage;
  const std::vector<std::string> args{"--storage", "disk:" + storage.path().string() + ":4GiB"};
  Ledger ledger;
  {
    ServerProcess server(args);
    ASSERT_TRUE(server.running()) << server.log();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (std::uint64_t i = 0; i < 4; ++i) {
      clients.emplace_back(upload_until_stopped, server.address(), 1000 + i, std::cref(stop),
                           std::ref(ledger));
    }
    // Kill once enough blobs are acknowledged, while four uploads are still in flight.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(ledger.mutex);
        if (ledger.acknowledged.size() >= 24) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(server.stop(SIGKILL).has_value());
    stop = true;
    for (auto& t : clients) t.join();
  }
  ASSERT_GE(ledger.acknowledged.size(), 24u);
  ASSERT_FALSE(ledger.unacknowledged.empty()) << "no upload was in flight at the kill";

  ServerProcess restarted(args);
  ASSERT_TRUE(restarted.running()) << restarted.log();
  auto channel = connect(restarted.address());
  for (const std::string& blob : ledger.acknowledged) {
    const reapi::Digest digest = reapi::digest_of(reapi::DigestFunction::sha256, blob);
    auto read = read_blob(channel, digest);
    ASSERT_TRUE(read.ok()) << digest.to_string() << ": " << read.status();
    EXPECT_TRUE(*read == blob) << "acknowledged blob " << digest.to_string()
                               << " came back changed";
  }
  // An upload cut off by the kill is either absent or complete, never partial.
  for (const std::string& blob : ledger.unacknowledged) {
    const reapi::Digest digest = reapi::digest_of(reapi::DigestFunction::sha256, blob);
    auto missing = find_missing(channel, {digest});
    ASSERT_TRUE(missing.ok()) << missing.status();
    if (!missing->empty()) continue;
    auto read = read_blob(channel, digest);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(*read == blob) << "unacknowledged blob " << digest.to_string() << " is partial";
  }
}

}  // namespace
}  // namespace e2e
